#include <chrono>
#include <filesystem>
#include <thread>

#include <boost/test/unit_test.hpp>

#include "daemon/store/sqlite/database.hpp"
#include "support/temp_dir.hpp"

using namespace musubi::store::sqlite;
using musubi::test::TempDir;

BOOST_AUTO_TEST_SUITE(sqlite_database)

// Statements are kept per connection for the next prepare() of the same text: what one use
// bound or stepped must not leak into the next.
BOOST_AUTO_TEST_CASE(a_kept_statement_comes_back_reset_and_without_bindings) {
    TempDir dir;
    auto db = Database::open(dir / "musubi.db");
    BOOST_REQUIRE(db);
    BOOST_REQUIRE(db->exec("CREATE TABLE t (x); INSERT INTO t VALUES (1), (2), (3)"));
    {
        auto first = db->prepare("SELECT ?1, x FROM t ORDER BY x");
        BOOST_REQUIRE(first);
        first->bind(1, std::int64_t{42});
        BOOST_REQUIRE(*first->step());
        BOOST_TEST(first->column_int64(0) == 42);
        // Ends after one row of three: its read must not stay open.
    }
    BOOST_REQUIRE(db->exec("INSERT INTO t VALUES (4)")); // would fail if a reader were stuck
    auto again = db->prepare("SELECT ?1, x FROM t ORDER BY x");
    BOOST_REQUIRE(again);
    int rows = 0;
    while (*again->step()) {
        BOOST_TEST(again->column_is_null(0)); // the 42 is gone
        ++rows;
    }
    BOOST_TEST(rows == 4);
    // Two users of the same text at once get two statements.
    auto one = db->prepare("SELECT x FROM t ORDER BY x");
    auto two = db->prepare("SELECT x FROM t ORDER BY x");
    BOOST_REQUIRE(one && two);
    BOOST_REQUIRE(*one->step());
    BOOST_REQUIRE(*two->step());
    BOOST_REQUIRE(*two->step());
    BOOST_TEST(one->column_int64(0) == 1);
    BOOST_TEST(two->column_int64(0) == 2);
}

// The log's pages reach the database file while the writer keeps its connection open (a
// checkpoint every 1,000 pages, SQLite's own: a background checkpointer was tried, and under a
// steady stream of webhooks its log never got back to the start, which cost a third of the
// intake).
BOOST_AUTO_TEST_CASE(the_write_ahead_log_reaches_the_database_file_while_connections_stay_open) {
    TempDir dir;
    const auto file = dir / "musubi.db";
    auto db = open_connection(file, std::chrono::milliseconds(1000));
    BOOST_REQUIRE(db);
    BOOST_REQUIRE(db->pragma_text("PRAGMA journal_mode = WAL"));
    BOOST_REQUIRE(db->exec("CREATE TABLE t (x)"));
    // About 1,200 pages of 4 kB in 40 commits: past the 1,000 pages that ask for a checkpoint.
    for (int commit = 0; commit < 40; ++commit) {
        BOOST_REQUIRE(db->exec("BEGIN; WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 "
                               "FROM n WHERE i < 30) INSERT INTO t SELECT randomblob(3900) FROM "
                               "n; COMMIT"));
    }
    // Until a checkpoint copies them, the pages are in musubi.db-wal only; the checkpoint of
    // the commit that passes 1,000 pages in the log copies the table's first 900 and more.
    const std::uintmax_t copied = 900 * 4096;
    for (int tries = 0; tries < 500 && std::filesystem::file_size(file) < copied; ++tries) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    BOOST_TEST(std::filesystem::file_size(file) >= copied);
    auto count = db->pragma_text("SELECT count(*) FROM t");
    BOOST_REQUIRE(count);
    BOOST_TEST(*count == "1200");
}

BOOST_AUTO_TEST_SUITE_END()
