#pragma once
// Schema version 6, part "forward": the durable queue of webhook bodies for other tools on the
// same LINE channel (webhook.forward). A row is written in the transaction that stores the
// body's events (sqlite_webhook_inbox.cpp), so nothing is forwarded that was not stored and
// nothing stored is lost; it is deleted once the target answered 2xx or musubi gave up on it,
// so a body (personal data: friends' messages) is kept no longer than its delivery needs.

namespace musubi::store::sqlite {

inline constexpr const char* k_schema_v6_forward = R"SQL(
CREATE TABLE webhook_forwards (
    id           INTEGER PRIMARY KEY AUTOINCREMENT, -- the order received, per target too
    target       TEXT NOT NULL,     -- the URL as configured in webhook.forward
    body         BLOB NOT NULL,     -- the raw bytes LINE sent, unchanged
    signature    TEXT NOT NULL,     -- LINE's x-line-signature over them
    content_type TEXT NOT NULL,
    received_at  INTEGER NOT NULL,  -- ms, musubi's clock
    next_at      INTEGER NOT NULL,  -- ms: not tried again before
    attempts     INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT               -- status or transport error of the last attempt, no body
);
CREATE INDEX webhook_forwards_by_target ON webhook_forwards (target, id);
)SQL";

} // namespace musubi::store::sqlite
