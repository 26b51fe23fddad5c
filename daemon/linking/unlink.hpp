#pragma once
// Unlinking by an operator (musubictl unlink <userId>): ends the friend's active link, keeping
// the row as history, with the friend.unlinked fact (payload method "cli"). No message is sent.

#include <cstdint>
#include <string_view>

#include <tl/expected.hpp>

#include "daemon/store/store.hpp"

namespace musubi::linking {

enum class UnlinkResult {
    unlinked,
    not_linked,     // the friend had no active link
    unknown_friend, // no friend with this LINE user id
};

tl::expected<UnlinkResult, store::StoreError>
unlink_friend(store::Links& links, std::string_view line_user_id, std::int64_t now_ms);
tl::expected<UnlinkResult, store::StoreError>
unlink_friend(store::Store& store, std::string_view line_user_id, std::int64_t now_ms);

} // namespace musubi::linking
