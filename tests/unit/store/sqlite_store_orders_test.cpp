// SqliteStore::apply_order: buyers and orders upserted, facts once, backfilled orders quiet.

#include <boost/test/unit_test.hpp>

#include "daemon/store/sqlite/sqlite_store.hpp"
#include "support/temp_dir.hpp"

using namespace musubi::store;
using namespace musubi::store::sqlite;
using musubi::test::TempDir;

namespace {

OrderSnapshot order(const std::string& number, int progress) {
    OrderSnapshot snapshot;
    snapshot.order_number = number;
    snapshot.progress = progress;
    snapshot.ordered_at_ms = 1000;
    snapshot.buyer = {"buyerkey", "e", "p", "l4", "花子"};
    if (progress >= 500 && progress <= 700) {
        snapshot.shipped_at_ms = 2000;
        snapshot.shipment = Shipment{"1002", "佐川急便", "999", ""};
    }
    if (progress == 900) {
        snapshot.cancelled_at_ms = 3000;
    }
    return snapshot;
}

std::string text(const std::filesystem::path& file, const std::string& sql) {
    auto db = Database::open(file);
    BOOST_REQUIRE(db);
    auto value = db->pragma_text(sql);
    BOOST_REQUIRE(value);
    return *value;
}

} // namespace

BOOST_AUTO_TEST_SUITE(sqlite_store_orders)

BOOST_AUTO_TEST_CASE(each_change_is_recorded_once) {
    TempDir dir;
    auto store = SqliteStore::open(dir / "m.db", std::chrono::milliseconds(2000));
    BOOST_REQUIRE(store);
    auto& s = **store;
    auto first = s.apply_order(order("A", 100), Triggers::yes);
    BOOST_REQUIRE(first);
    BOOST_TEST(first->new_order);
    BOOST_TEST(first->recorded.size() == 1u);
    BOOST_TEST(s.apply_order(order("A", 100), Triggers::yes)->recorded.empty());
    BOOST_TEST(s.apply_order(order("A", 500), Triggers::yes)->recorded ==
               std::vector<std::string>{"rakuten:order:A:shipped"});
    BOOST_TEST(s.apply_order(order("A", 700), Triggers::yes)->recorded.empty());
    BOOST_TEST(s.apply_order(order("B", 900), Triggers::yes)->recorded.size() == 2u);
    BOOST_TEST(*s.count_facts("order.placed") == 2);
    BOOST_TEST(*s.count_facts("order.shipped") == 1);
    BOOST_TEST(*s.count_facts("order.cancelled") == 1);
    // One buyer for both orders, and the order row follows RMS.
    BOOST_TEST(text(dir / "m.db", "SELECT count(*) FROM buyers") == "1");
    BOOST_TEST(text(dir / "m.db",
                    "SELECT progress || ',' || carrier_code || ',' || "
                    "tracking_number FROM orders WHERE order_number = 'A'") == "700,1002,999");
    BOOST_TEST(*s.missing_facts({"rakuten:order:A:placed", "rakuten:order:A:cancelled"}) ==
               std::vector<std::string>{"rakuten:order:A:cancelled"});
}

BOOST_AUTO_TEST_CASE(backfilled_orders_are_recorded_processed_for_good) {
    TempDir dir;
    auto store = SqliteStore::open(dir / "m.db", std::chrono::milliseconds(2000));
    BOOST_REQUIRE(store);
    BOOST_REQUIRE((*store)->apply_order(order("OLD", 100), Triggers::no));
    // Seen again later as "new" (e.g. inside the horizon after a clock change): still quiet.
    BOOST_REQUIRE((*store)->apply_order(order("OLD", 500), Triggers::yes));
    BOOST_TEST(text(dir / "m.db", "SELECT triggers FROM orders WHERE order_number = 'OLD'") == "0");
    BOOST_TEST(text(dir / "m.db", "SELECT count(*) FROM facts WHERE processed_at IS NULL") == "0");
    BOOST_TEST(text(dir / "m.db", "SELECT count(*) FROM facts") == "2");
    BOOST_REQUIRE((*store)->apply_order(order("NEW", 100), Triggers::yes));
    BOOST_TEST(text(dir / "m.db", "SELECT count(*) FROM facts WHERE processed_at IS NULL") == "1");
}

BOOST_AUTO_TEST_CASE(a_batch_is_applied_in_one_go_and_a_failing_order_fails_alone) {
    TempDir dir;
    auto store = SqliteStore::open(dir / "m.db", std::chrono::milliseconds(2000));
    BOOST_REQUIRE(store);
    {
        // The database refuses one order, as a full disk or a broken row would.
        auto db = Database::open(dir / "m.db");
        BOOST_REQUIRE(db);
        BOOST_REQUIRE(db->exec("CREATE TRIGGER refuse BEFORE INSERT ON orders "
                               "WHEN NEW.order_number = 'BAD' "
                               "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"));
    }
    auto bad = order("BAD", 100);
    bad.buyer.buyer_key = "badbuyer";
    const std::vector<OrderToApply> batch{
        {order("A", 100), Triggers::yes}, {bad, Triggers::yes}, {order("B", 900), Triggers::no}};
    const auto results = (*store)->apply_orders(batch);
    BOOST_REQUIRE(results.size() == 3u);
    BOOST_REQUIRE(results[0]);
    BOOST_TEST(results[0]->recorded == std::vector<std::string>{"rakuten:order:A:placed"});
    BOOST_REQUIRE(!results[1]);
    BOOST_TEST(results[1].error().to_string().find("refused by the test") != std::string::npos);
    BOOST_REQUIRE(results[2]);
    BOOST_TEST(results[2]->recorded.size() == 2u);
    // Nothing of the refused order stays behind, not even its buyer.
    BOOST_TEST(text(dir / "m.db", "SELECT group_concat(order_number) FROM orders") == "A,B");
    BOOST_TEST(text(dir / "m.db", "SELECT count(*) FROM buyers") == "1");
    BOOST_TEST(text(dir / "m.db", "SELECT count(*) FROM facts WHERE processed_at IS NULL") == "1");
    // Applying the same batch again records nothing new.
    const auto again = (*store)->apply_orders(batch);
    BOOST_TEST((again[0] && again[0]->recorded.empty() && !again[1] && again[2] &&
                again[2]->recorded.empty()));
}

BOOST_AUTO_TEST_SUITE_END()
