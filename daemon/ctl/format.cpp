#include "daemon/ctl/format.hpp"

#include <ctime>
#include <iomanip>
#include <sstream>

#include "daemon/templates/message_limits.hpp"

namespace musubi::ctl {

namespace {

constexpr std::int64_t k_jst_offset_ms = 9LL * 3600 * 1000; // Japan: UTC+9, no summer time

// The byte length of the UTF-8 character starting with `lead`.
std::size_t utf8_length(unsigned char lead) {
    if (lead >= 0xF0) {
        return 4;
    }
    if (lead >= 0xE0) {
        return 3;
    }
    if (lead >= 0xC0) {
        return 2;
    }
    return 1;
}

} // namespace

std::string mask_name(std::string_view name) {
    if (name.empty()) {
        return {};
    }
    const std::size_t first =
        std::min(utf8_length(static_cast<unsigned char>(name[0])), name.size());
    std::size_t hidden = 0;
    for (std::size_t at = first; at < name.size();
         at += utf8_length(static_cast<unsigned char>(name[at]))) {
        ++hidden;
    }
    return std::string(name.substr(0, first)) + std::string(std::max<std::size_t>(hidden, 1), '*');
}

std::string jst_time(std::int64_t epoch_ms) {
    const std::time_t seconds = static_cast<std::time_t>((epoch_ms + k_jst_offset_ms) / 1000);
    std::tm parts{};
    gmtime_r(&seconds, &parts);
    std::ostringstream text;
    text << std::put_time(&parts, "%Y-%m-%d %H:%M:%S") << " JST";
    return text.str();
}

std::string jst_time(const std::optional<std::int64_t>& epoch_ms) {
    return epoch_ms ? jst_time(*epoch_ms) : std::string("-");
}

std::string yen(std::int64_t amount) {
    const auto digits =
        templates::with_thousands(static_cast<std::size_t>(amount < 0 ? -amount : amount));
    return (amount < 0 ? "-" : "") + digits + "円";
}

std::string entry_line(const store::OutboxEntry& entry) {
    std::ostringstream line;
    line << '#' << entry.id << "  " << std::left << std::setw(7) << entry.state << "  "
         << jst_time(entry.updated_at) << "  "
         << (entry.line_user_id.empty() ? std::string("(multicast)") : entry.line_user_id) << "  "
         << (entry.scenario.empty() ? "-" : entry.scenario) << '/'
         << (entry.step.empty() ? "-" : entry.step) << "  " << entry.attempts
         << (entry.attempts == 1 ? " attempt" : " attempts");
    if (entry.retry_of) {
        line << "  (retry of #" << *entry.retry_of << ')';
    }
    if (entry.reason && !entry.reason->empty()) {
        line << "  " << *entry.reason;
    }
    return line.str();
}

nlohmann::json entry_json(const store::OutboxEntry& entry, bool with_payload) {
    const auto optional = [](const auto& value) {
        return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
    };
    nlohmann::json json{{"id", entry.id},
                        {"retry_key", entry.retry_key},
                        {"friend_id", optional(entry.friend_id)},
                        {"line_user_id", entry.line_user_id},
                        {"scenario", entry.scenario},
                        {"step", entry.step},
                        {"kind", entry.kind},
                        {"state", entry.state},
                        {"critical", entry.critical},
                        {"due_at", entry.due_at},
                        {"first_attempt_at", optional(entry.first_attempt_at)},
                        {"attempts", entry.attempts},
                        {"reason", optional(entry.reason)},
                        {"created_at", entry.created_at},
                        {"updated_at", entry.updated_at},
                        {"retry_of", optional(entry.retry_of)}};
    if (with_payload) {
        json["payload"] = nlohmann::json::parse(entry.payload, nullptr, false);
        if (json["payload"].is_discarded()) {
            json["payload"] = entry.payload; // not JSON: shown as it is stored
        }
    }
    return json;
}

} // namespace musubi::ctl
