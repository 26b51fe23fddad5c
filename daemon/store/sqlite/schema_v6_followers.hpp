#pragma once
// Schema version 6, the followers part: reading the account's existing friends with LINE's
// GET /v2/bot/followers/ids. Each run saves the continuation token of the next page in the
// transaction that stores a page's friends, so a crash resumes where it stopped; imported
// friends wait in friend_profiles_due until their profile (display name) has been read.

namespace musubi::store::sqlite {

inline constexpr const char* k_schema_v6_followers = R"SQL(
CREATE TABLE followers_imports (
    id          INTEGER PRIMARY KEY,
    started_at  INTEGER NOT NULL,
    next_token  TEXT,                   -- the page to read next; NULL: the first
    pages       INTEGER NOT NULL DEFAULT 0,
    listed      INTEGER NOT NULL DEFAULT 0, -- ids LINE listed
    imported    INTEGER NOT NULL DEFAULT 0, -- of those, friends musubi did not know
    finished_at INTEGER,
    outcome     TEXT CHECK (outcome IN ('done', 'forbidden', 'abandoned')) -- NULL: running
);

CREATE TABLE friend_profiles_due (
    friend_id  INTEGER PRIMARY KEY REFERENCES friends(id),
    queued_at  INTEGER NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0,
    due_at     INTEGER NOT NULL
);
CREATE INDEX friend_profiles_due_at ON friend_profiles_due (due_at, friend_id);
)SQL";

} // namespace musubi::store::sqlite
