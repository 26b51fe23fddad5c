#include "daemon/engine/chat_replies.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "daemon/outbox/retry_key.hpp"

namespace musubi::engine {

namespace {

// A reply token lives about a minute; the same margin the engine keeps.
constexpr std::int64_t k_reply_window_ms = 50'000;
constexpr std::size_t k_max_messages = 5; // LINE takes at most 5 messages in a reply

} // namespace

bool keywords_match(const config::Scenario& scenario, std::string_view text) {
    return std::any_of(scenario.keywords.begin(), scenario.keywords.end(),
                       [&](const std::string& word) { return text.find(word) != text.npos; });
}

std::vector<store::NewMessage> chat_replies(const config::Config& config,
                                            const templates::TemplateSet& templates,
                                            const ChatText& message, std::int64_t now_ms) {
    if (message.reply_token.empty()) {
        return {};
    }
    const auto scenario =
        std::find_if(config.scenarios.begin(), config.scenarios.end(), [&](const auto& s) {
            return s.in_groups && s.trigger == config::FactKind::friend_message &&
                   keywords_match(s, message.text);
        });
    if (scenario == config.scenarios.end()) {
        return {};
    }
    store::NewMessage row;
    row.retry_key =
        outbox::derive_retry_key("chat-reply:" + message.event_id + "/scenario:" + scenario->name);
    row.scenario = scenario->name;
    row.kind = "reply";
    row.due_at = now_ms;
    row.reply_token = message.reply_token;
    row.reply_until = message.at_ms + k_reply_window_ms;
    nlohmann::json messages = nlohmann::json::array();
    std::string steps;
    for (const auto& step : scenario->steps) {
        if (!step.send || step.after || step.at || step.on) {
            continue;
        }
        nlohmann::json vars = nlohmann::json::object();
        for (const auto& [name, value] : step.vars) {
            vars[name] = value;
        }
        const nlohmann::json context = {{"shop", {{"name", config.shop.name}}}, {"vars", vars}};
        auto rendered = templates.render(*step.send, context);
        if (!rendered) {
            row.state = "failed";
            row.reason = "template " + *step.send + ": " + rendered.error().to_string();
            break;
        }
        for (auto& one : *rendered) {
            if (messages.size() < k_max_messages) {
                messages.push_back(std::move(one));
            }
        }
        steps += (steps.empty() ? "" : "+") + step.name;
    }
    if (messages.empty() && row.state != "failed") {
        return {};
    }
    row.step = steps;
    row.payload = messages.dump();
    return {row};
}

} // namespace musubi::engine
