// `musubictl dry-run` with the shipped scenarios and templates on a real store: the exact
// messages, times and waits, and a live database that is not changed by it.

#include <sstream>

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "daemon/config/loader.hpp"
#include "daemon/ctl/dry_run.hpp"
#include "daemon/store/sqlite/sqlite_store.hpp"
#include "support/manual_clock.hpp"
#include "support/temp_dir.hpp"

using namespace musubi;
using musubi::test::jst;

namespace {

constexpr const char* k_main = R"(shop:
  id: test-shop
  name: むすび商店
store:
  path: data/musubi.db
log:
  level: error
privacy:
  hashing_key: 0123456789abcdef0123456789abcdef-hashing
line:
  channel_secret: line-channel-secret-value
  channel_access_token: line-access-token-value
admin:
  token: admin-token-value
templates: templates
scenarios: scenarios/*.yaml
)";

constexpr const char* k_user = "U0123456789abcdef0123456789abcdef";
constexpr const char* k_order = "123456-20261122-0000000001";

// A shop with the shipped scenarios and templates, one friend linked to a buyer with one
// shipped order of 5,400円.
struct Shop {
    test::TempDir dir;
    config::Config config;

    Shop() {
        const std::filesystem::path source(MUSUBI_SOURCE_DIR);
        dir.write("musubi.yaml", k_main);
        for (const auto& [from, to] :
             {std::pair{"config/scenarios", "scenarios"}, std::pair{"templates", "templates"}}) {
            std::filesystem::create_directories(dir / to);
            for (const auto& entry : std::filesystem::directory_iterator(source / from)) {
                const auto extension = entry.path().extension();
                if (entry.is_regular_file() &&
                    (extension == ".yaml" || extension == ".txt" || extension == ".json")) {
                    std::filesystem::copy_file(entry.path(), dir / to / entry.path().filename());
                }
            }
        }
        auto loaded = config::load_config(dir / "musubi.yaml");
        BOOST_REQUIRE(loaded);
        config = std::move(*loaded);

        auto clock = std::make_shared<test::ManualClock>(jst(0, 9));
        auto store = store::sqlite::SqliteStore::open(config.store.path,
                                                      std::chrono::milliseconds(2000), clock);
        BOOST_REQUIRE(store);
        store::OrderSnapshot order;
        order.order_number = k_order;
        order.progress = 500;
        order.total = 5400;
        order.ordered_at_ms = jst(-2, 20);
        order.shipped_at_ms = jst(0, 8);
        order.shipment = store::Shipment{"1001", "ヤマト運輸", "123412341234",
                                         "https://track.example/123412341234"};
        order.items = {{"towel-1", "むすびタオル", 2, 1620}, {"cup-1", "湯のみ", 1, 2160}};
        order.buyer = {"buyer-1", "email-1", "phone-1", "last4-1", "太郎"};
        BOOST_REQUIRE((*store)->apply_order(order, store::Triggers::yes));
        exec("INSERT INTO friends (id, line_user_id, display_name, created_at, updated_at) "
             "VALUES (1, '" +
             std::string(k_user) +
             "', 'たろう', 0, 0); INSERT INTO links (friend_id, buyer_id, method, linked_at) "
             "SELECT 1, id, 'chat', 0 FROM buyers WHERE buyer_key = 'buyer-1'");
    }

    void exec(const std::string& sql) {
        auto db = store::sqlite::Database::open(config.store.path);
        BOOST_REQUIRE(db);
        BOOST_REQUIRE_MESSAGE(db->exec(sql), sql);
    }

    std::string out, err;
    int run(const std::vector<std::string>& words, std::int64_t at, bool json = false) {
        std::ostringstream o, e;
        const int status = ctl::dry_run_command_at(config, words, json, at, o, e);
        out = o.str();
        err = e.str();
        return status;
    }
};

} // namespace

BOOST_AUTO_TEST_SUITE(dry_run)

BOOST_AUTO_TEST_CASE(review_request_asks_three_days_later_in_its_window_then_waits_for_a_review) {
    Shop shop;
    const auto before = test::read_file(shop.config.store.path);

    BOOST_TEST(shop.run({"dry-run", "review-request", "--order", k_order}, jst(0, 9)) == 0);

    BOOST_TEST(shop.err == "");
    BOOST_TEST(shop.out ==
               "dry run of scenario review-request for U0123456789abcdef0123456789abcdef (order "
               "123456-20261122-0000000001), triggered at 2026-11-22 09:00 JST; nothing was "
               "sent\n"
               "\n"
               "2026-11-25 10:00 JST  ask (review_request)  push\n"
               "    商品はお手元に届きましたか？レビューのお願い\n"
               "    レビューのお願い\n"
               "    たろうさん、商品はいかがでしたか？レビュー投稿でクーポンを差し上げます。\n"
               "    [レビューを書く] https://order.my.rakuten.co.jp/\n"
               "\n"
               "coupon: レビュー投稿 (review.posted) を待ちます (14日以内、2026-12-09 10:00 JST "
               "まで); 届いたら review_coupon を送ります\n"
               "\n"
               "end: waiting for review.posted\n");
    // The live database is byte for byte what it was, and holds no dry-run fact.
    BOOST_TEST((test::read_file(shop.config.store.path) == before));
    auto db = store::sqlite::Database::open(shop.config.store.path);
    BOOST_REQUIRE(db);
    auto count = db->prepare("SELECT (SELECT count(*) FROM outbox) + (SELECT count(*) FROM "
                             "enrollments) + (SELECT count(*) FROM facts WHERE processed_at IS "
                             "NOT NULL OR natural_key LIKE 'dry-run:%')");
    BOOST_REQUIRE(count && *count->step());
    BOOST_TEST(count->column_int64(0) == 0);
}

BOOST_AUTO_TEST_CASE(order_thanks_for_a_friend_waits_for_the_morning_and_lists_the_items) {
    Shop shop;
    BOOST_TEST(shop.run({"dry-run", "order-thanks", "--friend", k_user}, jst(0, 22), true) == 0);
    const auto doc = nlohmann::json::parse(shop.out);
    BOOST_TEST(doc["order"] == k_order);
    BOOST_REQUIRE(doc["messages"].size() == 1U);
    const auto& message = doc["messages"][0];
    BOOST_TEST(message["at"] == "2026-11-23 09:00 JST");
    BOOST_TEST(message["step"] == "step1");
    BOOST_TEST(message["state"] == "pending");
    BOOST_TEST(message["text"] == "たろうさん、むすび商店でのご注文ありがとうございます。\n"
                                  "\n"
                                  "ご注文番号: 123456-20261122-0000000001\n"
                                  "・むすびタオル × 2\n"
                                  "・湯のみ × 1\n"
                                  "合計: 5,400円\n"
                                  "\n"
                                  "発送の準備ができましたら、こちらでお知らせします。");
    BOOST_TEST(doc["end"] == "all steps done");
    BOOST_TEST(doc["waiting"].is_null());
}

BOOST_AUTO_TEST_CASE(a_scenario_whose_conditions_do_not_hold_says_it_would_not_start) {
    Shop shop;
    shop.exec("UPDATE orders SET total = 2000");
    BOOST_TEST(shop.run({"dry-run", "review-request", "--order", k_order}, jst(0, 9)) == 0);
    BOOST_TEST(shop.out.find("end: the scenario would not start for this friend now (its "
                             "conditions: friend.linked, order.total)") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(unknown_names_and_bad_words_are_refused_with_what_to_do) {
    Shop shop;
    BOOST_TEST(shop.run({"dry-run", "no-such", "--friend", k_user}, jst(0, 9)) == 1);
    BOOST_TEST(shop.err == "musubictl: no scenario named no-such in the configuration; the "
                           "scenarios are: greeting, keyword-reply, link-thanks, order-thanks, "
                           "review-request, shipping-notice\n");
    BOOST_TEST(shop.run({"dry-run", "greeting", "--friend", "U-nobody"}, jst(0, 9)) == 1);
    BOOST_TEST(shop.err.find("no friend with LINE userId U-nobody") != std::string::npos);
    shop.exec("UPDATE links SET unlinked_at = 1");
    BOOST_TEST(shop.run({"dry-run", "review-request", "--order", k_order}, jst(0, 9)) == 1);
    BOOST_TEST(shop.err.find("is not linked to any friend") != std::string::npos);
    BOOST_TEST(shop.run({"dry-run", "greeting"}, jst(0, 9)) == 2);
    BOOST_TEST(shop.err.rfind("usage: musubictl dry-run", 0) == 0);
}

BOOST_AUTO_TEST_CASE(a_missing_store_is_unavailable) {
    Shop shop;
    shop.config.store.path = shop.dir / "nowhere/musubi.db";
    BOOST_TEST(shop.run({"dry-run", "greeting", "--friend", k_user}, jst(0, 9)) == 4);
    BOOST_TEST(!std::filesystem::exists(shop.dir / "nowhere"));
}

BOOST_AUTO_TEST_SUITE_END()
