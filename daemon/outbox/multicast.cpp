#include "daemon/outbox/multicast.hpp"

#include <algorithm>

#include "connectors/line/requests.hpp"
#include "daemon/outbox/retry_key.hpp"

namespace musubi::outbox {

std::vector<store::NewMessage> multicast_messages(const Announcement& announcement) {
    constexpr std::size_t group = line::k_max_multicast_recipients;
    std::vector<store::NewMessage> rows;
    const auto& recipients = announcement.recipients;
    for (std::size_t start = 0; start < recipients.size(); start += group) {
        const auto end = std::min(recipients.size(), start + group);
        store::NewMessage row;
        // The group's place is part of the key: the recipients list must be given in the
        // same order when the same announcement is written again.
        row.retry_key =
            derive_retry_key(announcement.identity + "/group:" + std::to_string(start / group));
        row.scenario = announcement.scenario;
        row.step = announcement.step;
        row.kind = "multicast";
        const std::vector<std::string> to(recipients.begin() + static_cast<std::ptrdiff_t>(start),
                                          recipients.begin() + static_cast<std::ptrdiff_t>(end));
        row.payload = nlohmann::json{{"to", to}, {"messages", announcement.messages}}.dump();
        row.due_at = announcement.due_at_ms;
        rows.push_back(std::move(row));
    }
    return rows;
}

} // namespace musubi::outbox
