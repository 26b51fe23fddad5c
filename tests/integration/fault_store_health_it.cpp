// The store's write health (daemon/store/sqlite/database.hpp): a write SQLite refuses because
// the disk is full marks the store not writable for the whole process, gives the StoreError an
// operator's hint, and shows in /metrics; the first write that commits afterwards marks it
// writable again. The disk is made "full" here with SQLite's max_page_count, which returns the
// same SQLITE_FULL a full disk does (it.fault_store fills a real tmpfs and makes a real file
// immutable, as root).

#include <thread>

#include <boost/test/unit_test.hpp>

#include "daemon/admin/metrics.hpp"
#include "daemon/store/sqlite/database.hpp"
#include "support/temp_dir.hpp"

namespace sqlite = musubi::store::sqlite;

namespace {

sqlite::Database open_small(const std::filesystem::path& path) {
    auto db = sqlite::open_connection(path, std::chrono::milliseconds(1000));
    BOOST_REQUIRE(db);
    BOOST_REQUIRE(db->exec("PRAGMA journal_mode = WAL"));
    BOOST_REQUIRE(db->exec("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL)"));
    return std::move(*db);
}

std::string problem() {
    return sqlite::write_problem_name(sqlite::write_health().problem);
}

// Inserts rows of 2 KB until SQLite refuses one; returns that refusal.
musubi::store::StoreError fill(sqlite::Database& db) {
    auto insert = db.prepare("INSERT INTO t (body) VALUES (?1)");
    BOOST_REQUIRE(insert);
    const std::string body(2048, 'x');
    for (int i = 0; i < 10000; ++i) {
        auto tx = sqlite::Transaction::begin(db);
        if (!tx) {
            return tx.error();
        }
        insert->bind(1, body);
        if (auto done = insert->run(); !done) {
            return done.error();
        }
        if (auto committed = tx->commit(); !committed) {
            return committed.error();
        }
    }
    BOOST_FAIL("10,000 inserts of 2 KB went in under max_page_count");
    return {};
}

} // namespace

BOOST_AUTO_TEST_CASE(a_full_disk_is_reported_once_and_its_end_too) {
    musubi::test::TempDir dir;
    sqlite::reset_write_health();
    auto db = open_small(dir.path() / "musubi.db");
    BOOST_REQUIRE(db.exec("PRAGMA max_page_count = 64"));
    BOOST_TEST(problem() == "none");
    BOOST_TEST(musubi::admin::render_metrics({}).find("\nmusubi_store_writable 1\n") !=
               std::string::npos);

    const auto refused = fill(db);
    BOOST_TEST(refused.message.find("database or disk is full") != std::string::npos,
               refused.message);
    BOOST_TEST(refused.hint.find("free space on the disk that holds the store") !=
                   std::string::npos,
               refused.hint);
    auto health = sqlite::write_health();
    BOOST_TEST(std::string(sqlite::write_problem_name(health.problem)) == "disk_full");
    BOOST_TEST(health.refused_writes >= 1);
    const auto metrics = musubi::admin::render_metrics({});
    BOOST_TEST(metrics.find("\nmusubi_store_writable{problem=\"disk_full\"} 0\n") !=
                   std::string::npos,
               metrics);
    BOOST_TEST(metrics.find("\nmusubi_store_refused_writes_total " +
                            std::to_string(health.refused_writes) + "\n") != std::string::npos);

    // Space returns; a write that commits a second after the last refusal ends the episode.
    BOOST_REQUIRE(db.exec("PRAGMA max_page_count = 100000"));
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    auto tx = sqlite::Transaction::begin(db);
    BOOST_REQUIRE(tx);
    BOOST_REQUIRE(db.exec("INSERT INTO t (body) VALUES ('after')"));
    BOOST_REQUIRE(tx->commit());
    health = sqlite::write_health();
    BOOST_TEST(std::string(sqlite::write_problem_name(health.problem)) == "none");
    BOOST_TEST(musubi::admin::render_metrics({}).find("\nmusubi_store_writable 1\n") !=
               std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_transaction_that_wrote_nothing_does_not_end_the_episode) {
    musubi::test::TempDir dir;
    sqlite::reset_write_health();
    auto db = open_small(dir.path() / "musubi.db");
    BOOST_REQUIRE(db.exec("PRAGMA max_page_count = 64"));
    (void)fill(db);
    BOOST_REQUIRE(problem() == "disk_full");
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    // BEGIN IMMEDIATE and COMMIT with nothing written succeed on a full disk: not a sign.
    auto tx = sqlite::Transaction::begin(db);
    BOOST_REQUIRE(tx);
    BOOST_REQUIRE(tx->commit());
    BOOST_TEST(problem() == "disk_full");
}
