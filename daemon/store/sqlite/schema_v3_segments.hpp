#pragma once
// Schema version 3, the part for SegmentStore (see schema_v3.hpp and segment_store.hpp).

namespace musubi::store::sqlite {

inline constexpr const char* k_schema_v3_segments = R"SQL(
-- The segment each evaluated friend is in now. segment NULL: no segment matched.
-- next_check_at: the earliest time the answer changes with no new fact (a "days since"
-- threshold); the periodic sweep reads only rows whose time has come.
CREATE TABLE friend_segments (
    friend_id         INTEGER PRIMARY KEY REFERENCES friends(id),
    segment           TEXT,
    since             INTEGER NOT NULL,
    next_check_at     INTEGER,
    next_check_reason TEXT NOT NULL DEFAULT '',
    updated_at        INTEGER NOT NULL
);
CREATE INDEX friend_segments_due ON friend_segments (next_check_at)
    WHERE next_check_at IS NOT NULL;
CREATE INDEX friend_segments_by_segment ON friend_segments (segment, friend_id);

-- Every change of a friend's segment, oldest first: readers (rich-menu reconciler,
-- campaigns) keep the last id they handled.
CREATE TABLE segment_changes (
    id           INTEGER PRIMARY KEY,
    friend_id    INTEGER NOT NULL REFERENCES friends(id),
    from_segment TEXT,
    to_segment   TEXT,
    why          TEXT NOT NULL,
    at           INTEGER NOT NULL
);
CREATE INDEX segment_changes_by_friend ON segment_changes (friend_id, id);

-- A fact names its order by number only; this finds the order (and so the friend) without
-- scanning every order.
CREATE INDEX IF NOT EXISTS orders_by_number ON orders (order_number);
)SQL";

} // namespace musubi::store::sqlite
