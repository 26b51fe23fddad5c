#pragma once
// Schema version 2: what the engine, the dispatcher, linking and review imports need beyond v1.

namespace musubi::store::sqlite {

inline constexpr const char* k_schema_v2 = R"SQL(
-- The fact kind the enrollment's current step waits for (`on:`); next_at is then its deadline.
ALTER TABLE enrollments ADD COLUMN waiting_on TEXT;
-- The fact that started the enrollment: its subject and payload fill the templates.
ALTER TABLE enrollments ADD COLUMN trigger_fact_id INTEGER REFERENCES facts(id);
CREATE INDEX enrollments_waiting ON enrollments (friend_id, waiting_on) WHERE state = 'active';

-- A reply row answers with the reply token while it is valid (reply_until), else pushes.
ALTER TABLE outbox ADD COLUMN reply_token TEXT;
ALTER TABLE outbox ADD COLUMN reply_until INTEGER;

-- Chat linking: the order number a friend gave, waiting for the phone digits.
CREATE TABLE link_sessions (
    friend_id    INTEGER PRIMARY KEY REFERENCES friends(id),
    order_number TEXT NOT NULL,
    started_at   INTEGER NOT NULL
);
-- Every linking attempt (chat, web), for the per-friend limit and for operators.
CREATE TABLE link_attempts (
    id           INTEGER PRIMARY KEY,
    friend_id    INTEGER NOT NULL REFERENCES friends(id),
    method       TEXT NOT NULL,
    outcome      TEXT NOT NULL,
    attempted_at INTEGER NOT NULL
);
CREATE INDEX link_attempts_by_friend ON link_attempts (friend_id, attempted_at);
-- LINE's account-link flow: the nonce the shop's site registered for one of its members.
CREATE TABLE account_link_nonces (
    nonce      TEXT PRIMARY KEY,
    member_key TEXT NOT NULL,           -- keyed hash of the site's member id
    created_at INTEGER NOT NULL,
    used_at    INTEGER
) WITHOUT ROWID;

-- Imported reviews, once each; joined to orders by order number whenever both are known.
CREATE TABLE reviews (
    id           INTEGER PRIMARY KEY,
    natural_key  TEXT NOT NULL UNIQUE,
    order_number TEXT NOT NULL,
    review_type  TEXT NOT NULL,         -- 'item' or 'shop'
    item_name    TEXT,
    rating       INTEGER,
    posted_at    INTEGER NOT NULL,
    imported_at  INTEGER NOT NULL
);
CREATE INDEX reviews_by_order ON reviews (order_number);
)SQL";

} // namespace musubi::store::sqlite
