// The order generator: seeds, repeat buyers, the automatic lifecycle, hand-made and bulk orders.

#include <chrono>
#include <map>
#include <regex>
#include <set>

#include "sim_fixture.hpp"

namespace musubi::sim::rakuten::test {

namespace {

// Every order of the simulator, as getOrder answers, in search order.
json all_models(Sim& sim, const std::string& from) {
    json models = json::array();
    json numbers = json::array();
    for (int page = 1;; ++page) {
        auto search = body_of(sim.search(search_body(1, from, sim.at(1), 1000, page)));
        for (const auto& number : search["orderNumberList"]) {
            numbers.push_back(number);
        }
        if (search["PaginationResponseModel"]["totalPages"].is_null() ||
            page >= search["PaginationResponseModel"]["totalPages"].get<int>()) {
            break;
        }
    }
    for (std::size_t i = 0; i < numbers.size(); i += 100) {
        json batch(numbers.begin() + long(i),
                   numbers.begin() + long(std::min(numbers.size(), i + 100)));
        json answer = body_of(sim.get({{"orderNumberList", batch}, {"version", 10}}));
        for (auto& model : answer["OrderModelList"]) {
            models.push_back(model);
        }
    }
    return models;
}

const std::string k_generated = R"(
seed: 42
generator:
  orders_per_hour: 12
  repeat_ratio: 0.4
  cancel_ratio: 0.1
  confirm_after_minutes: 30
  ship_after_hours: 24
)";

} // namespace

BOOST_AUTO_TEST_SUITE(generator)

BOOST_AUTO_TEST_CASE(same_seed_same_orders) {
    Sim first(k_generated), second(k_generated),
        other("seed: 43\ngenerator: {orders_per_hour: 12}");
    for (Sim* sim : {&first, &second, &other}) {
        sim->advance(2 * k_day);
    }
    json a = all_models(first, "2026-11-22T00:00:00+0900");
    BOOST_TEST(a.size() > 300U);
    BOOST_TEST(a == all_models(second, "2026-11-22T00:00:00+0900"));
    BOOST_TEST(a != all_models(other, "2026-11-22T00:00:00+0900"));
}

BOOST_AUTO_TEST_CASE(repeat_buyers_share_masked_email_and_phone) {
    Sim sim(k_generated);
    sim.control("POST", "/orders/generate", {{"count", 400}, {"days", 30}});
    std::map<std::string, std::set<std::string>> phones_by_email;
    std::size_t orders = 0;
    json buyers = sim.control("GET", "/buyers?limit=1000")["buyers"];
    std::size_t repeaters = 0;
    for (const auto& buyer : buyers) {
        if (buyer["orderNumbers"].size() < 2) {
            continue;
        }
        ++repeaters;
        json got = body_of(sim.get({{"orderNumberList", buyer["orderNumbers"]}, {"version", 10}}));
        for (const auto& model : got["OrderModelList"]) {
            const json& orderer = model["OrdererModel"];
            BOOST_TEST(orderer["emailAddress"] == buyer["emailAddress"]);
            std::string phone = orderer["phoneNumber1"].get<std::string>() + "-" +
                                orderer["phoneNumber2"].get<std::string>() + "-" +
                                orderer["phoneNumber3"].get<std::string>();
            BOOST_TEST(phone == buyer["phoneNumber"]);
            phones_by_email[orderer["emailAddress"]].insert(phone);
            ++orders;
        }
    }
    BOOST_TEST(repeaters > 20U);
    for (const auto& [email, phones] : phones_by_email) {
        BOOST_TEST(phones.size() == 1U, email);
    }
    BOOST_TEST(orders > repeaters);
}

BOOST_AUTO_TEST_CASE(lifecycle_follows_simulated_time) {
    Sim sim("seed: 7\ngenerator: {orders_per_hour: 30, cancel_ratio: 0.2}");
    sim.advance(20 * k_minute);
    json early = all_models(sim, "2026-11-22T09:00:00+0900");
    BOOST_TEST_REQUIRE(!early.empty());
    bool saw_unfixed = false;
    for (const auto& model : early) {
        if (model["orderProgress"] == 100) {
            saw_unfixed = true;
            BOOST_TEST(model["totalPrice"] == -9999);
            BOOST_TEST(model["requestPrice"] == -9999);
        }
    }
    BOOST_TEST(saw_unfixed);

    for (int hour = 0; hour < 24 * 8; ++hour) {
        sim.advance(k_hour);
    }
    std::map<int, int> by_progress;
    std::regex tracking(R"(\d{12})");
    for (const auto& model : all_models(sim, "2026-11-22T09:00:00+0900")) {
        int progress = model["orderProgress"];
        ++by_progress[progress];
        const json& shipping = model["PackageModelList"][0]["ShippingModelList"];
        if (progress >= 500 && progress <= 700) {
            BOOST_TEST_REQUIRE(shipping.size() == 1U);
            std::set<std::string> carriers{"1001", "1002", "1003", "1028"};
            BOOST_TEST(carriers.count(shipping[0]["deliveryCompany"].get<std::string>()) == 1U);
            BOOST_TEST(!shipping[0]["deliveryCompanyName"].get<std::string>().empty());
            BOOST_TEST(
                std::regex_match(shipping[0]["shippingNumber"].get<std::string>(), tracking));
            BOOST_TEST(model["shippingCmplRptDatetime"].is_string());
            BOOST_TEST(model["totalPrice"] != -9999);
        }
        if (progress == 900) {
            BOOST_TEST(shipping.empty());
            BOOST_TEST(model["ChangeReasonModelList"].size() == 2U);
        }
        if (progress == 700) {
            BOOST_TEST(model["orderFixDatetime"].is_string());
        }
    }
    BOOST_TEST(by_progress[700] > 0);
    BOOST_TEST(by_progress[900] > 0);
    BOOST_TEST(by_progress[500] + by_progress[600] > 0);
    BOOST_TEST(by_progress[100] > 0); // the newest orders are not confirmed yet

    // Shipped orders are found by the shipping-completion-report date.
    json shipped = search_body(5, sim.at(-9 * k_day), sim.at(0));
    shipped["orderProgressList"] = {500, 600, 700};
    auto found = body_of(sim.search(shipped));
    BOOST_TEST(found["PaginationResponseModel"]["totalRecordsAmount"] ==
               by_progress[500] + by_progress[600] + by_progress[700]);
}

BOOST_AUTO_TEST_CASE(hand_made_orders_reuse_buyers_by_phone) {
    Sim sim;
    auto first = sim.control("POST", "/orders",
                             {{"buyer", {{"phone", "08011112222"}}}, {"totalPrice", 3000}});
    auto second = sim.control("POST", "/orders", {{"buyer", {{"phone", "080-1111-2222"}}}});
    BOOST_TEST(first["buyerId"] == second["buyerId"]);
    json buyer = sim.control("GET", "/buyers/" + std::to_string(first["buyerId"].get<int>()));
    BOOST_TEST(buyer["phoneLast4"] == "2222");
    BOOST_TEST(buyer["phoneNumber"] == "080-1111-2222");
    BOOST_TEST(buyer["orderNumbers"].size() == 2U);
    BOOST_TEST(first["OrderModel"]["goodsPrice"] == 3000);

    auto listed =
        sim.control("GET", "/orders?buyerId=" + std::to_string(first["buyerId"].get<int>()));
    BOOST_TEST(listed["total"] == 2);
    BOOST_TEST(listed["orders"][0]["phoneLast4"] == "2222");
    BOOST_TEST(sim.control_raw("POST", "/orders", {{"buyer", {{"phone", "12"}}}}).status == 400);
    BOOST_TEST(sim.control_raw("POST", "/orders", {{"buyerId", 99}}).status == 400);
    BOOST_TEST(
        sim.control_raw("POST", "/orders",
                        {{"items", {{{"manageNumber", "tea-sencha-100"}}}}, {"totalPrice", 10}})
            .status == 400);
}

BOOST_AUTO_TEST_CASE(bulk_backfill_over_200_days) {
    Sim sim;
    auto created = sim.control("POST", "/orders/generate", {{"count", 20000}, {"days", 200}});
    BOOST_TEST(created["created"] == 20000);
    BOOST_TEST(sim.control("GET", "/state")["orders"] == 20000);
    std::size_t total = 0;
    EpochSeconds from = sim.now() - 200 * k_day;
    for (; from < sim.now(); from += 50 * k_day) {
        auto body = body_of(sim.search(
            search_body(1, format_rms_datetime(from), format_rms_datetime(from + 50 * k_day - 1))));
        total += body["PaginationResponseModel"]["totalRecordsAmount"].get<std::size_t>();
    }
    BOOST_TEST(total == 20000U);
    // Old orders have finished their lifecycle.
    auto old = sim.control("GET", "/orders?limit=1");
    BOOST_TEST(
        (old["orders"][0]["orderProgress"] == 700 || old["orders"][0]["orderProgress"] == 900));
}

BOOST_AUTO_TEST_CASE(hundred_thousand_orders_stay_fast) {
    Sim sim;
    auto started = std::chrono::steady_clock::now();
    sim.control("POST", "/orders/generate", {{"count", 100000}, {"days", 60}});
    auto generated = std::chrono::steady_clock::now();
    json query = search_body(1, sim.at(-2 * k_day), sim.at(0), 1000);
    json numbers;
    for (int i = 0; i < 20; ++i) {
        numbers = body_of(sim.search(query))["orderNumberList"];
    }
    json batch(numbers.begin(), numbers.begin() + 100);
    for (int i = 0; i < 20; ++i) {
        BOOST_TEST(body_of(sim.get({{"orderNumberList", batch}, {"version", 10}}))["OrderModelList"]
                       .size() == 100U);
    }
    auto done = std::chrono::steady_clock::now();
    auto ms = [](auto d) {
        return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
    };
    BOOST_TEST_MESSAGE("100k backfill " << ms(generated - started)
                                        << " ms; 20 searches + 20 getOrders "
                                        << ms(done - generated) << " ms");
    BOOST_TEST(ms(generated - started) < 20000);
    BOOST_TEST(ms(done - generated) < 5000);
}

BOOST_AUTO_TEST_SUITE_END()

} // namespace musubi::sim::rakuten::test
