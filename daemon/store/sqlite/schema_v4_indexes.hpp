#pragma once
// Schema version 4, indexes found by the scale benchmark (tests/bench/scale: 1,000,000 friends,
// 5,000,000 outbox rows), so that each query costs what it touches, not what is stored.

namespace musubi::store::sqlite {

inline constexpr const char* k_schema_v4_indexes = R"SQL(
-- A cancel_on fact skips its enrollment's pending messages: without this, every cancellation
-- (an order cancelled, a friend who blocks) scanned the whole outbox (12 s at 5M rows; 1 ms with).
CREATE INDEX outbox_pending_by_enrollment ON outbox (enrollment_id) WHERE state = 'pending';
-- Retention drops the chat messages of a friend who unlinked long ago.
CREATE INDEX facts_friend_messages ON facts (friend_id) WHERE kind = 'friend.message';
)SQL";

} // namespace musubi::store::sqlite
