// The Rakuten order poller against musubi-sim with real SQLite files: the order lifecycle
// gives exactly one placed/shipped/cancelled fact per order however often it is polled, the
// backfill horizon keeps old orders quiet, a restart neither loses nor repeats facts, and a
// 401 pauses polling until a reload brings a new license key. RMS as it really behaves: a
// backfill under 403 throttling, the daily sweep that finds late cancellations, and a day of
// more than 15,000 orders behind a total that stops counting at 15,000.

#include <algorithm>
#include <functional>
#include <map>
#include <set>
#include <thread>

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "daemon/rakuten/order_poller.hpp"
#include "daemon/store/sqlite/sqlite_store.hpp"
#include "support/sim_process.hpp"
#include "support/store_query.hpp"
#include "support/temp_dir.hpp"

using namespace musubi;
using namespace musubi::rakuten_poller;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

constexpr const char* k_secret = test::k_rms_service_secret;
constexpr const char* k_key = test::k_rms_license_key;

struct Fixture {
    test::SimProcess sim{test::rakuten_scenario(11)};
    test::TempDir dir;
    std::unique_ptr<store::sqlite::SqliteStore> store;
    log::Logger logger{"rakuten"};

    // The simulator's clock stands still, so that no order moves on by itself while a test
    // compares the store with it.
    Fixture() {
        sim.control_post("/_sim/clock", {{"speed", 0}});
        open();
    }

    void open() {
        store.reset();
        auto opened = store::sqlite::SqliteStore::open(dir / "musubi.db", 2000ms);
        BOOST_REQUIRE_MESSAGE(opened.has_value(),
                              (opened ? std::string() : opened.error().to_string()));
        store = std::move(*opened);
    }

    PollerOptions options(const std::string& license_key = k_key) const {
        PollerOptions options;
        options.rakuten.enabled = true;
        options.rakuten.base_url = sim.api_url();
        options.rakuten.service_secret = config::Secret(k_secret, "test");
        options.rakuten.license_key = config::Secret(license_key, "test");
        options.rakuten.poll_interval = 100ms;
        options.rakuten.request_interval = 1ms;
        options.rakuten.timeout = 3000ms;
        options.rakuten.overlap = 10min;
        options.rakuten.backfill_horizon = 48h;
        options.hashing_key = "0123456789abcdef0123456789abcdef";
        auto carriers = Carriers::load(std::filesystem::path(std::getenv("MUSUBI_SOURCE_DIR")) /
                                       "config/carriers.yaml");
        BOOST_REQUIRE(carriers);
        options.carriers = *carriers;
        options.retry = rakuten::RetryPolicy{2, 10ms, 50ms};
        return options;
    }

    // One poll with these options through a fresh client, and what the client met.
    struct Polled {
        PollCounts counts;
        int requests = 0;
        int throttled = 0; // 403s met
        int episodes = 0;
        int throttle_notices = 0;
    };
    Polled poll_with(const PollerOptions& opts) {
        rakuten::RmsClient client({opts.rakuten.base_url, opts.rakuten.timeout,
                                   opts.rakuten.request_interval, opts.retry},
                                  {k_secret, k_key});
        Polled polled;
        client.set_throttle_observer(
            [&](const rakuten::ThrottleNotice&) { ++polled.throttle_notices; });
        OrderSync sync(*store, opts, client, logger);
        auto counts = sync.poll();
        BOOST_REQUIRE_MESSAGE(counts.has_value(),
                              (counts ? std::string() : counts.error().message));
        polled.counts = *counts;
        polled.requests = client.requests_sent();
        polled.throttled = client.throttled();
        polled.episodes = client.throttle_episodes();
        return polled;
    }

    // Sets the simulator's clock and returns the same instant for the poller.
    rakuten::TimePoint set_clock(rakuten::TimePoint at) const {
        sim.control_post("/_sim/clock", {{"set", rakuten::format_rms_datetime(at)}});
        return at;
    }
    rakuten::TimePoint sim_now() const {
        const auto ms = sim.control_get("/_sim/clock")["epoch_ms"].get<std::int64_t>();
        return rakuten::TimePoint(std::chrono::seconds(ms / 1000));
    }

    PollCounts poll() {
        const auto opts = options();
        rakuten::RmsClient client({opts.rakuten.base_url, opts.rakuten.timeout, 1ms, opts.retry},
                                  {k_secret, k_key});
        OrderSync sync(*store, opts, client, logger);
        auto counts = sync.poll();
        BOOST_REQUIRE_MESSAGE(counts.has_value(),
                              (counts ? std::string() : counts.error().message));
        return *counts;
    }

    std::string add_order(const json& body = json::object()) const {
        return sim.control_post("/_sim/rakuten/orders", body)["orderNumber"].get<std::string>();
    }
    void move(const std::string& number, const json& body) const {
        sim.control_post("/_sim/rakuten/orders/" + number + "/progress", body);
    }
    std::map<std::string, json> sim_orders() const {
        // Kept in a variable: a range-for over a temporary's member would dangle.
        const json answer = sim.control_get("/_sim/rakuten/orders?limit=100000");
        std::map<std::string, json> all;
        for (const auto& summary : answer["orders"]) {
            all[summary["orderNumber"].get<std::string>()] = summary;
        }
        return all;
    }

    // One column of a query on a separate connection.
    std::vector<std::string> column(const std::string& sql) const {
        return test::column(dir / "musubi.db", sql);
    }
    std::set<std::string> subjects(const std::string& kind) const {
        const auto values =
            column("SELECT subject FROM facts WHERE kind = '" + kind + "' ORDER BY subject");
        BOOST_TEST(std::set<std::string>(values.begin(), values.end()).size() == values.size());
        return {values.begin(), values.end()};
    }
    std::set<std::string> sim_numbers(const std::function<bool(const json&)>& keep) const {
        std::set<std::string> numbers;
        for (const auto& [number, summary] : sim_orders()) {
            if (keep(summary)) {
                numbers.insert(number);
            }
        }
        return numbers;
    }
};

bool shipped(const json& summary) {
    const int progress = summary["orderProgress"].get<int>();
    return progress >= 500 && progress <= 700;
}
bool cancelled(const json& summary) {
    return summary["orderProgress"].get<int>() == 900;
}
bool any(const json&) {
    return true;
}

template <typename Predicate>
bool eventually(Predicate predicate, std::chrono::milliseconds limit = 10s) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < end) {
        if (predicate()) {
            return true;
        }
        std::this_thread::sleep_for(20ms);
    }
    return predicate();
}

} // namespace

BOOST_AUTO_TEST_SUITE(rakuten_poller)

BOOST_AUTO_TEST_CASE(lifecycle_gives_each_fact_once) {
    Fixture f;
    std::vector<std::string> numbers;
    for (int i = 0; i < 12; ++i) {
        // Every third order is by the same repeat buyer.
        numbers.push_back(i % 3 == 0 ? f.add_order({{"buyer", {{"phone", "090-1111-2222"}}}})
                                     : f.add_order());
    }
    auto counts = f.poll();
    BOOST_TEST(counts.placed == 12);
    BOOST_TEST(f.poll().placed == 0);

    for (int i = 0; i < 6; ++i) {
        f.move(numbers[static_cast<std::size_t>(i)],
               {{"progress", 500},
                {"deliveryCompany", "1002"},
                {"shippingNumber", "5555000" + std::to_string(i)}});
    }
    f.move(numbers[6], {{"progress", 900}});
    f.move(numbers[7], {{"progress", 900}});
    f.move(numbers[8], {{"progress", 800}});
    for (int i = 0; i < 3; ++i) {
        f.poll();
    }
    f.move(numbers[0], {{"progress", 700}});
    f.move(numbers[8], {{"progress", 900}});
    for (int i = 0; i < 2; ++i) {
        f.poll();
    }

    BOOST_TEST(f.subjects("order.placed") == f.sim_numbers(any));
    BOOST_TEST(f.subjects("order.shipped") == f.sim_numbers(shipped));
    BOOST_TEST(f.subjects("order.cancelled") == f.sim_numbers(cancelled));
    BOOST_TEST(f.subjects("order.shipped").size() == 6u);
    BOOST_TEST(f.subjects("order.cancelled").size() == 3u);

    const auto payload = json::parse(f.column("SELECT payload FROM facts WHERE natural_key = "
                                              "'rakuten:order:" +
                                              numbers[1] + ":shipped'")
                                         .at(0));
    BOOST_TEST(payload["carrier"]["code"] == "1002");
    BOOST_TEST(payload["carrier"]["name"] == "佐川急便");
    BOOST_TEST(payload["carrier"]["tracking_number"] == "55550001");
    BOOST_TEST(payload["carrier"]["tracking_url"].get<std::string>().find("okurijoNo=55550001") !=
               std::string::npos);
    BOOST_TEST(payload["total"].is_number());
    BOOST_TEST(payload["items"].size() >= 1u);

    // Four orders by one buyer: one buyer row for them, and no personal data anywhere.
    BOOST_TEST(f.column("SELECT count(DISTINCT buyer_id) FROM orders WHERE order_number IN ('" +
                        numbers[0] + "','" + numbers[3] + "','" + numbers[6] + "','" + numbers[9] +
                        "')")
                   .at(0) == "1");
    // No e-mail address (nor anything else of the orderer) in any payload.
    BOOST_TEST(f.column("SELECT count(*) FROM facts WHERE payload LIKE '%@%'").at(0) == "0");
    BOOST_TEST(f.column("SELECT count(*) FROM facts WHERE processed_at IS NOT NULL").at(0) == "0");
}

BOOST_AUTO_TEST_CASE(orders_older_than_the_horizon_only_build_the_picture) {
    Fixture f;
    f.sim.control_post("/_sim/rakuten/orders/generate", {{"count", 40}, {"days", 20}});
    const auto recent = f.add_order();
    const auto counts = f.poll();
    BOOST_TEST(counts.placed == 41);
    BOOST_TEST(counts.backfilled > 20);

    const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    const auto horizon_ms = now_ms - 48LL * 3600 * 1000;
    const auto quiet = f.column("SELECT order_number FROM orders WHERE triggers = 0");
    const auto loud = f.column("SELECT order_number FROM orders WHERE triggers = 1");
    BOOST_TEST(quiet.size() + loud.size() == f.sim_orders().size());
    BOOST_TEST((std::find(loud.begin(), loud.end(), recent) != loud.end()));
    for (const auto& number : quiet) {
        BOOST_TEST(
            f.column("SELECT ordered_at FROM orders WHERE order_number = '" + number + "'").at(0) <
            std::to_string(horizon_ms));
    }
    // Facts of quiet orders are recorded already processed; the engine never sees them.
    BOOST_TEST(f.column("SELECT count(*) FROM facts f JOIN orders o ON o.order_number = f.subject "
                        "WHERE o.triggers = 0 AND f.processed_at IS NULL")
                   .at(0) == "0");
    BOOST_TEST(f.column("SELECT count(*) FROM facts f JOIN orders o ON o.order_number = f.subject "
                        "WHERE o.triggers = 1 AND f.processed_at IS NULL")
                   .at(0) != "0");
    BOOST_TEST(f.subjects("order.shipped") == f.sim_numbers(shipped));
    BOOST_TEST(f.subjects("order.cancelled") == f.sim_numbers(cancelled));
}

BOOST_AUTO_TEST_CASE(restart_neither_loses_nor_repeats_facts) {
    Fixture f;
    std::vector<std::string> numbers;
    for (int i = 0; i < 6; ++i) {
        numbers.push_back(f.add_order());
    }
    {
        OrderPoller poller(*f.store);
        poller.reload(f.options());
        BOOST_REQUIRE(eventually([&] { return poller.polls() >= 2; }));
        poller.stop();
    }
    BOOST_TEST(f.subjects("order.placed").size() == 6u);
    BOOST_TEST(!f.column("SELECT value FROM cursors WHERE name = 'rakuten:orders.placed'").empty());

    // While musubi is down: new orders, shipments and a cancellation.
    f.open();
    numbers.push_back(f.add_order());
    f.move(numbers[0], {{"progress", 500}});
    f.move(numbers[1], {{"progress", 600}});
    f.move(numbers[2], {{"progress", 900}});
    {
        OrderPoller poller(*f.store);
        poller.reload(f.options());
        BOOST_REQUIRE(eventually([&] { return poller.polls() >= 3; }));
        const auto started = std::chrono::steady_clock::now();
        poller.stop();
        BOOST_TEST((std::chrono::steady_clock::now() - started < 1s));
    }
    BOOST_TEST(f.subjects("order.placed") == f.sim_numbers(any));
    BOOST_TEST(f.subjects("order.shipped") == f.sim_numbers(shipped));
    BOOST_TEST(f.subjects("order.cancelled") == f.sim_numbers(cancelled));
    BOOST_TEST(f.subjects("order.shipped").size() == 2u);
}

BOOST_AUTO_TEST_CASE(unauthorized_pauses_until_a_reload_brings_a_new_key) {
    Fixture f;
    f.add_order();
    OrderPoller poller(*f.store);
    poller.reload(f.options());
    BOOST_REQUIRE(eventually([&] { return poller.polls() >= 1; }));
    BOOST_TEST(*f.store->count_facts("order.placed") == 1);

    f.sim.control_post("/_sim/rakuten/license/expire", json::object());
    BOOST_REQUIRE(eventually([&] { return poller.paused(); }));
    const auto requests = f.sim.control_get("/_sim/rakuten/state")["requests"].get<int>();
    std::this_thread::sleep_for(500ms);
    BOOST_TEST(f.sim.control_get("/_sim/rakuten/state")["requests"].get<int>() == requests);

    const json issued = f.sim.control_post("/_sim/rakuten/license/issue", json::object());
    f.add_order();
    poller.reload(f.options(issued["licenseKey"].get<std::string>()));
    BOOST_REQUIRE(eventually([&] { return *f.store->count_facts("order.placed") == 2; }));
    BOOST_TEST(!poller.paused());
    poller.stop();
}

BOOST_AUTO_TEST_CASE(a_20000_order_backfill_under_403_throttling_stores_every_order_once) {
    Fixture f;
    f.sim.control_post("/_sim/rakuten/limits", {{"perSecond", 20}});
    f.sim.control_post("/_sim/rakuten/orders/generate", {{"count", 20000}, {"days", 25}});
    auto opts = f.options();
    opts.rakuten.request_interval = 0ms; // as fast as RMS lets it: the 403s set the pace
    opts.retry = rakuten::RetryPolicy{5, 500ms, 4000ms};
    const auto polled = f.poll_with(opts);

    BOOST_TEST(polled.counts.placed == 20000);
    BOOST_TEST(polled.counts.problems == 0);
    BOOST_TEST(f.column("SELECT count(*) FROM facts WHERE kind = 'order.placed'").at(0) == "20000");
    BOOST_TEST(f.subjects("order.placed") == f.sim_numbers(any)); // each once
    BOOST_TEST(f.subjects("order.cancelled") == f.sim_numbers(cancelled));
    // The 403s were met (the simulator counted them), ridden through, and told once each
    // episode.
    const json limits = f.sim.control_get("/_sim/rakuten/limits");
    BOOST_TEST(limits["throttled"].get<int>() >= 1);
    BOOST_TEST(limits["throttled"].get<int>() == polled.throttled);
    BOOST_TEST(polled.episodes >= 1);
    BOOST_TEST(polled.throttle_notices == polled.episodes);
    BOOST_TEST(limits["accepted"].get<int>() + polled.throttled == polled.requests);
}

BOOST_AUTO_TEST_CASE(a_cancellation_45_days_after_the_order_is_found_by_the_daily_sweep) {
    Fixture f;
    const auto start = f.sim_now();
    const auto number =
        f.add_order({{"orderDatetime", rakuten::format_rms_datetime(start - std::chrono::days{45})},
                     {"progress", 500}});
    auto opts = f.options();
    opts.history = std::chrono::days{60};
    opts.clock = [&f] { return f.sim_now(); };

    const auto first = f.poll_with(opts);
    BOOST_TEST(first.counts.swept);
    BOOST_TEST(first.counts.placed == 1);
    BOOST_TEST(first.counts.shipped == 1);
    BOOST_TEST(f.column("SELECT value FROM cursors WHERE name = 'rakuten:cancel_sweep'") ==
               std::vector<std::string>{rakuten::format_rms_datetime(start)});

    // Cancelled 45 days after it was placed: the per-poll search of the last 30 days misses it
    // and the sweep is not due for a day.
    f.set_clock(start + 1h);
    f.move(number, {{"progress", 900}});
    const auto second = f.poll_with(opts);
    BOOST_TEST(!second.counts.swept);
    BOOST_TEST(second.counts.cancelled == 0);

    // A restart neither repeats the sweep early...
    f.open();
    f.set_clock(start + 23h);
    BOOST_TEST(!f.poll_with(opts).counts.swept);
    BOOST_TEST(f.subjects("order.cancelled").empty());

    // ...nor skips it: a day after the last one it finds the cancellation.
    f.set_clock(start + 24h);
    const auto swept = f.poll_with(opts);
    BOOST_TEST(swept.counts.swept);
    BOOST_TEST(swept.counts.cancelled == 1);
    BOOST_TEST(f.subjects("order.cancelled") == std::set<std::string>{number});

    // The next day's sweep reads only numbers: nothing is fetched again, no fact repeats.
    f.set_clock(start + 49h);
    const auto next = f.poll_with(opts);
    BOOST_TEST(next.counts.swept);
    BOOST_TEST(next.counts.fetched == 0);
    BOOST_TEST(next.counts.cancelled == 0);
    BOOST_TEST(f.column("SELECT count(*) FROM facts WHERE kind = 'order.cancelled'").at(0) == "1");
    BOOST_TEST(f.column("SELECT value FROM cursors WHERE name = 'rakuten:cancel_sweep'") ==
               std::vector<std::string>{rakuten::format_rms_datetime(start + 49h)});
}

BOOST_AUTO_TEST_CASE(a_day_of_16055_orders_is_all_stored_when_rms_stops_counting_at_15000) {
    Fixture f;
    f.sim.control_post("/_sim/rakuten/limits", {{"capTotalRecords", true}});
    const auto now = f.sim_now();
    f.sim.control_post("/_sim/rakuten/orders/generate",
                       {{"count", 16055},
                        {"from", rakuten::format_rms_datetime(now - std::chrono::days{2})},
                        {"to", rakuten::format_rms_datetime(now - std::chrono::days{1})}});
    auto opts = f.options();
    opts.clock = [now] { return now; };
    const auto polled = f.poll_with(opts);
    BOOST_TEST(polled.counts.placed == 16055);
    BOOST_TEST(polled.counts.problems == 0);
    BOOST_TEST(f.subjects("order.placed") == f.sim_numbers(any));
    // Never a page past the 15,000th hit: the walker split on the capped total.
    const json requests = f.sim.control_get("/_sim/rakuten/requests?limit=10000");
    for (const auto& request : requests["requests"]) {
        BOOST_TEST(request["status"] == 200, request.dump());
    }
}

BOOST_AUTO_TEST_SUITE_END()
