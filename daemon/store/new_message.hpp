#pragma once
// A message decided by the engine or by linking, as its outbox row is written: rendered, with
// its retry key fixed (daemon/outbox/retry_key.hpp).

#include <cstdint>
#include <optional>
#include <string>

namespace musubi::store {

struct NewMessage {
    std::string retry_key;
    std::optional<std::int64_t> enrollment_id;
    std::int64_t friend_id = 0; // 0: none (a multicast names its recipients in its payload)
    std::string scenario;       // e.g. "order-thanks", or "linking"
    std::string step;
    std::string kind = "push"; // push | reply (reply falls back to push) | multicast
    // The rendered messages: a JSON array; for a multicast {"to": [...], "messages": [...]}.
    std::string payload;
    std::string state = "pending";     // or "failed" (with reason) when rendering broke
    std::optional<std::string> reason; // why it failed
    bool critical = false;
    std::int64_t due_at = 0;
    std::optional<std::string> reply_token;  // kind reply
    std::optional<std::int64_t> reply_until; // kind reply: use the token before this time
};

} // namespace musubi::store
