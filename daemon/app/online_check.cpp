#include "daemon/app/online_check.hpp"

#include <fstream>
#include <sstream>

#include "daemon/dispatch/dispatcher.hpp"
#include "daemon/richmenus/json_positions.hpp"
#include "daemon/templates/message_limits.hpp"

namespace musubi::app {

namespace {

using nlohmann::json;

// Why LINE could not judge, or nothing when it did (200, or 400 with its verdict).
std::optional<std::string> unavailable_because(const line::ApiResult& result) {
    using line::Outcome;
    if (result.outcome == Outcome::sent || result.outcome == Outcome::already_sent ||
        (result.outcome == Outcome::permanent && result.status == 400)) {
        return std::nullopt;
    }
    const std::string said = result.message.empty() ? "" : ": " + result.message;
    switch (result.outcome) {
    case Outcome::unauthorized:
        return "LINE refused the channel access token (HTTP 401" + said +
               "); check line.channel_access_token (or the channel id and secret) in "
               "musubi.yaml";
    case Outcome::transient:
        return result.status == 0
                   ? "could not reach LINE at line.api_base_url" + said
                   : "LINE answered HTTP " + std::to_string(result.status) + said + "; try later";
    case Outcome::rate_limited:
    case Outcome::quota_exhausted:
        return "LINE answered HTTP 429" + said + "; try later";
    default:
        return "LINE answered HTTP " + std::to_string(result.status) + said +
               (result.status == 403 ? "; the channel may not use this call" : "");
    }
}

std::optional<std::string> read_text(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        return std::nullopt;
    }
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// The details of a 400, or LINE's message alone when it gave none.
std::vector<line::ErrorDetail> details_of(const line::ApiResult& result) {
    if (!result.details.empty()) {
        return result.details;
    }
    return {{result.message.empty() ? "refused with HTTP 400" : result.message, ""}};
}

} // namespace

std::vector<config::Diagnostic>
as_diagnostics(const std::vector<templates::TemplateError>& errors) {
    std::vector<config::Diagnostic> diagnostics;
    for (const auto& error : errors) {
        diagnostics.push_back({{error.file, error.line, error.column}, error.message, error.hint});
    }
    return diagnostics;
}

std::set<std::string> templates_in(const std::vector<templates::TemplateError>& errors) {
    std::set<std::string> names;
    for (const auto& error : errors) {
        names.insert(std::filesystem::path(error.file).stem().string());
    }
    return names;
}

OnlineCheck check_online(const config::Config& config, const templates::TemplateSet& templates,
                         const std::set<std::string>& skip) {
    const auto options = dispatch::dispatcher_options(config);
    line::MessagingClient client(options.client, options.token);
    return check_online(config, templates, skip, client);
}

OnlineCheck check_online(const config::Config& config, const templates::TemplateSet& templates,
                         const std::set<std::string>& skip, line::MessagingClient& client) {
    OnlineCheck check;
    const auto sample = templates::TemplateSet::sample_context();
    for (const auto& name : templates.names()) {
        if (skip.count(name) != 0) {
            continue;
        }
        auto messages = templates.render(name, sample);
        if (!messages) {
            continue; // the offline checks report it
        }
        const auto result = client.validate_push(*messages);
        if (auto why = unavailable_because(result)) {
            check.unavailable = std::move(why);
            return check;
        }
        ++check.templates;
        if (result.succeeded()) {
            continue;
        }
        for (const auto& detail : details_of(result)) {
            const auto place = templates.locate(name, detail.property);
            check.refusals.push_back(
                {{place.file, place.line, place.column},
                 "LINE refused " +
                     (detail.property.empty() ? std::string("the template") : detail.property) +
                     ": " + detail.message,
                 {}});
        }
    }
    for (const auto& menu : config.rich_menus.menus) {
        const auto result = client.validate_rich_menu(menu.definition);
        if (auto why = unavailable_because(result)) {
            check.unavailable = std::move(why);
            return check;
        }
        ++check.rich_menus;
        if (result.succeeded()) {
            continue;
        }
        const auto text = read_text(menu.definition_file);
        const richmenus::JsonPositions positions(text.value_or(""));
        for (const auto& detail : details_of(result)) {
            const auto place = text && !detail.property.empty()
                                   ? positions.at(templates::pointer_of(detail.property))
                                   : richmenus::TextPlace{};
            check.refusals.push_back(
                {{menu.definition_file.string(), place.line, place.column},
                 "LINE refused " +
                     (detail.property.empty() ? "rich menu '" + menu.name + "'" : detail.property) +
                     ": " + detail.message,
                 {}});
        }
    }
    return check;
}

} // namespace musubi::app
