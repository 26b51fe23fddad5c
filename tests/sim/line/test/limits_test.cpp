// Rate limits (token buckets per endpoint) and injected faults.

#include <boost/test/unit_test.hpp>

#include "line/rate_limiter.hpp"
#include "support.hpp"

using namespace musubi::sim::line;
using namespace musubi::sim::line::test;
using nlohmann::json;

namespace {

const json k_rate_limited = {{"message", "The API rate limit has been exceeded. Try again later."}};

std::string friend_yaml(const std::string& extra = "") {
    return std::string("line:\n  friends:\n    - {userId: ") + k_user + "}\n" + extra;
}

std::vector<int> statuses(Sim& sim, int count) {
    std::vector<int> seen;
    for (int i = 0; i < count; ++i) {
        seen.push_back(sim.push(k_user, {text("m" + std::to_string(i))}).status);
    }
    return seen;
}

} // namespace

BOOST_AUTO_TEST_SUITE(line_limits)

BOOST_AUTO_TEST_CASE(default_rates_are_the_published_ones) {
    const auto& rates = RateLimiter::defaults();
    BOOST_TEST(rates.at("push").count == 2000);
    BOOST_TEST(rates.at("push").per.count() == 1000);
    BOOST_TEST(rates.at("multicast").count == 200);
    BOOST_TEST(rates.at("richmenu_create").count == 100);
    BOOST_TEST(rates.at("richmenu_create").per.count() == 3600 * 1000);
    BOOST_TEST(rates.at("richmenu_batch").count == 3);
    BOOST_TEST(rates.at("broadcast").count == 60);
}

BOOST_AUTO_TEST_CASE(bucket_empties_and_refills_on_the_simulated_clock) {
    Sim sim(friend_yaml("  rate_limits: {push: 2/s}\n"));
    sim.clock.set_speed(0);
    BOOST_TEST(sim.push(k_user, {text("a")}).status == 200);
    BOOST_TEST(sim.push(k_user, {text("b")}).status == 200);
    auto refused = sim.push(k_user, {text("c")});
    BOOST_TEST(refused.status == 429);
    BOOST_TEST(body_of(refused) == k_rate_limited);
    BOOST_TEST(header_of(refused, "Retry-After").empty());
    sim.clock.advance(std::chrono::milliseconds(500));
    BOOST_TEST(sim.push(k_user, {text("d")}).status == 200);
    BOOST_TEST(sim.push(k_user, {text("e")}).status == 429);
    auto ledger = sim.ledger(k_user);
    BOOST_TEST(ledger["deliveries"].size() == 3u);
    json expected = json::array();
    expected.push_back({{"status", 429}, {"message", k_rate_limited["message"]}, {"count", 2}});
    BOOST_TEST(ledger["refused"] == expected, ledger["refused"].dump());
}

BOOST_AUTO_TEST_CASE(limits_can_be_switched_off_and_changed_at_run_time) {
    Sim sim(friend_yaml("  rate_limits: {enabled: false, push: 1/s}\n"));
    sim.clock.set_speed(0);
    BOOST_TEST(statuses(sim, 5) == std::vector<int>(5, 200));
    BOOST_TEST(sim.control("POST", "/rate_limits", {{"enabled", true}, {"push", "1/h"}}).status ==
               200);
    BOOST_TEST(statuses(sim, 2) == (std::vector<int>{200, 429}));
    BOOST_TEST(sim.control("POST", "/rate_limits", {{"nonsense", "1/s"}}).status == 400);
}

BOOST_AUTO_TEST_CASE(rich_menu_create_is_100_an_hour) {
    Sim sim;
    sim.clock.set_speed(0);
    json menu = {{"size", {{"width", 2500}, {"height", 843}}},
                 {"selected", false},
                 {"name", "m"},
                 {"chatBarText", "メニュー"},
                 {"areas", json::array()}};
    for (int i = 0; i < 100; ++i) {
        BOOST_REQUIRE(sim.api("POST", "/v2/bot/richmenu", menu).status == 200);
    }
    BOOST_TEST(sim.api("POST", "/v2/bot/richmenu", menu).status == 429);
}

BOOST_AUTO_TEST_CASE(burst_429_refuses_the_next_n_requests) {
    Sim sim(friend_yaml());
    BOOST_TEST(sim.control("POST", "/faults", {{"burst_429", 2}}).status == 200);
    BOOST_TEST(statuses(sim, 3) == (std::vector<int>{429, 429, 200}));
}

BOOST_AUTO_TEST_CASE(rate_500_is_seeded_and_reproducible) {
    Sim sim(friend_yaml());
    sim.control("POST", "/faults", {{"rate_500", 0.5}, {"seed", 7}});
    auto first = statuses(sim, 20);
    sim.control("POST", "/faults", {{"rate_500", 0.5}, {"seed", 7}});
    auto second = statuses(sim, 20);
    BOOST_TEST(first == second);
    auto failures = std::count(first.begin(), first.end(), 500);
    BOOST_TEST(failures > 0);
    BOOST_TEST(failures < 20);
    BOOST_TEST(sim.control("DELETE", "/faults").status == 200);
    BOOST_TEST(statuses(sim, 5) == std::vector<int>(5, 200));
}

BOOST_AUTO_TEST_CASE(faults_can_target_one_endpoint_family) {
    Sim sim(friend_yaml());
    sim.control("POST", "/faults", {{"rate_500", 1.0}, {"endpoints", {"multicast"}}});
    BOOST_TEST(sim.push(k_user, {text("a")}).status == 200);
    auto multicast =
        sim.api("POST", "/v2/bot/message/multicast", {{"to", {k_user}}, {"messages", {text("b")}}});
    BOOST_TEST(multicast.status == 500);
}

BOOST_AUTO_TEST_CASE(timeout_after_delivery_loses_the_answer_but_delivers) {
    Sim sim(friend_yaml());
    sim.control(
        "POST", "/faults",
        {{"rate_timeout", 1.0}, {"timeout_ms", 50}, {"drop", true}, {"after_delivery", true}});
    auto response = sim.push(k_user, {text("a")}, "123e4567-e89b-12d3-a456-426614174000");
    BOOST_TEST(response.drop_connection);
    BOOST_TEST(response.delay.count() == 50);
    BOOST_TEST(sim.ledger(k_user)["deliveries"].size() == 1u);
    sim.control("DELETE", "/faults");
    // The client's retry with the same key learns it was sent.
    BOOST_TEST(sim.push(k_user, {text("a")}, "123e4567-e89b-12d3-a456-426614174000").status == 409);
}

BOOST_AUTO_TEST_CASE(timeout_before_delivery_delivers_nothing) {
    Sim sim(friend_yaml());
    sim.control("POST", "/faults", {{"rate_timeout", 1.0}, {"timeout_ms", 10}, {"drop", true}});
    auto response = sim.push(k_user, {text("a")});
    BOOST_TEST(response.drop_connection);
    BOOST_TEST(sim.ledger(k_user)["deliveries"].empty());
}

BOOST_AUTO_TEST_CASE(bad_fault_keys_are_refused) {
    Sim sim;
    auto response = sim.control("POST", "/faults", {{"rate_5000", 1}});
    BOOST_TEST(response.status == 400);
    BOOST_TEST(
        body_of(response)["message"].get<std::string>().starts_with("bad key or type 'rate_5000'"));
}

BOOST_AUTO_TEST_SUITE_END()
