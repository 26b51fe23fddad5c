#include "daemon/store/sqlite/sqlite_store.hpp"

#include <system_error>

namespace musubi::store::sqlite {

namespace {

std::int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

} // namespace

tl::expected<std::unique_ptr<SqliteStore>, StoreError>
SqliteStore::open(const std::filesystem::path& path, std::chrono::milliseconds busy_timeout,
                  const std::vector<Migration>& all) {
    std::error_code error;
    if (path.has_parent_path() && !std::filesystem::exists(path.parent_path(), error)) {
        std::filesystem::create_directories(path.parent_path(), error);
        if (error) {
            return tl::unexpected(StoreError{
                "cannot create the folder " + path.parent_path().string() + ": " + error.message(),
                "create it, or set store.path to a writable place"});
        }
    }
    auto db = Database::open(path);
    if (!db) {
        return tl::unexpected(db.error());
    }
    sqlite3_busy_timeout(db->handle(), static_cast<int>(busy_timeout.count()));
    // Refuse before touching anything: switching to WAL would already change the file.
    if (auto compatible = check_compatible(*db, all); !compatible) {
        return tl::unexpected(compatible.error());
    }
    auto mode = db->pragma_text("PRAGMA journal_mode = WAL");
    if (!mode || *mode != "wal") {
        return tl::unexpected(
            StoreError{"cannot switch " + path.string() + " to WAL mode" +
                           (mode ? " (got '" + *mode + "')" : ": " + mode.error().message),
                       "store.path must be on a local file system that supports shared memory"});
    }
    // In WAL mode NORMAL survives a process crash; after a power loss the last transactions
    // may be lost but never half-applied, and retry keys keep a resend from duplicating.
    for (const char* pragma : {"PRAGMA synchronous = NORMAL", "PRAGMA foreign_keys = ON"}) {
        if (auto applied = db->exec(pragma); !applied) {
            return tl::unexpected(applied.error());
        }
    }
    auto report = migrate(*db, all);
    if (!report) {
        return tl::unexpected(report.error());
    }
    StoreInfo info{"sqlite", path.string(), report->to_version, report->from_version};
    return std::unique_ptr<SqliteStore>(new SqliteStore(std::move(*db), std::move(info)));
}

tl::expected<Recorded, StoreError> SqliteStore::record_fact(const NewFact& fact) {
    std::lock_guard lock(m_mutex);
    auto statement = m_db.prepare(
        "INSERT INTO facts (natural_key, kind, subject, occurred_at, recorded_at, payload) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (natural_key) DO NOTHING");
    if (!statement) {
        return tl::unexpected(statement.error());
    }
    statement->bind(1, fact.natural_key)
        .bind(2, fact.kind)
        .bind_optional(3, fact.subject)
        .bind(4, fact.occurred_at_ms)
        .bind(5, now_ms())
        .bind(6, fact.payload_json);
    if (auto done = statement->run(); !done) {
        return tl::unexpected(done.error());
    }
    return sqlite3_changes(m_db.handle()) == 1 ? Recorded::inserted : Recorded::duplicate;
}

tl::expected<std::int64_t, StoreError> SqliteStore::count_facts(std::string_view kind) {
    std::lock_guard lock(m_mutex);
    auto statement = m_db.prepare("SELECT count(*) FROM facts WHERE kind = ?1");
    if (!statement) {
        return tl::unexpected(statement.error());
    }
    statement->bind(1, kind);
    auto row = statement->step();
    if (!row) {
        return tl::unexpected(row.error());
    }
    return statement->column_int64(0);
}

tl::expected<std::optional<std::string>, StoreError> SqliteStore::cursor(std::string_view name) {
    std::lock_guard lock(m_mutex);
    auto statement = m_db.prepare("SELECT value FROM cursors WHERE name = ?1");
    if (!statement) {
        return tl::unexpected(statement.error());
    }
    statement->bind(1, name);
    auto row = statement->step();
    if (!row) {
        return tl::unexpected(row.error());
    }
    if (!*row) {
        return std::optional<std::string>();
    }
    return std::optional<std::string>(statement->column_text(0));
}

tl::expected<void, StoreError> SqliteStore::set_cursor(std::string_view name,
                                                       std::string_view value) {
    std::lock_guard lock(m_mutex);
    auto statement =
        m_db.prepare("INSERT INTO cursors (name, value, updated_at) VALUES (?1, ?2, ?3) "
                     "ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = "
                     "excluded.updated_at");
    if (!statement) {
        return tl::unexpected(statement.error());
    }
    statement->bind(1, name).bind(2, value).bind(3, now_ms());
    return statement->run();
}

} // namespace musubi::store::sqlite

namespace musubi::store::sqlite {

tl::expected<std::string, StoreError> SqliteStore::pragma(std::string_view name) {
    std::lock_guard lock(m_mutex);
    return m_db.pragma_text("PRAGMA " + std::string(name));
}

} // namespace musubi::store::sqlite
