#pragma once
// Schema version 1: what DESIGN.md's data flow needs. Times are integer milliseconds since the
// Unix epoch (UTC); amounts are whole yen, NULL while RMS says "-9999" (not fixed yet).

namespace musubi::store::sqlite {

inline constexpr const char* k_schema_v1 = R"SQL(
CREATE TABLE schema_migrations (
    version     INTEGER PRIMARY KEY,
    description TEXT NOT NULL,
    applied_at  INTEGER NOT NULL
);

-- Everything that happened, once. The natural key makes a fact idempotent:
-- e.g. 'rakuten:order:<number>:shipped', 'line:event:<webhookEventId>'.
CREATE TABLE facts (
    id           INTEGER PRIMARY KEY,
    natural_key  TEXT NOT NULL UNIQUE,
    kind         TEXT NOT NULL,
    subject      TEXT,                  -- e.g. the order number
    friend_id    INTEGER REFERENCES friends(id),
    occurred_at  INTEGER NOT NULL,
    recorded_at  INTEGER NOT NULL,
    payload      TEXT NOT NULL DEFAULT '{}',
    processed_at INTEGER
);
CREATE INDEX facts_unprocessed ON facts (occurred_at, id) WHERE processed_at IS NULL;
CREATE INDEX facts_by_subject ON facts (subject, kind);

CREATE TABLE friends (
    id             INTEGER PRIMARY KEY,
    line_user_id   TEXT NOT NULL UNIQUE,
    display_name   TEXT,
    state          TEXT NOT NULL DEFAULT 'following'
                   CHECK (state IN ('following', 'blocked')),
    followed_at    INTEGER,
    blocked_at     INTEGER,
    inflow_source  TEXT,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);

CREATE TABLE friend_tags (
    friend_id  INTEGER NOT NULL REFERENCES friends(id),
    tag        TEXT NOT NULL,
    added_at   INTEGER NOT NULL,
    PRIMARY KEY (friend_id, tag)
) WITHOUT ROWID;

-- A buyer is known only by keyed hashes: buyer_key groups a repeat buyer's orders.
CREATE TABLE buyers (
    id               INTEGER PRIMARY KEY,
    buyer_key        TEXT NOT NULL UNIQUE,
    email_hash       TEXT,
    phone_hash       TEXT,
    phone_last4_hash TEXT,
    given_name       TEXT,              -- for greetings only
    created_at       INTEGER NOT NULL
);
CREATE INDEX buyers_by_email ON buyers (email_hash);
CREATE INDEX buyers_by_phone ON buyers (phone_hash);

CREATE TABLE orders (
    id             INTEGER PRIMARY KEY,
    source         TEXT NOT NULL,       -- 'rakuten', 'ecfeed'
    order_number   TEXT NOT NULL,
    buyer_id       INTEGER REFERENCES buyers(id),
    progress       INTEGER,
    total          INTEGER,             -- NULL: not fixed yet
    ordered_at     INTEGER NOT NULL,
    shipped_at     INTEGER,
    cancelled_at   INTEGER,
    carrier_code   TEXT,
    tracking_number TEXT,
    items          TEXT NOT NULL DEFAULT '[]',
    triggers       INTEGER NOT NULL DEFAULT 1, -- 0: backfilled, builds the picture only
    updated_at     INTEGER NOT NULL,
    UNIQUE (source, order_number)
);
CREATE INDEX orders_by_buyer ON orders (buyer_id, ordered_at);

-- Only one active link per friend; unlinking keeps the row for history.
CREATE TABLE links (
    id           INTEGER PRIMARY KEY,
    friend_id    INTEGER NOT NULL REFERENCES friends(id),
    buyer_id     INTEGER NOT NULL REFERENCES buyers(id),
    method       TEXT NOT NULL CHECK (method IN ('chat', 'web', 'account_link', 'buyer_key', 'cli')),
    linked_at    INTEGER NOT NULL,
    unlinked_at  INTEGER
);
CREATE UNIQUE INDEX links_active_friend ON links (friend_id) WHERE unlinked_at IS NULL;
CREATE INDEX links_by_buyer ON links (buyer_id) WHERE unlinked_at IS NULL;

CREATE TABLE enrollments (
    id           INTEGER PRIMARY KEY,
    scenario     TEXT NOT NULL,
    friend_id    INTEGER NOT NULL REFERENCES friends(id),
    subject      TEXT NOT NULL DEFAULT '',
    state        TEXT NOT NULL DEFAULT 'active'
                 CHECK (state IN ('active', 'done', 'cancelled', 'ended')),
    step         TEXT,
    next_at      INTEGER,
    started_at   INTEGER NOT NULL,
    ended_at     INTEGER,
    end_reason   TEXT
);
CREATE INDEX enrollments_due ON enrollments (next_at) WHERE state = 'active';
CREATE INDEX enrollments_by_friend ON enrollments (friend_id, scenario, subject);

-- Every message, rendered when written. The retry key is fixed at creation and sent as
-- X-Line-Retry-Key on every attempt, so a resend after a crash is answered 409 by LINE.
CREATE TABLE outbox (
    id               INTEGER PRIMARY KEY,
    retry_key        TEXT NOT NULL UNIQUE,
    enrollment_id    INTEGER REFERENCES enrollments(id),
    friend_id        INTEGER REFERENCES friends(id),
    scenario         TEXT,
    step             TEXT,
    kind             TEXT NOT NULL DEFAULT 'push' CHECK (kind IN ('push', 'multicast', 'reply')),
    payload          TEXT NOT NULL,
    state            TEXT NOT NULL DEFAULT 'pending'
                     CHECK (state IN ('pending', 'sending', 'sent', 'failed', 'skipped', 'expired')),
    critical         INTEGER NOT NULL DEFAULT 0,
    due_at           INTEGER NOT NULL,
    first_attempt_at INTEGER,
    attempts         INTEGER NOT NULL DEFAULT 0,
    reason           TEXT,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
);
CREATE INDEX outbox_due ON outbox (due_at, id) WHERE state IN ('pending', 'sending');
CREATE INDEX outbox_by_friend ON outbox (friend_id, created_at);

CREATE TABLE deliveries (
    id           INTEGER PRIMARY KEY,
    outbox_id    INTEGER NOT NULL REFERENCES outbox(id),
    attempted_at INTEGER NOT NULL,
    http_status  INTEGER,
    outcome      TEXT NOT NULL,
    request_id   TEXT,
    detail       TEXT
);
CREATE INDEX deliveries_by_outbox ON deliveries (outbox_id);

-- Where each poller stopped, e.g. 'rakuten:order_date' -> '2026-11-22T10:05:06+0900'.
CREATE TABLE cursors (
    name       TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at INTEGER NOT NULL
) WITHOUT ROWID;

-- Webhook events as received, de-duplicated by webhookEventId and worked off in
-- timestamp order after the 200 was sent.
CREATE TABLE webhook_events (
    event_id     TEXT PRIMARY KEY,
    occurred_at  INTEGER NOT NULL,
    received_at  INTEGER NOT NULL,
    body         TEXT NOT NULL,
    processed_at INTEGER
) WITHOUT ROWID;
CREATE INDEX webhook_events_pending ON webhook_events (occurred_at) WHERE processed_at IS NULL;
)SQL";

} // namespace musubi::store::sqlite
