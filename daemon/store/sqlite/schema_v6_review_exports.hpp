#pragma once
// Schema version 6, the part for review exports (issue 18): one row per review CSV file read,
// so that the status page can say when an export was near RMS's size cap (about 1.2 MB, newest
// first: older reviews fall off) and how far back it reached. No personal data: the file name,
// sizes and the oldest review's time.

namespace musubi::store::sqlite {

inline constexpr const char* k_schema_v6_review_exports = R"SQL(
CREATE TABLE review_exports (
    id               INTEGER PRIMARY KEY,
    file             TEXT NOT NULL,     -- the file's name (no folder)
    imported_at      INTEGER NOT NULL,  -- epoch ms
    bytes            INTEGER NOT NULL,
    reviews          INTEGER NOT NULL,  -- rows read (repeated rows once)
    oldest_posted_at INTEGER,           -- epoch ms of the oldest review read; NULL: none
    near_cap         INTEGER NOT NULL   -- 1: bytes >= the near-cap size when read
);
)SQL";

} // namespace musubi::store::sqlite
