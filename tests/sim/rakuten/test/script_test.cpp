// Scripted scenarios: control steps that run when simulated time reaches them.

#include "sim_fixture.hpp"

namespace musubi::sim::rakuten::test {

BOOST_AUTO_TEST_SUITE(script)

BOOST_AUTO_TEST_CASE(scenario_file_script_runs_on_time) {
    Sim sim(R"(
script:
  - after: 10m
    route: /orders
    body: {buyer: {phone: "090-2222-3333"}, totalPrice: 5000}
  - after: 2h
    route: "/orders/{last}/progress"
    body: {progress: 500, deliveryCompany: "1001", shippingNumber: "123456789012"}
  - at: "2026-11-23T10:00:00+0900"
    route: /faults
    body: {maintenance: true}
)");
    BOOST_TEST(sim.control("GET", "/state")["orders"] == 0);
    BOOST_TEST(sim.control("GET", "/script")["pending"].size() == 3U);

    sim.advance(15 * k_minute);
    auto orders = sim.control("GET", "/orders")["orders"];
    BOOST_TEST_REQUIRE(orders.size() == 1U);
    BOOST_TEST(orders[0]["orderDatetime"] == "2026-11-22T10:10:00+0900");
    BOOST_TEST(orders[0]["phoneLast4"] == "3333");
    BOOST_TEST(orders[0]["orderProgress"] == 100);

    sim.advance(3 * k_hour);
    auto shipped = sim.control("GET", "/orders")["orders"][0];
    BOOST_TEST(shipped["orderProgress"] == 500);
    BOOST_TEST(shipped["deliveryCompany"] == "1001");
    BOOST_TEST(shipped["shippingNumber"] == "123456789012");
    BOOST_TEST(shipped["shippingCmplRptDatetime"] == "2026-11-22T12:00:00+0900");

    BOOST_TEST(sim.search(search_body(1, "2026-11-22T00:00:00+0900", sim.at(0))).status == 200);
    sim.advance(k_day);
    BOOST_TEST(sim.search(search_body(1, "2026-11-22T00:00:00+0900", sim.at(0))).status == 503);
    auto script = sim.control("GET", "/script");
    BOOST_TEST(script["pending"].empty());
    BOOST_TEST(script["done"].size() == 3U);
    BOOST_TEST(script["done"][1]["status"] == 200);
}

BOOST_AUTO_TEST_CASE(posted_script_and_refusals) {
    Sim sim;
    auto answer = sim.control("POST", "/script",
                              {{"steps",
                                {{{"after", 0}, {"route", "/orders"}, {"body", json::object()}},
                                 {{"after", "1h"}, {"route", "/license/expire"}}}}});
    BOOST_TEST(answer["done"].size() == 1U);
    BOOST_TEST(answer["done"][0]["status"] == 201);
    BOOST_TEST(answer["pending"].size() == 1U);
    sim.control("POST", "/script/clear");
    sim.advance(2 * k_hour);
    BOOST_TEST(sim.search(search_body(1, "2026-11-22T00:00:00+0900", sim.at(0))).status == 200);

    BOOST_TEST(sim.control_raw("POST", "/script", {{"steps", {{{"route", "/reset"}}}}}).status ==
               400);
    BOOST_TEST(
        sim.control_raw("POST", "/script", {{"steps", {{{"route", "/orders"}, {"when", 1}}}}})
            .status == 400);
    BOOST_TEST(
        sim.control_raw("POST", "/script", {{"steps", {{{"after", "soon"}, {"route", "/orders"}}}}})
            .status == 400);
}

BOOST_AUTO_TEST_CASE(repeating_steps) {
    Sim sim;
    sim.control("POST", "/script",
                {{"steps", {{{"after", "1h"}, {"every", "1h"}, {"route", "/orders"}}}}});
    sim.advance(k_hour / 2);
    BOOST_TEST(sim.control("GET", "/state")["orders"] == 0);
    sim.advance(3 * k_hour);
    auto orders = sim.control("GET", "/orders")["orders"];
    BOOST_TEST_REQUIRE(orders.size() == 3U);
    BOOST_TEST(orders[0]["orderDatetime"] == "2026-11-22T11:00:00+0900");
    BOOST_TEST(orders[2]["orderDatetime"] == "2026-11-22T13:00:00+0900");
    auto script = sim.control("GET", "/script");
    BOOST_TEST(script["pending"][0]["due"] == "2026-11-22T14:00:00+0900");
    BOOST_TEST(
        sim.control_raw("POST", "/script", {{"steps", {{{"every", "0s"}, {"route", "/orders"}}}}})
            .status == 400);
}

BOOST_AUTO_TEST_SUITE_END()

} // namespace musubi::sim::rakuten::test
