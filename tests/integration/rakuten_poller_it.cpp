// The Rakuten order poller against musubi-sim with real SQLite files: the order lifecycle
// gives exactly one placed/shipped/cancelled fact per order however often it is polled, the
// backfill horizon keeps old orders quiet, a restart neither loses nor repeats facts, and a
// 401 pauses polling until a reload brings a new license key.

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

BOOST_AUTO_TEST_SUITE_END()
