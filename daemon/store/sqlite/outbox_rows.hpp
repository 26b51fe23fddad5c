#pragma once
// Writing an outbox row, for the parts of the store that decide messages (the engine, chat
// linking). Called inside the caller's transaction, so the row commits with the fact that
// caused it.

#include <cstdint>
#include <optional>
#include <string>

#include <tl/expected.hpp>

#include "daemon/store/sqlite/database.hpp"

namespace musubi::store::sqlite {

struct NewMessage {
    std::string retry_key; // outbox::derive_retry_key(...)
    std::optional<std::int64_t> enrollment_id;
    std::int64_t friend_id = 0;
    std::string scenario; // e.g. "order-thanks", or "linking"
    std::string step;
    std::string kind = "push";         // push | reply (reply falls back to push)
    std::string payload;               // the rendered messages: a JSON array
    std::string state = "pending";     // or "failed" (with reason) when rendering broke
    std::optional<std::string> reason; // why it failed
    bool critical = false;
    std::int64_t due_at = 0;
    std::optional<std::string> reply_token;  // kind reply
    std::optional<std::int64_t> reply_until; // kind reply: use the token before this time
};

// true: written; false: a row with this retry key exists already (the message was decided
// before), nothing written.
tl::expected<bool, StoreError> insert_outbox_row(Database& db, const NewMessage& message,
                                                 std::int64_t now_ms);

} // namespace musubi::store::sqlite
