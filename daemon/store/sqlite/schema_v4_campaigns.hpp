#pragma once
// Schema version 4, the part for Campaigns (see schema_v4.hpp and campaigns.hpp).

namespace musubi::store::sqlite {

inline constexpr const char* k_schema_v4_campaigns = R"SQL(
-- One send of a campaign. (campaign, occurrence) is unique, so the schedule creates each
-- occurrence once however often musubid restarts. after_friend_id is the snapshot's cursor
-- and pages the number of pages written (a multicast group's number), both moved in the
-- transaction that writes a page.
CREATE TABLE campaign_runs (
    id              INTEGER PRIMARY KEY,
    campaign        TEXT NOT NULL,
    occurrence      TEXT NOT NULL,
    segment         TEXT NOT NULL,
    template        TEXT NOT NULL,
    multicast       INTEGER NOT NULL DEFAULT 0,
    due_at          INTEGER NOT NULL,
    state           TEXT NOT NULL DEFAULT 'scheduled'
                    CHECK (state IN ('scheduled', 'running', 'done')),
    started_by      TEXT NOT NULL,
    after_friend_id INTEGER NOT NULL DEFAULT 0,
    pages           INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    finished_at     INTEGER,
    UNIQUE (campaign, occurrence)
);
CREATE INDEX campaign_runs_open ON campaign_runs (due_at) WHERE state != 'done';

-- Each friend a run looked at, once: queued (retry_key names the outbox row: the friend's
-- own, or the multicast group's) or skipped with the reason.
CREATE TABLE campaign_recipients (
    run_id     INTEGER NOT NULL REFERENCES campaign_runs(id),
    friend_id  INTEGER NOT NULL REFERENCES friends(id),
    outcome    TEXT NOT NULL CHECK (outcome IN ('queued', 'skipped')),
    reason     TEXT,
    retry_key  TEXT,
    at         INTEGER NOT NULL,
    PRIMARY KEY (run_id, friend_id)
) WITHOUT ROWID;
-- Caps count a friend's multicast campaign messages of the day through this.
CREATE INDEX campaign_recipients_by_friend ON campaign_recipients (friend_id, at);
)SQL";

} // namespace musubi::store::sqlite
