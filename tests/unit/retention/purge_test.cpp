// `musubictl purge [--dry-run]` and the worker musubid runs it with, on a real SQLite store.

#include <sstream>

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "daemon/retention/purge.hpp"
#include "daemon/store/sqlite/sqlite_store.hpp"
#include "support/manual_clock.hpp"
#include "support/temp_dir.hpp"

using namespace musubi;

namespace {

constexpr std::int64_t k_day_ms = 24LL * 60 * 60 * 1000;

std::int64_t system_now() {
    return clock::SystemClock().now_ms();
}

struct Shop {
    test::TempDir dir;
    config::Config config;

    Shop() {
        config.store.path = dir / "musubi.db";
        config.store.busy_timeout = std::chrono::milliseconds(2000);
        config.retention.orders_after = std::chrono::hours(24 * 1095);
        config.retention.unlinked_after = std::chrono::hours(24 * 30);
        config.retention.interval = std::chrono::hours(24);
        auto store =
            store::sqlite::SqliteStore::open(config.store.path, std::chrono::milliseconds(2000));
        BOOST_REQUIRE(store);
        const auto old = std::to_string(system_now() - 1200 * k_day_ms);
        const auto recent = std::to_string(system_now() - 10 * k_day_ms);
        exec("INSERT INTO orders (source, order_number, total, ordered_at, tracking_number, "
             "items, updated_at) VALUES ('rakuten', 'old-1', 3000, " +
             old + R"(, '1234', '[{"name":"むすびタオル","units":2,"price":1500}]', 0), )" +
             "('rakuten', 'new-1', 3000, " + recent +
             R"(, '1234', '[{"name":"むすびタオル","units":2,"price":1500}]', 0))");
    }

    void exec(const std::string& sql) {
        auto db = store::sqlite::Database::open(config.store.path);
        BOOST_REQUIRE(db);
        BOOST_REQUIRE_MESSAGE(db->exec(sql), sql);
    }

    std::string items(const std::string& number) {
        auto db = store::sqlite::Database::open(config.store.path);
        BOOST_REQUIRE(db);
        auto s = db->prepare("SELECT items FROM orders WHERE order_number = ?1");
        BOOST_REQUIRE(s);
        s->bind(1, number);
        BOOST_REQUIRE(*s->step());
        return s->column_text(0);
    }

    std::string out, err;
    int run(const std::vector<std::string>& words, bool json = false) {
        std::ostringstream o, e;
        const int status = retention::purge_command(config, words, json, o, e);
        out = o.str();
        err = e.str();
        return status;
    }
};

} // namespace

BOOST_AUTO_TEST_SUITE(retention_purge)

BOOST_AUTO_TEST_CASE(dry_run_counts_and_changes_nothing_then_purge_does_it) {
    Shop shop;
    BOOST_TEST(shop.run({"purge", "--dry-run"}) == 0);
    BOOST_TEST(shop.out.find("would purge (nothing was changed):\n  orders (items, tracking "
                             "numbers)   1\n") == 0U);
    BOOST_TEST(shop.items("old-1").find("むすびタオル") != std::string::npos);

    BOOST_TEST(shop.run({"purge"}, true) == 0);
    const auto doc = nlohmann::json::parse(shop.out);
    BOOST_TEST(doc["dry_run"] == false);
    BOOST_TEST(doc["orders"] == 1);
    BOOST_TEST(shop.items("old-1") == R"([{"price":1500,"units":2}])");
    BOOST_TEST(shop.items("new-1").find("むすびタオル") != std::string::npos);

    BOOST_TEST(shop.run({"purge"}, true) == 0);
    BOOST_TEST(nlohmann::json::parse(shop.out)["orders"] == 0);
}

BOOST_AUTO_TEST_CASE(unknown_words_are_a_usage_error) {
    Shop shop;
    BOOST_TEST(shop.run({"purge", "--now"}) == 2);
    BOOST_TEST(shop.err == "usage: musubictl purge [--dry-run]\n");
    BOOST_TEST(shop.items("old-1").find("むすびタオル") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(the_worker_purges_with_the_configured_periods_and_stops_at_once) {
    Shop shop;
    auto clock = std::make_shared<test::ManualClock>(system_now());
    auto store = store::sqlite::SqliteStore::open(shop.config.store.path,
                                                  std::chrono::milliseconds(2000), clock);
    BOOST_REQUIRE(store);
    retention::RetentionWorker worker((*store)->retention(), clock);
    // Started and stopped before its first run (a minute away): stop does not wait for it.
    worker.start(shop.config.retention);
    worker.stop();
    BOOST_TEST(worker.runs() == 0);
    BOOST_TEST(shop.items("old-1").find("むすびタオル") != std::string::npos);

    auto counts = worker.run_once();
    BOOST_REQUIRE(counts);
    BOOST_TEST(counts->orders == 1);
    BOOST_TEST(worker.runs() == 1);
    // A shorter period reaches the recent order too.
    auto shorter = shop.config.retention;
    shorter.orders_after = std::chrono::hours(24);
    worker.reload(shorter);
    counts = worker.run_once();
    BOOST_REQUIRE(counts);
    BOOST_TEST(counts->orders == 1);
    BOOST_TEST(shop.items("new-1") == R"([{"price":1500,"units":2}])");
}

// A reload (SIGHUP, maybe daily from log rotation) must not put the next purge off: the due
// moment counts from the last purge, whatever happened in between.
BOOST_AUTO_TEST_CASE(the_next_purge_counts_from_the_last_one_not_from_a_reload) {
    config::RetentionConfig daily;
    daily.interval = std::chrono::hours(24);
    constexpr std::int64_t hour = 3'600'000;
    const std::int64_t start = 1'000 * hour;
    BOOST_TEST(retention::next_purge_at(std::nullopt, false, start, daily) == start + 60'000);
    BOOST_TEST(retention::next_purge_at(start + 5 * hour, false, start, daily) ==
               start + 29 * hour);
    auto twice = daily;
    twice.interval = std::chrono::hours(12);
    BOOST_TEST(retention::next_purge_at(start + 5 * hour, false, start, twice) ==
               start + 17 * hour);
    BOOST_TEST(retention::next_purge_at(start + 5 * hour, true, start, daily) == start + 6 * hour);
}

BOOST_AUTO_TEST_SUITE_END()
