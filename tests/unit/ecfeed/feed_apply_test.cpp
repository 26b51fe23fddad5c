// Feed lines into the store: the snapshot an order line becomes (hashes, never the e-mail or
// phone), each fact once across batches, shipments after their order, backfilled orders, and
// reviews joined by order number.

#include <boost/test/unit_test.hpp>

#include "daemon/ecfeed/feed_apply.hpp"
#include "daemon/rakuten/buyer_key.hpp"
#include "daemon/store/sqlite/database.hpp"
#include "daemon/store/sqlite/sqlite_store.hpp"
#include "support/temp_dir.hpp"

using namespace musubi;
using namespace musubi::ecfeed_worker;
using musubi::test::TempDir;

namespace {

const std::string k_key = "0123456789abcdef0123456789abcdef-test-key";
constexpr std::int64_t k_horizon = 1795600000000; // 2026-11-25T09:46:40Z

ecfeed::OrderLine order_line(const std::string& number, std::int64_t at = k_horizon + 1000) {
    ecfeed::OrderLine order;
    order.order_number = number;
    order.ordered_at_ms = at;
    order.total = 5400;
    order.items = {{"s-1", "煎茶", 2, 1800}, {"s-2", "ほうじ茶", 1, 1800}};
    order.buyer = {"Hanako@Example.jp ", "090-1234-5678", "花子"};
    return order;
}

ecfeed::ShipmentLine shipment_line(const std::string& number) {
    return {number, k_horizon + 5000, "yamato", "ヤマト運輸", "1234", "https://example.jp/t/1234"};
}

struct Fixture {
    TempDir dir;
    std::unique_ptr<store::sqlite::SqliteStore> store;
    FeedApplier applier;

    Fixture()
        : store(open(dir))
        , applier(*store, k_key, k_horizon) {}

    static std::unique_ptr<store::sqlite::SqliteStore> open(const TempDir& dir) {
        auto opened =
            store::sqlite::SqliteStore::open(dir / "m.db", std::chrono::milliseconds(2000));
        BOOST_REQUIRE(opened);
        return std::move(*opened);
    }

    std::string query(const std::string& sql) {
        auto db = store::sqlite::Database::open(dir / "m.db");
        BOOST_REQUIRE(db);
        auto value = db->pragma_text(sql);
        BOOST_REQUIRE_MESSAGE(value.has_value(), (value ? "" : value.error().message));
        return *value;
    }

    ApplyResult apply(std::vector<ecfeed::FeedLine> lines) {
        std::vector<ecfeed::NumberedLine> numbered;
        for (auto& line : lines) {
            numbered.push_back({static_cast<int>(numbered.size()) + 1, std::move(line)});
        }
        auto result = applier.apply(numbered);
        BOOST_REQUIRE_MESSAGE(!result.store_error, result.store_error.value_or(""));
        return result;
    }
};

} // namespace

BOOST_AUTO_TEST_SUITE(ecfeed_apply)

BOOST_AUTO_TEST_CASE(an_order_line_becomes_an_ecfeed_snapshot_with_hashes_only) {
    const auto snapshot = order_snapshot(order_line("W-1"), k_key);
    BOOST_TEST(snapshot.source == "ecfeed");
    BOOST_TEST(snapshot.order_number == "W-1");
    BOOST_TEST(snapshot.progress == k_progress_placed);
    BOOST_TEST(*snapshot.total == 5400);
    BOOST_TEST(snapshot.ordered_at_ms == k_horizon + 1000);
    BOOST_REQUIRE(snapshot.items.size() == 2u);
    BOOST_TEST(snapshot.items[1].manage_number == "s-2");
    BOOST_TEST(snapshot.items[1].name == "ほうじ茶");
    BOOST_TEST(snapshot.items[0].units == 2);
    BOOST_TEST(snapshot.items[0].price == 1800);
    // The same HMACs as an RMS orderer's, of the normalised values.
    BOOST_TEST(snapshot.buyer.email_hash ==
               rakuten_poller::hmac_sha256_hex(k_key, "email:hanako@example.jp"));
    BOOST_TEST(snapshot.buyer.phone_hash ==
               rakuten_poller::hmac_sha256_hex(k_key, "phone:09012345678"));
    BOOST_TEST(snapshot.buyer.phone_last4_hash ==
               rakuten_poller::hmac_sha256_hex(k_key, "phone_last4:5678"));
    BOOST_TEST(!snapshot.buyer.buyer_key.empty());
    BOOST_TEST(snapshot.buyer.given_name == "花子");
    BOOST_TEST(!snapshot.shipped_at_ms.has_value());
}

BOOST_AUTO_TEST_CASE(shipments_and_cancellations_set_their_times_and_progress) {
    auto snapshot = order_snapshot(order_line("W-1"), k_key);
    add_shipment(snapshot, shipment_line("W-1"));
    BOOST_TEST(*snapshot.shipped_at_ms == k_horizon + 5000);
    BOOST_TEST(snapshot.progress == k_progress_shipped);
    BOOST_TEST(snapshot.shipment->carrier_name == "ヤマト運輸");
    BOOST_TEST(snapshot.shipment->carrier_code == "yamato");
    BOOST_TEST(snapshot.shipment->tracking_url == "https://example.jp/t/1234");
    add_cancellation(snapshot, {"W-1", k_horizon + 9000});
    BOOST_TEST(*snapshot.cancelled_at_ms == k_horizon + 9000);
    BOOST_TEST(snapshot.progress == k_progress_cancelled);
}

BOOST_AUTO_TEST_CASE(a_review_line_becomes_a_review_keyed_by_order_and_item) {
    const auto item = new_review({"W-1", "item", "s-1", "煎茶", 5, k_horizon});
    BOOST_TEST(item.review_type == "item");
    BOOST_TEST(item.item_id == "s-1");
    BOOST_TEST(store::review_key(item) == "rakuten:review:W-1:item:s-1");
    const auto shop = new_review({"W-1", "shop", "s-1", "煎茶", 4, k_horizon});
    BOOST_TEST(shop.item_name.empty());
    BOOST_TEST(store::review_key(shop) == "rakuten:review:W-1:shop");
}

BOOST_FIXTURE_TEST_CASE(each_fact_is_recorded_once_however_often_the_lines_come, Fixture) {
    const auto first = apply({order_line("W-1"), shipment_line("W-1")});
    BOOST_TEST(first.counts.placed == 1);
    BOOST_TEST(first.counts.shipped == 1);
    const auto again = apply({shipment_line("W-1"), order_line("W-1"), shipment_line("W-1")});
    BOOST_TEST(again.counts.recorded() == 0);
    BOOST_TEST(query("SELECT group_concat(natural_key, ' ') FROM facts") ==
               "ecfeed:order:W-1:placed ecfeed:order:W-1:shipped");
    BOOST_TEST(query("SELECT count(*) FROM orders") == "1");
    BOOST_TEST(query("SELECT shipped_at FROM orders") == std::to_string(k_horizon + 5000));
    // No personal data in the database: only the hashes and the given name.
    BOOST_TEST(query("SELECT count(*) FROM buyers WHERE email_hash LIKE '%@%' OR "
                     "phone_hash LIKE '%090%'") == "0");
    BOOST_TEST(query("SELECT given_name FROM buyers") == "花子");
}

BOOST_FIXTURE_TEST_CASE(a_shipment_in_a_later_batch_keeps_the_order_items_and_buyer, Fixture) {
    apply({order_line("W-1")});
    const auto later = apply({shipment_line("W-1")});
    BOOST_TEST(later.counts.shipped == 1);
    BOOST_TEST(query("SELECT json_array_length(items) || ' ' || total || ' ' || "
                     "(buyer_id IS NOT NULL) || ' ' || tracking_number FROM orders") ==
               "2 5400 1 1234");
    BOOST_TEST(query("SELECT json_extract(payload, '$.carrier.tracking_url') FROM facts "
                     "WHERE kind = 'order.shipped'") == "https://example.jp/t/1234");
}

BOOST_FIXTURE_TEST_CASE(a_shipment_of_an_unknown_order_is_skipped_with_a_reason, Fixture) {
    const auto result = apply({shipment_line("W-9"), ecfeed::CancellationLine{"W-9", k_horizon}});
    BOOST_TEST(result.counts.skipped == 2);
    BOOST_REQUIRE(result.problems.size() == 2u);
    BOOST_TEST(result.problems[0].line == 1);
    BOOST_TEST(result.problems[1].line == 2);
    BOOST_TEST(result.problems[0].order_number == "W-9");
    BOOST_TEST(result.problems[0].reason ==
               "the order is not known yet: its order line must come first (in this or an "
               "earlier page or file)");
    BOOST_TEST(query("SELECT count(*) FROM facts") == "0");
}

BOOST_FIXTURE_TEST_CASE(orders_before_the_horizon_are_stored_but_trigger_nothing, Fixture) {
    const auto result = apply({order_line("OLD", k_horizon - 1), order_line("NEW")});
    BOOST_TEST(result.counts.backfilled == 1);
    BOOST_TEST(result.counts.placed == 2);
    BOOST_TEST(query("SELECT group_concat(order_number || '=' || triggers, ' ') FROM "
                     "(SELECT * FROM orders ORDER BY order_number)") == "NEW=1 OLD=0");
    BOOST_TEST(query("SELECT group_concat(subject, ' ') FROM facts WHERE processed_at IS NULL") ==
               "NEW");
    // A later shipment of the old order stays quiet too.
    apply({shipment_line("OLD")});
    BOOST_TEST(query("SELECT processed_at IS NOT NULL FROM facts WHERE natural_key = "
                     "'ecfeed:order:OLD:shipped'") == "1");
}

BOOST_FIXTURE_TEST_CASE(a_review_before_its_order_is_kept_and_joined_by_number, Fixture) {
    const auto review = apply({ecfeed::ReviewLine{"W-1", "shop", "", "", 4, k_horizon + 10}});
    BOOST_TEST(review.counts.reviews == 1);
    apply({order_line("W-1")});
    BOOST_TEST(query("SELECT r.rating || ' ' || o.source FROM reviews r JOIN orders o "
                     "ON o.order_number = r.order_number") == "4 ecfeed");
    BOOST_TEST(query("SELECT subject FROM facts WHERE kind = 'review.posted'") == "W-1");
    const auto again = apply({ecfeed::ReviewLine{"W-1", "shop", "", "", 1, k_horizon + 20}});
    BOOST_TEST(again.counts.reviews == 0);
    BOOST_TEST(query("SELECT count(*) FROM facts WHERE kind = 'review.posted'") == "1");
}

BOOST_FIXTURE_TEST_CASE(reviews_before_the_horizon_are_not_recorded, Fixture) {
    const auto result = apply({ecfeed::ReviewLine{"W-1", "shop", "", "", 4, k_horizon - 1}});
    BOOST_TEST(result.counts.old_reviews == 1);
    BOOST_TEST(query("SELECT count(*) FROM reviews") == "0");
}

BOOST_FIXTURE_TEST_CASE(the_horizon_is_fixed_on_first_use_and_kept, Fixture) {
    const log::Logger logger("ecfeed");
    auto first = backfill_horizon(*store, 1795700000000, std::chrono::hours(48), logger);
    BOOST_REQUIRE(first.has_value());
    BOOST_TEST(*first == 1795700000000 - 48 * 3600 * 1000LL);
    auto later = backfill_horizon(*store, 1799999999999, std::chrono::hours(1), logger);
    BOOST_REQUIRE(later.has_value());
    BOOST_TEST(*later == *first);
}

BOOST_AUTO_TEST_SUITE_END()
