#pragma once
// Forward-only, numbered schema migrations. The schema version lives in PRAGMA user_version;
// each migration runs in its own transaction together with the version bump, so a crash in
// the middle leaves the database at the version before it. A database whose version is newer
// than this build knows is refused untouched.

#include <cstdint>
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "daemon/store/sqlite/database.hpp"

namespace musubi::store::sqlite {

struct Migration {
    int version;             // 1, 2, 3, ... with no gaps
    std::string description; // shown in logs and kept in schema_migrations
    std::string sql;
};

// Identifies a musubi database (PRAGMA application_id): "musb".
inline constexpr std::int64_t k_application_id = 0x6d757362;

// The migrations this build ships, in order.
const std::vector<Migration>& migrations();

struct MigrationReport {
    int from_version = 0;
    int to_version = 0;
};

// Refuses a file that is not a musubi database or is newer than `all`; applies what is
// missing. Reads nothing else and changes nothing when the file is refused.
tl::expected<void, StoreError> check_compatible(Database& db, const std::vector<Migration>& all);
tl::expected<MigrationReport, StoreError> migrate(Database& db, const std::vector<Migration>& all);

} // namespace musubi::store::sqlite
