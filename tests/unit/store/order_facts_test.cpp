#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "daemon/store/order_facts.hpp"

using namespace musubi::store;

namespace {

OrderSnapshot placed_order() {
    OrderSnapshot order;
    order.order_number = "123456-20261122-0000000001";
    order.progress = 100;
    order.ordered_at_ms = 1000;
    order.items = {{"tea-sencha-100", "煎茶", 2, 1200}};
    return order;
}

OrderSnapshot shipped_order() {
    auto order = placed_order();
    order.progress = 500;
    order.total = 2400;
    order.shipped_at_ms = 5000;
    order.shipment = Shipment{"1001", "ヤマト運輸", "123456789012", "https://t/123456789012"};
    return order;
}

std::vector<std::string> kinds(const std::vector<NewFact>& facts) {
    std::vector<std::string> out;
    for (const auto& fact : facts) {
        out.push_back(fact.kind);
    }
    return out;
}

} // namespace

BOOST_AUTO_TEST_SUITE(order_facts)

BOOST_AUTO_TEST_CASE(a_new_order_is_placed_once) {
    const auto facts = derive_order_facts(std::nullopt, placed_order(), 7);
    BOOST_TEST(kinds(facts) == std::vector<std::string>{"order.placed"});
    BOOST_TEST(facts[0].natural_key == "rakuten:order:123456-20261122-0000000001:placed");
    BOOST_TEST(facts[0].occurred_at_ms == 1000);
    const auto payload = nlohmann::json::parse(facts[0].payload_json);
    BOOST_TEST(payload["total"].is_null());
    BOOST_TEST(payload["buyer_id"] == 7);
    BOOST_TEST(payload["items"][0]["manageNumber"] == "tea-sencha-100");
    BOOST_TEST(payload["items"][0]["units"] == 2);

    BOOST_TEST(derive_order_facts(StoredOrderState{}, placed_order(), 7).empty());
}

BOOST_AUTO_TEST_CASE(shipping_is_derived_once_with_the_carrier) {
    const auto facts = derive_order_facts(StoredOrderState{}, shipped_order(), std::nullopt);
    BOOST_TEST(kinds(facts) == std::vector<std::string>{"order.shipped"});
    const auto payload = nlohmann::json::parse(facts[0].payload_json);
    BOOST_TEST(payload["total"] == 2400);
    BOOST_TEST(payload["carrier"]["code"] == "1001");
    BOOST_TEST(payload["carrier"]["tracking_number"] == "123456789012");
    BOOST_TEST(payload["carrier"]["tracking_url"] == "https://t/123456789012");
    BOOST_TEST(payload["buyer_id"].is_null());
    BOOST_TEST(facts[0].occurred_at_ms == 5000);

    BOOST_TEST(derive_order_facts(StoredOrderState{true, false}, shipped_order(), 1).empty());
}

BOOST_AUTO_TEST_CASE(an_order_first_seen_late_gets_every_change) {
    auto order = shipped_order();
    BOOST_TEST(kinds(derive_order_facts(std::nullopt, order, 1)) ==
               (std::vector<std::string>{"order.placed", "order.shipped"}));

    auto cancelled = placed_order();
    cancelled.progress = 900;
    cancelled.cancelled_at_ms = 9000;
    BOOST_TEST(kinds(derive_order_facts(std::nullopt, cancelled, 1)) ==
               (std::vector<std::string>{"order.placed", "order.cancelled"}));
    BOOST_TEST(kinds(derive_order_facts(StoredOrderState{}, cancelled, 1)) ==
               std::vector<std::string>{"order.cancelled"});
    BOOST_TEST(derive_order_facts(StoredOrderState{false, true}, cancelled, 1).empty());
}

BOOST_AUTO_TEST_CASE(payloads_carry_no_personal_data) {
    auto order = shipped_order();
    order.buyer = {"key", "emailhash", "phonehash", "last4hash", "花子"};
    for (const auto& fact : derive_order_facts(std::nullopt, order, 3)) {
        BOOST_TEST(fact.payload_json.find("花子") == std::string::npos);
        BOOST_TEST(fact.payload_json.find("hash") == std::string::npos);
    }
}

BOOST_AUTO_TEST_SUITE_END()
