// RMS's request thresholds (403 QPSLimit / AccessLimit) and the capped totalRecordsAmount.

#include <thread>

#include "rakuten/limits.hpp"
#include "sim_fixture.hpp"

namespace musubi::sim::rakuten::test {

namespace {

using namespace std::chrono_literals;

json query() {
    return search_body(1, "2026-11-21T10:00:00+0900", k_start);
}

} // namespace

BOOST_AUTO_TEST_SUITE(limits)

BOOST_AUTO_TEST_CASE(per_second_threshold_in_a_sliding_window) {
    Throttle throttle;
    throttle.configure({3, 0, false});
    const auto t0 = std::chrono::steady_clock::time_point{} + 1h;
    for (int i = 0; i < 3; ++i) {
        BOOST_TEST(!throttle.admit(t0 + i * 100ms).has_value());
    }
    auto refused = throttle.admit(t0 + 300ms);
    BOOST_REQUIRE(refused.has_value());
    BOOST_TEST(refused->status == 403);
    BOOST_TEST(body_of(*refused)["Results"]["errorCode"] == "QPSLimit");
    // Refused requests do not count; one second after the first, one place is free again.
    BOOST_TEST(throttle.admit(t0 + 999ms).has_value());
    BOOST_TEST(!throttle.admit(t0 + 1000ms).has_value());
    BOOST_TEST(throttle.admit(t0 + 1001ms).has_value());
    BOOST_TEST(throttle.accepted() == 4u);
    BOOST_TEST(throttle.throttled_per_second() == 3u);
    BOOST_TEST(throttle.throttled() == 3u);
}

BOOST_AUTO_TEST_CASE(per_minute_threshold_is_access_limit) {
    Throttle throttle;
    throttle.configure({0, 5, false});
    const auto t0 = std::chrono::steady_clock::time_point{} + 1h;
    for (int i = 0; i < 5; ++i) {
        BOOST_TEST(!throttle.admit(t0 + i * 5s).has_value());
    }
    auto refused = throttle.admit(t0 + 30s);
    BOOST_REQUIRE(refused.has_value());
    BOOST_TEST(body_of(*refused)["Results"]["errorCode"] == "AccessLimit");
    BOOST_TEST(!throttle.admit(t0 + 60s).has_value()); // the first one left the minute
    BOOST_TEST(throttle.throttled_per_minute() == 1u);
}

BOOST_AUTO_TEST_CASE(api_requests_over_the_threshold_answer_403_in_the_ledger) {
    Sim sim("limits: {per_second: 2}\n");
    BOOST_TEST(sim.search(query()).status == 200);
    BOOST_TEST(sim.search(query()).status == 200);
    const auto refused = sim.search(query());
    BOOST_TEST(refused.status == 403);
    // Control routes are never throttled.
    const json limits = sim.control("GET", "/limits");
    BOOST_TEST(limits["perSecond"] == 2);
    BOOST_TEST(limits["accepted"] == 2);
    BOOST_TEST(limits["throttled"] == 1);
    BOOST_TEST(limits["throttledPerSecond"] == 1);
    BOOST_TEST(sim.control("GET", "/state")["throttled"] == 1);
    const json ledger = sim.control("GET", "/requests");
    BOOST_TEST(ledger["requests"][2]["status"] == 403);
    BOOST_TEST(ledger["requests"][2]["fault"] == "throttled");
}

BOOST_AUTO_TEST_CASE(limits_are_set_and_reset_through_the_control_route) {
    Sim sim;
    json limits = sim.control("POST", "/limits", {{"perSecond", 1}, {"perMinute", 100}});
    BOOST_TEST(limits["perSecond"] == 1);
    BOOST_TEST(limits["perMinute"] == 100);
    BOOST_TEST(sim.search(query()).status == 200);
    BOOST_TEST(sim.search(query()).status == 403);
    limits = sim.control("POST", "/limits/reset");
    BOOST_TEST(limits["perSecond"] == 0);
    BOOST_TEST(limits["throttled"] == 0);
    BOOST_TEST(sim.search(query()).status == 200);
    const auto bad = sim.control_raw("POST", "/limits", {{"perHour", 3}});
    BOOST_TEST(bad.status == 400);
    BOOST_TEST(body_of(bad)["error"] == "unknown limit 'perHour'; valid: perSecond, perMinute, "
                                        "capTotalRecords");
    BOOST_TEST(sim.control_raw("POST", "/limits", {{"perSecond", -1}}).status == 400);
}

BOOST_AUTO_TEST_CASE(unknown_scenario_keys_are_named) {
    BOOST_CHECK_EXCEPTION(
        Sim("limits: {per_hour: 3}\n"), std::exception, [](const std::exception& error) {
            return std::string(error.what()).find("unknown key 'per_hour'") != std::string::npos;
        });
}

BOOST_AUTO_TEST_CASE(capped_totals_stop_at_15000) {
    Sim sim("limits: {cap_total_records: true}\n");
    sim.control("POST", "/orders/generate", {{"count", 15500}, {"days", 20}});
    auto first = body_of(sim.search(search_body(1, sim.at(-21 * 86400), sim.at(0))));
    BOOST_TEST(first["PaginationResponseModel"]["totalRecordsAmount"] == 15000);
    BOOST_TEST(first["PaginationResponseModel"]["totalPages"] == 15);
    // Past the cap is still refused.
    auto past = sim.search(search_body(1, sim.at(-21 * 86400), sim.at(0), 1000, 16));
    BOOST_TEST(past.status == 400);
    BOOST_TEST(first_code(past) == "ORDER_EXT_API_SEARCH_ORDER_ERROR_019");
    // Without the mode the true total shows.
    sim.control("POST", "/limits", {{"capTotalRecords", false}});
    auto uncapped = body_of(sim.search(search_body(1, sim.at(-21 * 86400), sim.at(0))));
    BOOST_TEST(uncapped["PaginationResponseModel"]["totalRecordsAmount"] == 15500);
}

BOOST_AUTO_TEST_SUITE_END()

} // namespace musubi::sim::rakuten::test
