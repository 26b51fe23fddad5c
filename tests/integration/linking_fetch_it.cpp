// Chat linking with an order the poller has not seen yet: musubi asks RMS (getOrder on the
// simulator) when the friend's digits make a check, so a friend who orders and links at once
// is not told "unknown order". An order RMS does not know either still links nothing, and a
// friend who is cooling down makes musubi ask RMS nothing. The poller never runs here:
// whatever the store holds came from the on-demand fetch.

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "daemon/linking/chat_linker.hpp"
#include "daemon/rakuten/order_fetcher.hpp"
#include "daemon/store/sqlite/sqlite_store.hpp"
#include "support/sim_process.hpp"
#include "support/temp_dir.hpp"

using namespace musubi;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

constexpr const char* k_secret = test::k_rms_service_secret;
constexpr const char* k_key = test::k_rms_license_key;
constexpr const char* k_hashing_key = "0123456789abcdef0123456789abcdef";

struct Fixture {
    test::SimProcess sim{test::rakuten_scenario(7)};
    test::TempDir dir;
    std::unique_ptr<store::sqlite::SqliteStore> store;
    std::unique_ptr<rakuten_poller::OrderFetcher> fetcher;
    std::unique_ptr<linking::ChatLinker> chat;

    Fixture() {
        sim.control_post("/_sim/clock", {{"speed", 0}});
        auto opened = store::sqlite::SqliteStore::open(dir / "musubi.db", 2000ms);
        BOOST_REQUIRE_MESSAGE(opened, (opened ? "" : opened.error().to_string()));
        store = std::move(*opened);
        exec("INSERT INTO friends (id, line_user_id, created_at, updated_at) VALUES "
             "(1, 'U0123456789abcdef0123456789abcdef', 1, 1)");

        rakuten_poller::PollerOptions options;
        options.rakuten.enabled = true;
        options.rakuten.base_url = sim.api_url();
        options.rakuten.service_secret = config::Secret(k_secret, "test");
        options.rakuten.license_key = config::Secret(k_key, "test");
        options.rakuten.request_interval = 1ms;
        options.rakuten.timeout = 3000ms;
        options.rakuten.backfill_horizon = 48h;
        options.hashing_key = k_hashing_key;
        options.clock = [this] {
            return rakuten::TimePoint(std::chrono::seconds(
                sim.control_get("/_sim/clock")["epoch_ms"].get<std::int64_t>() / 1000));
        };
        fetcher = std::make_unique<rakuten_poller::OrderFetcher>(*store);
        fetcher->reload(options);

        linking::Settings settings;
        settings.hashing_key = k_hashing_key;
        settings.shop_name = "テスト茶舗";
        settings.fetch_order = [this](std::string_view number) {
            fetcher->fetch_if_unknown(number);
        };
        chat = std::make_unique<linking::ChatLinker>(store->links(), settings, nullptr);
    }

    void exec(const std::string& sql) {
        auto db = store::sqlite::Database::open(dir / "musubi.db");
        BOOST_REQUIRE(db);
        BOOST_REQUIRE(db->exec(sql));
    }

    std::string text(const std::string& sql) {
        auto db = store::sqlite::Database::open(dir / "musubi.db");
        BOOST_REQUIRE(db);
        auto value = db->pragma_text(sql);
        BOOST_REQUIRE(value);
        return *value;
    }

    bool say(const std::string& event_id, const std::string& words) {
        const auto now = sim.control_get("/_sim/clock")["epoch_ms"].get<std::int64_t>();
        auto handled = chat->handle(1, event_id, words, "reply-token-" + event_id, now);
        BOOST_REQUIRE_MESSAGE(handled, (handled ? "" : handled.error().to_string()));
        return *handled;
    }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(linking_fetch, Fixture)

BOOST_AUTO_TEST_CASE(an_order_placed_a_moment_ago_is_fetched_and_links) {
    const auto made = sim.control_post(
        "/_sim/rakuten/orders", {{"buyer", {{"phone", "090-1111-2201"}, {"firstName", "花子"}}}});
    const std::string number = made["orderNumber"];
    BOOST_TEST(text("SELECT count(*) FROM orders") == "0");

    BOOST_TEST(say("ev-1", "注文番号は " + number + " です"));
    BOOST_TEST(text("SELECT step FROM outbox ORDER BY id DESC LIMIT 1") == "ask_phone");
    BOOST_TEST(text("SELECT count(*) FROM orders") == "0"); // nothing to check yet

    BOOST_TEST(say("ev-2", "2201"));
    BOOST_TEST(text("SELECT order_number FROM orders") == number);
    BOOST_TEST(text("SELECT count(*) FROM links WHERE friend_id = 1 AND unlinked_at IS NULL") ==
               "1");
    BOOST_TEST(text("SELECT count(*) FROM facts WHERE kind = 'friend.linked'") == "1");
}

BOOST_AUTO_TEST_CASE(an_order_rms_does_not_know_links_nothing) {
    const std::string number = "123456-20261101-0000099999";
    BOOST_TEST(say("ev-1", number));
    BOOST_TEST(text("SELECT count(*) FROM orders") == "0");
    BOOST_TEST(say("ev-2", "2201"));
    BOOST_TEST(text("SELECT step FROM outbox ORDER BY id DESC LIMIT 1") == "failed");
    BOOST_TEST(text("SELECT count(*) FROM links") == "0");
}

BOOST_AUTO_TEST_CASE(an_order_the_store_knows_is_not_asked_for_again) {
    const auto made =
        sim.control_post("/_sim/rakuten/orders", {{"buyer", {{"phone", "080-2222-3302"}}}});
    const std::string number = made["orderNumber"];
    BOOST_TEST(say("ev-1", number + " 0000")); // wrong digits: fetched, checked, refused
    BOOST_TEST(text("SELECT count(*) FROM orders") == "1");
    BOOST_TEST(text("SELECT step FROM outbox ORDER BY id DESC LIMIT 1") == "failed");
    const auto asked = sim.control_get("/_sim/rakuten/requests")["total"];
    // RMS goes down: the known order still links, from what the store holds, unasked.
    sim.control_post("/_sim/rakuten/faults", {{"maintenance", true}});
    BOOST_TEST(say("ev-2", number + " 3302"));
    BOOST_TEST(sim.control_get("/_sim/rakuten/requests")["total"] == asked);
    BOOST_TEST(text("SELECT count(*) FROM links WHERE unlinked_at IS NULL") == "1");
}

BOOST_AUTO_TEST_CASE(a_friend_cooling_down_makes_musubi_ask_rms_nothing) {
    // Five wrong guesses at unknown orders: each asks RMS once, then the cool-down holds.
    for (int n = 1; n <= 5; ++n) {
        BOOST_TEST(say("ev-" + std::to_string(n),
                       "123456-20261101-000009999" + std::to_string(n) + " 1234"));
    }
    const auto asked = sim.control_get("/_sim/rakuten/requests")["total"];
    BOOST_TEST(asked.get<int>() == 5);
    BOOST_TEST(say("ev-6", "123456-20261101-0000099990 1234"));
    BOOST_TEST(text("SELECT step FROM outbox ORDER BY id DESC LIMIT 1") == "cooldown");
    BOOST_TEST(sim.control_get("/_sim/rakuten/requests")["total"] == asked);
}

BOOST_AUTO_TEST_SUITE_END()
