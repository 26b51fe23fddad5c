// Review CSVs exported by musubi-sim exactly as RMS writes them (CP932, UTF-8, UTF-8 with BOM;
// quoted bodies with commas, quotes and line breaks) dropped into a folder that the ReviewDrop
// thread watches: every review becomes one review.posted fact in the SQLite file, files end
// in done/, re-exports add nothing, and reviews that came before their orders join them once
// the order poller has stored the orders.

#include <cstdio>
#include <map>
#include <set>
#include <thread>

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "daemon/rakuten/order_poller.hpp"
#include "daemon/reviews/review_drop.hpp"
#include "daemon/store/sqlite/sqlite_store.hpp"
#include "support/sim_process.hpp"
#include "support/store_query.hpp"
#include "support/temp_dir.hpp"

using namespace musubi;
using namespace std::chrono_literals;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

constexpr const char* k_secret = test::k_rms_service_secret;
constexpr const char* k_key = test::k_rms_license_key;

struct Fixture {
    test::SimProcess sim{test::rakuten_scenario(21, "")};
    test::TempDir dir;
    fs::path drop = dir / "drop";
    std::unique_ptr<store::sqlite::SqliteStore> store;
    std::unique_ptr<reviews::ReviewDrop> watcher;

    Fixture() {
        auto opened = store::sqlite::SqliteStore::open(dir / "musubi.db", 2000ms);
        BOOST_REQUIRE_MESSAGE(opened.has_value(),
                              (opened ? std::string() : opened.error().to_string()));
        store = std::move(*opened);
        // Old orders, all shipped or further by now, for the reviews to be about.
        sim.control_post("/_sim/rakuten/orders/generate", {{"count", 60}, {"days", 20}});
        sim.control_post("/_sim/clock", {{"speed", 0}});
        watcher = std::make_unique<reviews::ReviewDrop>(store->reviews());
        config::ReviewsConfig config;
        config.drop_dir = drop;
        config.scan_interval = 20ms;
        watcher->reload(config, std::make_shared<clock::SystemClock>());
    }
    ~Fixture() { watcher->stop(); }

    json export_reviews(const json& body) const {
        json request = body;
        request["directory"] = drop.string();
        return sim.control_post("/_sim/rakuten/reviews/export", request);
    }

    std::vector<std::string> column(const std::string& sql) const {
        return test::column(dir / "musubi.db", sql);
    }
    std::string value(const std::string& sql) const {
        const auto values = column(sql);
        BOOST_REQUIRE(!values.empty());
        return values.front();
    }

    bool wait_done(const std::string& file) const {
        const auto end = std::chrono::steady_clock::now() + 15s;
        while (std::chrono::steady_clock::now() < end) {
            if (fs::exists(drop / "done" / file) || fs::exists(drop / "rejected" / file)) {
                // The move comes after the commit: the reviews are in the store by now.
                return fs::exists(drop / "done" / file);
            }
            std::this_thread::sleep_for(20ms);
        }
        return false;
    }
};

// Review identity as the simulator makes them: one item review (the order's first item) or
// one shop review per order.
std::set<std::string> review_ids(const json& answer) {
    std::set<std::string> ids;
    for (const auto& review : answer["reviews"]) {
        ids.insert(review["orderNumber"].get<std::string>() + "/" +
                   review["reviewType"].get<std::string>());
    }
    return ids;
}

} // namespace

BOOST_AUTO_TEST_SUITE(review_import)

BOOST_AUTO_TEST_CASE(every_encoding_becomes_review_facts) {
    Fixture f;
    std::set<std::string> expected;
    std::map<std::string, json> by_order;
    for (const char* encoding : {"cp932", "utf-8", "utf-8-bom"}) {
        const std::string file = std::string("reviews-") + encoding + ".csv";
        const auto answer =
            f.export_reviews({{"encoding", encoding}, {"count", 8}, {"file", file}});
        BOOST_TEST(answer["encoding"] == encoding);
        BOOST_REQUIRE_MESSAGE(f.wait_done(file), file + " was not imported");
        BOOST_TEST(!fs::exists(f.drop / "done" / (file + ".rejected.txt")));
        for (const auto& id : review_ids(answer)) {
            expected.insert(id);
        }
        for (const auto& review : answer["reviews"]) {
            // An order reviewed in two exports keeps what the first import stored.
            by_order.emplace(review["orderNumber"].get<std::string>(), review);
        }
    }
    const auto subjects = f.column("SELECT subject FROM facts WHERE kind = 'review.posted'");
    BOOST_TEST(subjects.size() == expected.size());
    BOOST_TEST(f.value("SELECT count(*) FROM reviews") == std::to_string(expected.size()));
    // Rating, type and item name as the simulator wrote them, in any encoding.
    for (const auto& [number, review] : by_order) {
        const auto payload = json::parse(
            f.value("SELECT payload FROM facts WHERE kind = 'review.posted' AND subject = '" +
                    number + "'"));
        BOOST_TEST(payload["rating"] == review["rating"]);
        BOOST_TEST(payload["item_name"] == review["itemName"]);
        BOOST_TEST(payload["review_type"] == "item");
        BOOST_TEST(payload.size() == 3u); // no title, no body
    }
}

BOOST_AUTO_TEST_CASE(a_reexport_adds_nothing_and_shop_reviews_are_their_own) {
    Fixture f;
    const auto first = f.export_reviews({{"count", 10}, {"file", "week1.csv"}});
    BOOST_REQUIRE(f.wait_done("week1.csv"));
    std::vector<std::string> numbers;
    for (const auto& review : first["reviews"]) {
        numbers.push_back(review["orderNumber"].get<std::string>());
    }
    const auto count = f.value("SELECT count(*) FROM facts WHERE kind = 'review.posted'");
    // The same orders exported again (a later, overlapping export), in UTF-8 this time.
    f.export_reviews({{"orderNumbers", numbers}, {"encoding", "utf-8"}, {"file", "week2.csv"}});
    BOOST_REQUIRE(f.wait_done("week2.csv"));
    BOOST_TEST(f.value("SELECT count(*) FROM facts WHERE kind = 'review.posted'") == count);
    // The same file dropped again under its old name keeps both copies in done/.
    fs::copy_file(f.drop / "done/week1.csv", f.dir / "week1.csv");
    fs::rename(f.dir / "week1.csv", f.drop / "week1.csv");
    BOOST_REQUIRE(f.wait_done("week1-2.csv"));
    BOOST_TEST(f.value("SELECT count(*) FROM facts WHERE kind = 'review.posted'") == count);
    // Shop reviews of the same orders are other reviews.
    f.export_reviews(
        {{"orderNumbers", std::vector<std::string>(numbers.begin(), numbers.begin() + 3)},
         {"shopReview", true},
         {"file", "shop.csv"}});
    BOOST_REQUIRE(f.wait_done("shop.csv"));
    BOOST_TEST(f.value("SELECT count(*) FROM reviews WHERE review_type = 'shop'") == "3");
}

BOOST_AUTO_TEST_CASE(reviews_before_their_orders_join_when_the_orders_arrive) {
    Fixture f;
    const auto answer = f.export_reviews({{"count", 6}, {"file", "early.csv"}});
    BOOST_REQUIRE(f.wait_done("early.csv"));
    BOOST_TEST(f.value("SELECT count(*) FROM orders") == "0");
    const auto reviews = f.value("SELECT count(*) FROM facts WHERE kind = 'review.posted'");
    BOOST_TEST(reviews == std::to_string(review_ids(answer).size()));

    rakuten_poller::PollerOptions options;
    options.rakuten.enabled = true;
    options.rakuten.base_url = f.sim.api_url();
    options.rakuten.timeout = 3000ms;
    options.rakuten.overlap = 10min;
    options.rakuten.backfill_horizon = 0ms;
    options.hashing_key = "0123456789abcdef0123456789abcdef";
    options.retry = rakuten::RetryPolicy{2, 10ms, 50ms};
    rakuten::RmsClient client({options.rakuten.base_url, 3000ms, 1ms, options.retry},
                              {k_secret, k_key});
    const log::Logger logger("rakuten");
    rakuten_poller::OrderSync sync(*f.store, options, client, logger);
    BOOST_REQUIRE(sync.poll().has_value());
    // Every review fact now finds its order by number; none was recorded twice.
    BOOST_TEST(f.value("SELECT count(*) FROM facts f JOIN orders o ON o.source = 'rakuten' AND "
                       "o.order_number = f.subject WHERE f.kind = 'review.posted'") == reviews);
    BOOST_TEST(f.value("SELECT count(*) FROM facts WHERE kind = 'review.posted'") == reviews);
}

BOOST_AUTO_TEST_CASE(exports_shaped_as_rms_writes_them_repeats_and_the_size_cap) {
    Fixture f;
    // Every field quoted, no leading zeros, newest first, one row in four repeated: each
    // review is recorded once and the repeats cost nothing.
    const auto repeated = f.export_reviews(
        {{"count", 12}, {"repeatEvery", 4}, {"encoding", "utf-8"}, {"file", "repeats.csv"}});
    BOOST_TEST(repeated["rows"] == 15);
    BOOST_REQUIRE(f.wait_done("repeats.csv"));
    BOOST_TEST(!fs::exists(f.drop / "done" / "repeats.csv.rejected.txt"));
    BOOST_TEST(f.value("SELECT count(*) FROM reviews") ==
               std::to_string(review_ids(repeated).size()));
    BOOST_TEST(f.value("SELECT reviews || ' ' || near_cap FROM review_exports WHERE file = "
                       "'repeats.csv'") == std::to_string(review_ids(repeated).size()) + " 0");

    // A big export (long bodies stand in for thousands of reviews) that RMS cut at 1.2 MB:
    // musubi notes that older reviews may be missing, with the oldest review it read.
    const auto big = f.export_reviews({{"count", 60},
                                       {"body", std::string(40'000, 'x')},
                                       {"encoding", "utf-8"},
                                       {"file", "big.csv"}});
    BOOST_TEST(big["droppedByCap"].get<int>() > 0);
    BOOST_TEST(big["bytes"].get<std::size_t>() >= rakuten::k_review_export_near_cap_bytes);
    BOOST_REQUIRE(f.wait_done("big.csv"));
    BOOST_TEST(f.value("SELECT near_cap FROM review_exports WHERE file = 'big.csv'") == "1");
    // The oldest review read is the file's last row (newest first).
    const auto last = big["reviews"].back()["postedAt"].get<std::string>();
    int year = 0, month = 0, day = 0;
    BOOST_REQUIRE(std::sscanf(last.c_str(), "%d/%d/%d", &year, &month, &day) == 3);
    char date[16];
    std::snprintf(date, sizeof date, "%04d-%02d-%02d", year, month, day);
    const auto oldest =
        std::stoll(f.value("SELECT oldest_posted_at FROM review_exports WHERE file = 'big.csv'"));
    BOOST_TEST(reviews::jst_date(oldest) == date);
    auto status = f.store->status_report().read();
    BOOST_REQUIRE(status.has_value());
    BOOST_REQUIRE(status->last_review_export.has_value());
    BOOST_TEST(status->last_review_export->near_cap);
    BOOST_TEST(status->last_review_export->file == "big.csv");
}

BOOST_AUTO_TEST_SUITE_END()
