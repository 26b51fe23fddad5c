#pragma once
// One message for many friends (an announcement to a segment) as multicast outbox rows: the
// recipients in groups of LINE's 500, each group a row with its own retry key derived from the
// announcement's identity and the group's place, so that writing the same announcement again
// (after a crash, on a second command) writes nothing new and no friend gets it twice.

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "daemon/store/new_message.hpp"

namespace musubi::outbox {

struct Announcement {
    std::string identity; // unique per announcement, e.g. "campaign:winter-sale/run:2026-11-24"
    std::string scenario; // shown in the outbox, e.g. "campaign:winter-sale"
    std::string step;
    std::vector<std::string> recipients; // LINE user IDs, each once
    nlohmann::json messages;             // the rendered LINE message objects (1 to 5)
    std::int64_t due_at_ms = 0;
};

std::vector<store::NewMessage> multicast_messages(const Announcement& announcement);

} // namespace musubi::outbox
