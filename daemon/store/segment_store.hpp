#pragma once
// Segments (issue 7): what a friend's segment conditions are evaluated over, and the segment
// each friend is in now.
//
// Membership: one row per friend evaluated (friend_segments): the segment (none when no
// segment matched), since when, and `next_check_at`, the earliest time the answer changes
// with no new fact (e.g. the day "no order for 90 days" becomes true), or none. Every change
// is also a row in segment_changes, whose increasing id is the cursor readers (rich-menu
// reconciler, campaigns) follow: "changes after id C".

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "daemon/store/engine_store.hpp"
#include "daemon/store/store_error.hpp"

namespace musubi::store {

// Everything a segment condition can look at for one friend.
struct FriendProfile {
    std::int64_t friend_id = 0;
    std::optional<std::int64_t> followed_at_ms;
    std::string inflow_source;
    std::vector<std::string> tags;         // sorted
    std::optional<std::int64_t> buyer_id;  // the active link's buyer; none: not linked
    BuyerStats buyer;                      // zeros when not linked (counted as the engine does)
    std::vector<std::string> items_bought; // manage numbers; only when asked for
};

struct Membership {
    std::int64_t friend_id = 0;
    std::optional<std::string> segment; // none: no segment matched
    std::int64_t since_ms = 0;
    std::optional<std::int64_t> next_check_at_ms;
    std::string next_check_reason; // e.g. "orders.days_since_last ≥ 90"
};

// What the segment worker decided for one friend.
struct MembershipWrite {
    std::int64_t friend_id = 0;
    std::optional<std::string> segment;
    std::optional<std::int64_t> next_check_at_ms;
    std::string next_check_reason;
    bool changed = false; // the segment differs from the stored one (or there was none)
    std::optional<std::string> from;
    std::string why; // "fact order.placed #123", "time: ...", "config reload"
};

struct SegmentChange {
    std::int64_t id = 0;
    std::int64_t friend_id = 0;
    std::optional<std::string> from;
    std::optional<std::string> to;
    std::string why;
    std::int64_t at_ms = 0;
};

// A fact that may change a friend's segment: the friend it is about (directly, or through the
// order it names → buyer → active link).
struct TouchingFact {
    std::int64_t fact_id = 0;
    std::string kind;
    std::int64_t friend_id = 0;
};

struct FactScan {
    std::vector<TouchingFact> facts; // facts about no known friend are left out
    std::int64_t last_fact_id = 0;   // the highest id looked at (the next cursor)
    std::size_t looked_at = 0;       // facts looked at (a full batch: more may be waiting)
};

class SegmentStore {
public:
    virtual ~SegmentStore() = default;

    // Profiles of the friends that exist among `friend_ids`, in one set of queries.
    virtual tl::expected<std::vector<FriendProfile>, StoreError>
    load_profiles(const std::vector<std::int64_t>& friend_ids, bool with_items) = 0;

    // The stored membership of those of `friend_ids` that have one.
    virtual tl::expected<std::vector<Membership>, StoreError>
    memberships(const std::vector<std::int64_t>& friend_ids) = 0;
    // The segment of one friend now (none: not evaluated yet).
    virtual tl::expected<std::optional<Membership>, StoreError>
    membership(std::int64_t friend_id) = 0;

    // Writes memberships, a change row for each changed one, and (when given) a cursor, in one
    // transaction.
    struct CursorValue {
        std::string name;
        std::string value;
    };
    virtual tl::expected<void, StoreError> save(const std::vector<MembershipWrite>& writes,
                                                const std::optional<CursorValue>& cursor) = 0;

    // Facts with id > after_fact_id, oldest first, at most `limit` looked at.
    virtual tl::expected<FactScan, StoreError> facts_after(std::int64_t after_fact_id,
                                                           std::size_t limit) = 0;
    virtual tl::expected<std::int64_t, StoreError> last_fact_id() = 0;

    // Friends whose next_check_at has come (by index), earliest first.
    virtual tl::expected<std::vector<std::int64_t>, StoreError>
    due_for_check(std::int64_t now_ms, std::size_t limit) = 0;
    // The earliest next_check_at, to sleep until.
    virtual tl::expected<std::optional<std::int64_t>, StoreError> next_check_at() = 0;

    // All friends by id, for a full re-evaluation in pages.
    virtual tl::expected<std::vector<std::int64_t>, StoreError>
    friends_after(std::int64_t after_friend_id, std::size_t limit) = 0;

    // Segment changes with id > after_change_id, oldest first: what the rich-menu reconciler
    // and campaigns follow.
    virtual tl::expected<std::vector<SegmentChange>, StoreError>
    changes_after(std::int64_t after_change_id, std::size_t limit) = 0;
    // Friends in `segment` now, by id after `after_friend_id` (paged).
    virtual tl::expected<std::vector<std::int64_t>, StoreError>
    friends_in(const std::string& segment, std::int64_t after_friend_id, std::size_t limit) = 0;

    virtual tl::expected<std::optional<std::string>, StoreError>
    cursor(const std::string& name) = 0;
    // Following friends per segment now ("" for those no segment matched), for the status page.
    virtual tl::expected<std::map<std::string, std::int64_t>, StoreError> sizes() = 0;
};

} // namespace musubi::store
