#pragma once
// Writing an outbox row, for the parts of the store that decide messages (the engine, chat
// linking). Called inside the caller's transaction, so the row commits with the fact that
// caused it.

#include <cstdint>
#include <optional>
#include <string>

#include <tl/expected.hpp>

#include "daemon/store/new_message.hpp"
#include "daemon/store/sqlite/database.hpp"

namespace musubi::store::sqlite {

using store::NewMessage;

// true: written; false: a row with this retry key exists already (the message was decided
// before), nothing written.
tl::expected<bool, StoreError> insert_outbox_row(Database& db, const NewMessage& message,
                                                 std::int64_t now_ms);

} // namespace musubi::store::sqlite
