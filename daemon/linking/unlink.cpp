#include "daemon/linking/unlink.hpp"

#include "daemon/linking/link_rules.hpp"
#include "daemon/log/log.hpp"

namespace musubi::linking {

tl::expected<UnlinkResult, store::StoreError>
unlink_friend(store::Links& links, std::string_view line_user_id, std::int64_t now_ms) {
    auto tx = links.begin();
    if (!tx) {
        return tl::unexpected(tx.error());
    }
    auto friend_row = (*tx)->friend_by_line_user(line_user_id);
    if (!friend_row) {
        return tl::unexpected(friend_row.error());
    }
    if (!*friend_row) {
        return UnlinkResult::unknown_friend;
    }
    const std::int64_t friend_id = (*friend_row)->id;
    if (auto ended = (*tx)->end_session(friend_id); !ended) {
        return tl::unexpected(ended.error());
    }
    auto link = unlink(**tx, friend_id, "cli", now_ms);
    if (!link) {
        return tl::unexpected(link.error());
    }
    if (auto committed = (*tx)->commit(); !committed) {
        return tl::unexpected(committed.error());
    }
    if (!*link) {
        return UnlinkResult::not_linked;
    }
    log::Logger("linking").info("friend_unlinked",
                                {{"friend_id", friend_id}, {"link_id", **link}, {"method", "cli"}});
    return UnlinkResult::unlinked;
}

tl::expected<UnlinkResult, store::StoreError>
unlink_friend(store::Store& store, std::string_view line_user_id, std::int64_t now_ms) {
    return unlink_friend(store.links(), line_user_id, now_ms);
}

} // namespace musubi::linking
