#include "daemon/store/sqlite/migrations.hpp"

#include "daemon/store/sqlite/schema_v1.hpp"
#include "daemon/store/sqlite/schema_v2.hpp"
#include "daemon/store/sqlite/schema_v3.hpp"
#include "daemon/store/sqlite/schema_v4.hpp"
#include "daemon/store/sqlite/schema_v5.hpp"
#include "daemon/store/sqlite/schema_v6.hpp"

namespace musubi::store::sqlite {

namespace {

std::string sql_quote(const std::string& text) {
    std::string quoted;
    for (char c : text) {
        quoted += c;
        if (c == '\'') {
            quoted += '\'';
        }
    }
    return quoted;
}

} // namespace

const std::vector<Migration>& migrations() {
    static const std::vector<Migration> all{
        {1,
         "facts, friends, buyers, orders, links, enrollments, outbox, deliveries, cursors, "
         "webhook events",
         k_schema_v1},
        {2, "engine waits, reply rows, linking sessions and attempts, account-link nonces, reviews",
         k_schema_v2},
        {3, "operations (retries, retention) and segments", schema_v3()},
        {4, "rich-menu links and changes, segment campaigns", schema_v4()},
        {5, "row counts of the outbox and facts kept by triggers", k_schema_v5},
        {6,
         "review exports, webhook bodies queued for other tools, the account's existing friends "
         "(followers import, profiles due)",
         schema_v6()},
    };
    return all;
}

tl::expected<void, StoreError> check_compatible(Database& db, const std::vector<Migration>& all) {
    auto application_id = db.pragma_int("application_id");
    if (!application_id) {
        return tl::unexpected(
            StoreError{db.path().string() + " is not a SQLite database (" +
                           application_id.error().message + ")",
                       "point store.path at musubi's database, or at a new file to start afresh"});
    }
    auto version = db.pragma_int("user_version");
    if (!version) {
        return tl::unexpected(version.error());
    }
    if (*application_id != 0 && *application_id != k_application_id) {
        return tl::unexpected(
            StoreError{db.path().string() + " is a SQLite database of another program",
                       "point store.path at musubi's database, or at a new file"});
    }
    auto tables = db.pragma_text("SELECT count(*) FROM sqlite_master");
    if (!tables) {
        return tl::unexpected(tables.error());
    }
    // A file with no musubi mark but with tables or a version belongs to someone else.
    if (*application_id == 0 && (*version != 0 || *tables != "0")) {
        return tl::unexpected(
            StoreError{db.path().string() + " is a SQLite database of another program",
                       "point store.path at musubi's database, or at a new file"});
    }
    const int latest = all.empty() ? 0 : all.back().version;
    if (*version > latest) {
        return tl::unexpected(StoreError{
            db.path().string() + " was written by a newer musubi (schema version " +
                std::to_string(*version) + "; this musubi knows up to " + std::to_string(latest) +
                "); nothing was changed",
            "install the newer musubi again, or restore a backup made before the upgrade"});
    }
    return {};
}

tl::expected<MigrationReport, StoreError> migrate(Database& db, const std::vector<Migration>& all) {
    if (auto compatible = check_compatible(db, all); !compatible) {
        return tl::unexpected(compatible.error());
    }
    MigrationReport report;
    report.from_version = static_cast<int>(*db.pragma_int("user_version"));
    report.to_version = report.from_version;
    for (const auto& migration : all) {
        if (migration.version <= report.to_version) {
            continue;
        }
        // IMMEDIATE takes the write lock first, so two processes cannot migrate at once.
        std::string sql = "BEGIN IMMEDIATE;\n" + migration.sql + "\n";
        sql += "PRAGMA application_id = " + std::to_string(k_application_id) + ";\n";
        sql += "PRAGMA user_version = " + std::to_string(migration.version) + ";\n";
        sql += "INSERT INTO schema_migrations (version, description, applied_at) VALUES (" +
               std::to_string(migration.version) + ", '" + sql_quote(migration.description) +
               "', strftime('%s','now'));\n";
        sql += "COMMIT;";
        if (auto applied = db.exec(sql); !applied) {
            (void)db.exec("ROLLBACK");
            return tl::unexpected(StoreError{
                "migration " + std::to_string(migration.version) + " (" + migration.description +
                    ") failed: " + applied.error().message +
                    "; the database stays at schema version " + std::to_string(report.to_version),
                "keep a copy of the file and report this with the log lines around it"});
        }
        report.to_version = migration.version;
    }
    return report;
}

} // namespace musubi::store::sqlite
