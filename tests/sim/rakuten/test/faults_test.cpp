// Injected faults: 503s, slow answers, dropped connections, maintenance, reset.

#include "sim_fixture.hpp"

namespace musubi::sim::rakuten::test {

namespace {

json query() {
    return search_body(1, "2026-11-21T10:00:00+0900", k_start);
}

} // namespace

BOOST_AUTO_TEST_SUITE(faults)

BOOST_AUTO_TEST_CASE(fail_next_then_recover) {
    Sim sim;
    sim.control("POST", "/faults", {{"failNext", 2}});
    for (int i = 0; i < 2; ++i) {
        auto response = sim.search(query());
        BOOST_TEST(response.status == 503);
        BOOST_TEST(body_of(response)["Results"]["errorCode"] == "ES05-03");
    }
    BOOST_TEST(sim.search(query()).status == 200);
    auto ledger = sim.control("GET", "/requests");
    BOOST_TEST(ledger["total"] == 3);
    BOOST_TEST(ledger["requests"][0]["status"] == 503);
    BOOST_TEST(ledger["requests"][0]["fault"] == "error");
    BOOST_TEST(ledger["requests"][2]["fault"] == "");
}

BOOST_AUTO_TEST_CASE(error_status_and_rate) {
    Sim sim;
    sim.control("POST", "/faults", {{"errorRate", 1.0}, {"errorStatus", 500}});
    BOOST_TEST(sim.search(query()).status == 500);
    BOOST_TEST(sim.get({{"orderNumberList", {"x"}}, {"version", 10}}).status == 500);
    // Control routes are never faulted.
    BOOST_TEST(sim.control_raw("GET", "/state").status == 200);
}

BOOST_AUTO_TEST_CASE(slow_and_dropped) {
    Sim sim;
    sim.control("POST", "/faults", {{"slowNext", 1}, {"slowMs", 1500}});
    auto slow = sim.search(query());
    BOOST_TEST(slow.status == 200);
    BOOST_TEST(slow.delay.count() == 1500);
    BOOST_TEST(sim.search(query()).delay.count() == 0);

    sim.control("POST", "/faults", {{"dropNext", 1}});
    BOOST_TEST(sim.search(query()).drop_connection);
    BOOST_TEST(!sim.search(query()).drop_connection);
}

BOOST_AUTO_TEST_CASE(maintenance_until_reset) {
    Sim sim;
    sim.control("POST", "/faults", {{"maintenance", true}});
    BOOST_TEST(sim.search(query()).status == 503);
    BOOST_TEST(sim.search(query()).status == 503);
    auto cleared = sim.control("POST", "/faults/reset");
    BOOST_TEST(cleared["maintenance"] == false);
    BOOST_TEST(sim.search(query()).status == 200);
}

BOOST_AUTO_TEST_CASE(seeded_rates_repeat) {
    Sim sim;
    auto run = [&] {
        sim.control("POST", "/faults", {{"errorRate", 0.3}, {"seed", 7}});
        std::string pattern;
        for (int i = 0; i < 100; ++i) {
            pattern += sim.search(query()).status == 503 ? 'x' : '.';
        }
        return pattern;
    };
    std::string first = run();
    BOOST_TEST(first == run());
    auto failures = std::count(first.begin(), first.end(), 'x');
    BOOST_TEST(failures > 10);
    BOOST_TEST(failures < 50);
}

BOOST_AUTO_TEST_CASE(bad_fault_settings_are_refused) {
    Sim sim;
    auto unknown = sim.control_raw("POST", "/faults", {{"errorRat", 0.1}});
    BOOST_TEST(unknown.status == 400);
    BOOST_TEST(body_of(unknown)["error"].get<std::string>().find("errorRate") != std::string::npos);
    BOOST_TEST(sim.control_raw("POST", "/faults", {{"errorRate", 2}}).status == 400);
}

BOOST_AUTO_TEST_CASE(reset_restores_the_scenario) {
    Sim sim;
    sim.add_order();
    sim.control("POST", "/faults", {{"maintenance", true}});
    sim.control("POST", "/license/expire");
    auto state = sim.control("POST", "/reset");
    BOOST_TEST(state["orders"] == 0);
    BOOST_TEST(sim.search(query()).status == 200);
}

BOOST_AUTO_TEST_SUITE_END()

} // namespace musubi::sim::rakuten::test
