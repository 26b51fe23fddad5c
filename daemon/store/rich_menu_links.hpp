#pragma once
// The rich-menu reconciler's part of the store: which menu musubi last linked each friend to,
// and every change it made (friend, from, to, why) for operators.
//
// A friend without a row was never given a per-user menu by musubi: LINE shows them the
// default menu, exactly as a row with no menu says. `stale` marks a row LINE may no longer
// hold (the friend blocked the account, or the menu was deleted while they were blocked): the
// next pass applies the desired menu again whatever the row says.
//
// The reads answer a FriendMenu for each friend: what the reconciler needs to decide (LINE
// user id, following or not, segment now, what musubi last linked), from one query.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "daemon/store/store_error.hpp"

namespace musubi::store {

struct FriendMenu {
    std::int64_t friend_id = 0;
    std::string line_user_id;
    bool following = true;
    std::optional<std::string> segment;      // none: no segment matched, or not evaluated yet
    std::optional<std::string> menu;         // the menu musubi last linked; none: unlinked
    std::optional<std::string> rich_menu_id; // LINE's id of that menu
    bool stale = false;
    std::int64_t linked_at = 0; // when musubi last changed it (0: never)
};

// One friend's menu as musubi just set it on LINE.
struct MenuLinkWrite {
    std::int64_t friend_id = 0;
    std::optional<std::string> from; // the menu before (name, or LINE's id when not musubi's)
    std::optional<std::string> to;   // none: unlinked, LINE's default shows
    std::optional<std::string> to_rich_menu_id;
    std::string why; // "segment vip", "unblocked", "menu vip replaced", "drift", …
};

// A row of rich_menu_changes.
struct MenuChange {
    std::int64_t id = 0;
    std::int64_t friend_id = 0;
    std::string line_user_id;
    std::optional<std::string> from;
    std::optional<std::string> to;
    std::string why;
    std::int64_t at_ms = 0;
};

// A page of a source the reconciler follows by id (segment changes, friend facts).
struct FriendMenuPage {
    std::vector<FriendMenu> friends; // each friend once, in the order first seen
    std::vector<bool> unfollowed;    // for friend facts: the friend's latest fact was an unfollow
    // For friend facts: the latest fact is a follow after a block (LINE's isUnblocked, or an
    // unfollow earlier in the page).
    std::vector<bool> came_back;
    std::int64_t last_id = 0;  // the highest id looked at (the next cursor)
    std::size_t looked_at = 0; // a full page: more may be waiting
};

class RichMenuLinks {
public:
    virtual ~RichMenuLinks() = default;

    // Friends whose segment changed: segment_changes with id > after_change_id.
    virtual tl::expected<FriendMenuPage, StoreError> segment_changes_after(std::int64_t after,
                                                                           std::size_t limit) = 0;
    virtual tl::expected<std::int64_t, StoreError> last_segment_change_id() = 0;
    // Friends who followed (again) or unfollowed: friend.followed / friend.unfollowed facts
    // with id > after_fact_id.
    virtual tl::expected<FriendMenuPage, StoreError> follow_facts_after(std::int64_t after,
                                                                        std::size_t limit) = 0;
    virtual tl::expected<std::int64_t, StoreError> last_fact_id() = 0;
    // Every friend by id, for a full pass when the segment → menu map changed.
    virtual tl::expected<std::vector<FriendMenu>, StoreError> friends_after(std::int64_t after,
                                                                            std::size_t limit) = 0;
    // Friends musubi linked to `rich_menu_id` (a superseded menu whose friends must move).
    virtual tl::expected<std::vector<FriendMenu>, StoreError>
    linked_to(const std::string& rich_menu_id, std::int64_t after_friend_id, std::size_t limit) = 0;
    // Following friends least recently spot-checked first (never checked: first of all).
    virtual tl::expected<std::vector<FriendMenu>, StoreError>
    least_recently_checked(std::size_t limit) = 0;
    virtual tl::expected<std::optional<FriendMenu>, StoreError>
    by_user(const std::string& line_user_id) = 0;

    // In one transaction: each friend's row and a change row for each, and the cursor if given.
    virtual tl::expected<void, StoreError>
    record_links(const std::vector<MenuLinkWrite>& writes,
                 const std::optional<std::pair<std::string, std::string>>& cursor) = 0;
    // LINE may no longer hold these friends' menus: apply again at the next chance.
    virtual tl::expected<void, StoreError> mark_stale(const std::vector<std::int64_t>& friend_ids,
                                                      bool forget_menu) = 0;
    virtual tl::expected<void, StoreError>
    mark_checked(const std::vector<std::int64_t>& friend_ids) = 0;

    virtual tl::expected<std::optional<std::string>, StoreError>
    cursor(const std::string& name) = 0;
    virtual tl::expected<void, StoreError> set_cursor(const std::string& name,
                                                      const std::string& value) = 0;

    // Friends per menu musubi linked ("" for unlinked rows), for `musubictl richmenu status`.
    virtual tl::expected<std::map<std::string, std::int64_t>, StoreError> friends_per_menu() = 0;
    // Changes newest first; only those of `friend_id` when given.
    virtual tl::expected<std::vector<MenuChange>, StoreError>
    changes(std::optional<std::int64_t> friend_id, std::size_t limit) = 0;
};

} // namespace musubi::store
