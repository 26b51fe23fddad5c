#include <csignal>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include <boost/test/unit_test.hpp>

#include "daemon/store/sqlite/sqlite_store.hpp"
#include "support/temp_dir.hpp"

using namespace musubi::store;
using namespace musubi::store::sqlite;
using musubi::test::TempDir;

namespace {

constexpr std::chrono::milliseconds k_busy{2000};
const auto k_clock = std::make_shared<const musubi::clock::SystemClock>();

int latest() {
    return migrations().back().version;
}

// This build's migrations plus one more, as a later musubi would ship them.
std::vector<Migration> with_extra(std::string sql) {
    auto all = migrations();
    all.push_back({latest() + 1, "a later version's table", std::move(sql)});
    return all;
}

std::string query_text(const std::filesystem::path& file, const std::string& sql) {
    auto db = Database::open(file);
    BOOST_REQUIRE(db);
    auto value = db->pragma_text(sql);
    BOOST_REQUIRE(value);
    return *value;
}

bool has_table(const std::filesystem::path& file, const std::string& table) {
    return query_text(file, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '" +
                                table + "'") == "1";
}

} // namespace

BOOST_AUTO_TEST_SUITE(sqlite_store)

BOOST_AUTO_TEST_CASE(a_writer_waits_for_another_writer_instead_of_failing) {
    TempDir dir;
    const auto file = dir / "musubi.db";
    auto store = SqliteStore::open(file, k_busy);
    BOOST_REQUIRE(store);
    auto other = open_connection(file, k_busy);
    BOOST_REQUIRE(other);
    BOOST_REQUIRE(other->exec("BEGIN IMMEDIATE"));
    std::thread release([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        BOOST_REQUIRE(other->exec("COMMIT"));
    });
    // Needs the write lock the other connection holds for 300 ms: it waits, then succeeds.
    auto recorded = (*store)->record_fact({"k1", "order.placed", "n1", 1, "{}"});
    release.join();
    BOOST_TEST(recorded.has_value());

    auto holder = open_connection(file, std::chrono::milliseconds(100));
    BOOST_REQUIRE(holder);
    BOOST_REQUIRE(holder->exec("BEGIN IMMEDIATE"));
    auto impatient = open_connection(file, std::chrono::milliseconds(50));
    BOOST_REQUIRE(impatient);
    auto refused = impatient->exec("BEGIN IMMEDIATE");
    BOOST_REQUIRE(!refused); // past its busy timeout it gives up
    BOOST_TEST(refused.error().message.find("locked") != std::string::npos,
               refused.error().message);
    BOOST_REQUIRE(holder->exec("ROLLBACK"));
}

BOOST_AUTO_TEST_CASE(a_new_file_gets_the_whole_schema_in_wal_mode_with_foreign_keys) {
    TempDir dir;
    const auto file = dir / "state/musubi.db"; // the folder does not exist yet
    auto store = SqliteStore::open(file, k_busy);
    BOOST_REQUIRE_MESSAGE(store, (store ? "" : store.error().to_string()));
    BOOST_TEST((*store)->info().schema_version == latest());
    BOOST_TEST((*store)->info().migrated_from == 0);
    BOOST_TEST(*(*store)->pragma("journal_mode") == "wal");
    BOOST_TEST(*(*store)->pragma("foreign_keys") == "1");
    for (const char* table :
         {"facts", "friends", "friend_tags", "buyers", "orders", "links", "enrollments", "outbox",
          "deliveries", "cursors", "webhook_events", "schema_migrations"}) {
        BOOST_TEST(has_table(file, table), table);
    }
    BOOST_TEST(query_text(file, "PRAGMA application_id") == std::to_string(k_application_id));
}

BOOST_AUTO_TEST_CASE(an_old_version_file_is_migrated_and_keeps_its_data) {
    TempDir dir;
    const auto file = dir / "musubi.db";
    {
        auto store = SqliteStore::open(file, k_busy);
        BOOST_REQUIRE(store);
        BOOST_REQUIRE(*(*store)->record_fact({"k:1", "order.placed", "123", 1, "{}"}) ==
                      Recorded::inserted);
    }
    auto upgraded = SqliteStore::open(file, k_busy, k_clock, with_extra("CREATE TABLE later (x);"));
    BOOST_REQUIRE_MESSAGE(upgraded, (upgraded ? "" : upgraded.error().to_string()));
    BOOST_TEST((*upgraded)->info().migrated_from == latest());
    BOOST_TEST((*upgraded)->info().schema_version == latest() + 1);
    BOOST_TEST(*(*upgraded)->count_facts("order.placed") == 1);
    BOOST_TEST(has_table(file, "later"));
    BOOST_TEST(query_text(file, "SELECT max(version) FROM schema_migrations") ==
               std::to_string(latest() + 1));
}

BOOST_AUTO_TEST_CASE(a_newer_version_file_is_refused_and_left_unchanged) {
    TempDir dir;
    const auto file = dir / "musubi.db";
    {
        BOOST_REQUIRE(
            SqliteStore::open(file, k_busy, k_clock, with_extra("CREATE TABLE later (x);")));
    }
    const std::string before = musubi::test::read_file(file);
    auto refused = SqliteStore::open(file, k_busy);
    BOOST_REQUIRE(!refused);
    BOOST_TEST(refused.error().to_string() ==
               file.string() + " was written by a newer musubi (schema version " +
                   std::to_string(latest() + 1) + "; this musubi knows up to " +
                   std::to_string(latest()) +
                   "); nothing was changed; install the newer musubi again, or restore a backup "
                   "made before the upgrade");
    BOOST_TEST(musubi::test::read_file(file) == before);
}

BOOST_AUTO_TEST_CASE(files_that_are_not_musubi_databases_are_refused) {
    TempDir dir;
    const auto text = dir.write("notes.db", "this is not a database, just some text that is "
                                            "long enough to have a header's worth of bytes....");
    auto refused = SqliteStore::open(text, k_busy);
    BOOST_REQUIRE(!refused);
    BOOST_TEST(refused.error().message.starts_with(text.string() + " is not a SQLite database"));

    const auto other = dir / "other.db";
    {
        auto db = Database::open(other);
        BOOST_REQUIRE(db->exec("CREATE TABLE customers (name TEXT)"));
    }
    auto foreign = SqliteStore::open(other, k_busy);
    BOOST_REQUIRE(!foreign);
    BOOST_TEST(foreign.error().to_string() ==
               other.string() + " is a SQLite database of another program; point store.path at "
                                "musubi's database, or at a new file");
    BOOST_TEST(!has_table(other, "facts"));
}

BOOST_AUTO_TEST_CASE(a_crash_in_the_middle_of_a_migration_leaves_the_old_version) {
    TempDir dir;
    const auto file = dir / "musubi.db";
    { BOOST_REQUIRE(SqliteStore::open(file, k_busy)); }

    // The child runs the next migration for real and is killed by SIGKILL half-way through
    // it: after the migration has created a table and written a row, before it commits.
    const pid_t child = ::fork();
    BOOST_REQUIRE(child >= 0);
    if (child == 0) {
        auto db = Database::open(file);
        sqlite3_create_function(
            db->handle(), "crash_now", 0, SQLITE_UTF8, nullptr,
            [](sqlite3_context*, int, sqlite3_value**) { ::raise(SIGKILL); }, nullptr, nullptr);
        (void)migrate(*db, with_extra("CREATE TABLE half_done (x); INSERT INTO half_done "
                                      "VALUES (1); SELECT crash_now();"));
        ::_exit(0); // reached only if the migration did not crash
    }
    int status = 0;
    BOOST_REQUIRE(::waitpid(child, &status, 0) == child);
    BOOST_REQUIRE(WIFSIGNALED(status));
    BOOST_TEST(WTERMSIG(status) == SIGKILL);

    auto reopened = SqliteStore::open(file, k_busy);
    BOOST_REQUIRE(reopened);
    BOOST_TEST((*reopened)->info().schema_version == latest());
    BOOST_TEST((*reopened)->info().migrated_from == latest());
    BOOST_TEST(!has_table(file, "half_done"));
    reopened->reset();

    // The same migration, without the crash, then applies cleanly.
    auto retried =
        SqliteStore::open(file, k_busy, k_clock, with_extra("CREATE TABLE half_done (x);"));
    BOOST_REQUIRE(retried);
    BOOST_TEST((*retried)->info().schema_version == latest() + 1);
}

BOOST_AUTO_TEST_CASE(a_failing_migration_is_rolled_back_with_a_clear_error) {
    TempDir dir;
    const auto file = dir / "musubi.db";
    { BOOST_REQUIRE(SqliteStore::open(file, k_busy)); }
    auto failed = SqliteStore::open(file, k_busy, k_clock,
                                    with_extra("CREATE TABLE ok_part (x); SELECT * FROM nowhere;"));
    BOOST_REQUIRE(!failed);
    BOOST_TEST(failed.error().message.starts_with("migration " + std::to_string(latest() + 1) +
                                                  " (a later version's table) failed: "));
    BOOST_TEST(failed.error().message.ends_with("the database stays at schema version " +
                                                std::to_string(latest())));
    BOOST_TEST(!has_table(file, "ok_part"));
}

// The /metrics counts come from row_counts (schema 5), kept by triggers: after the migration
// counts what a version-4 file holds, every later insert, state change and purge keeps them
// equal to what counting the tables says.
BOOST_AUTO_TEST_CASE(row_counts_follow_the_outbox_and_facts_from_a_version_4_file_on) {
    TempDir dir;
    const auto file = dir / "musubi.db";
    const std::vector<Migration> up_to_4(migrations().begin(), migrations().begin() + 4);
    BOOST_REQUIRE(up_to_4.back().version == 4);
    {
        auto old = SqliteStore::open(file, k_busy, k_clock, up_to_4);
        BOOST_REQUIRE(old);
        BOOST_REQUIRE((*old)->record_fact({"k:1", "order.placed", "1", 1, "{}"}));
        BOOST_REQUIRE((*old)->record_fact({"k:2", "order.placed", "2", 1, "{}"}));
        BOOST_REQUIRE((*old)->record_fact({"k:3", "order.shipped", "1", 1, "{}"}));
        auto db = Database::open(file);
        BOOST_REQUIRE(db);
        BOOST_REQUIRE(db->exec(
            "INSERT INTO outbox (retry_key, payload, state, due_at, created_at, updated_at) "
            "VALUES ('r1', '{}', 'sent', 0, 0, 0), ('r2', '{}', 'sent', 0, 0, 0), "
            "('r3', '{}', 'pending', 0, 0, 0), ('r4', '{}', 'failed', 0, 0, 0)"));
    }
    auto store = SqliteStore::open(file, k_busy, k_clock);
    BOOST_REQUIRE_MESSAGE(store, (store ? "" : store.error().to_string()));
    BOOST_TEST((*store)->info().migrated_from == 4);
    const auto counted = [&] {
        const auto c = *(*store)->outbox().counts();
        return std::to_string(c.pending) + " pending, " + std::to_string(c.sending) + " sending, " +
               std::to_string(c.sent) + " sent, " + std::to_string(c.failed) + " failed, " +
               std::to_string(c.skipped) + " skipped, " + std::to_string(c.expired) + " expired";
    };
    const auto facts = [&] {
        std::string text;
        const auto by_kind = (*store)->facts_by_kind();
        BOOST_REQUIRE(by_kind);
        for (const auto& [kind, n] : *by_kind) {
            text += kind + "=" + std::to_string(n) + " ";
        }
        return text;
    };
    BOOST_TEST(counted() == "1 pending, 0 sending, 2 sent, 1 failed, 0 skipped, 0 expired");
    BOOST_TEST(facts() == "order.placed=2 order.shipped=1 ");

    auto db = Database::open(file);
    BOOST_REQUIRE(db);
    BOOST_REQUIRE(db->exec("INSERT INTO outbox (retry_key, payload, due_at, created_at, "
                           "updated_at) VALUES ('r5', '{}', 0, 0, 0)"));
    BOOST_REQUIRE(db->exec("UPDATE outbox SET state = 'sending' WHERE retry_key = 'r3'"));
    BOOST_REQUIRE(db->exec("UPDATE outbox SET state = 'sending' WHERE retry_key = 'r3'"));
    BOOST_REQUIRE(db->exec("UPDATE outbox SET attempts = 2 WHERE retry_key = 'r4'"));
    BOOST_REQUIRE(db->exec("UPDATE outbox SET state = 'skipped' WHERE retry_key = 'r5'"));
    BOOST_REQUIRE(db->exec("DELETE FROM outbox WHERE retry_key IN ('r1', 'r4')"));
    BOOST_TEST(counted() == "0 pending, 1 sending, 1 sent, 0 failed, 1 skipped, 0 expired");
    BOOST_TEST(query_text(file, "SELECT group_concat(state || n) FROM (SELECT state, count(*) AS "
                                "n FROM outbox GROUP BY state ORDER BY state)") ==
               "sending1,sent1,skipped1");

    BOOST_REQUIRE((*store)->record_fact({"k:4", "friend.followed", "U1", 1, "{}"}));
    BOOST_REQUIRE((*store)->record_fact({"k:4", "friend.followed", "U1", 1, "{}"})); // duplicate
    BOOST_REQUIRE(db->exec("DELETE FROM facts WHERE kind = 'order.shipped'"));
    BOOST_TEST(facts() == "friend.followed=1 order.placed=2 ");
}

BOOST_AUTO_TEST_CASE(a_fact_is_recorded_once_by_its_natural_key) {
    TempDir dir;
    auto store = SqliteStore::open(dir / "musubi.db", k_busy);
    BOOST_REQUIRE(store);
    const NewFact fact{"rakuten:order:123456-20261122-0000000001:shipped", "order.shipped",
                       "123456-20261122-0000000001", 1'790'000'000'000, R"({"carrier":"1001"})"};
    BOOST_TEST((*(*store)->record_fact(fact) == Recorded::inserted));
    BOOST_TEST((*(*store)->record_fact(fact) == Recorded::duplicate));
    BOOST_TEST(*(*store)->count_facts("order.shipped") == 1);
}

BOOST_AUTO_TEST_CASE(cursors_survive_reopening) {
    TempDir dir;
    const auto file = dir / "musubi.db";
    {
        auto store = SqliteStore::open(file, k_busy);
        BOOST_REQUIRE(store);
        BOOST_TEST(!(*(*store)->cursor("rakuten:order_date")).has_value());
        BOOST_REQUIRE((*store)->set_cursor("rakuten:order_date", "2026-11-22T10:00:00+0900"));
        BOOST_REQUIRE((*store)->set_cursor("rakuten:order_date", "2026-11-22T10:05:00+0900"));
    }
    auto store = SqliteStore::open(file, k_busy);
    BOOST_REQUIRE(store);
    BOOST_TEST(**(*store)->cursor("rakuten:order_date") == "2026-11-22T10:05:00+0900");
}

BOOST_AUTO_TEST_SUITE_END()
