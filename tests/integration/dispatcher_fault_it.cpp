// The fault test of issue 6: with 10% 500s, 5% timeouts (some after LINE delivered, the
// answer lost) and bursts of 429s injected, every message still ends delivered exactly once
// and every row `sent`.

#include <algorithm>

#include <boost/test/unit_test.hpp>

#include "dispatcher_support.hpp"

using nlohmann::json;
using namespace musubi;
using namespace musubi::test;

namespace {

constexpr int k_friends = 40;
constexpr int k_per_friend = 50; // 2,000 messages

std::string text_for(int friend_n, int i) {
    return "お知らせ " + std::to_string(friend_n) + "-" + std::to_string(i);
}

void insert_messages(TestStore& store, int from, int to) {
    std::vector<store::sqlite::NewMessage> rows;
    for (int n = 1; n <= k_friends; ++n) {
        for (int i = from; i <= to; ++i) {
            rows.push_back(
                store.message(n, "fault/" + text_for(n, i), text_messages(text_for(n, i))));
        }
    }
    store.insert(rows);
}

} // namespace

BOOST_AUTO_TEST_SUITE(dispatcher_fault)

BOOST_AUTO_TEST_CASE(faults_never_lose_or_repeat_a_message) {
    SimProcess sim(sim_scenario(k_friends));
    TestStore store(k_friends);
    auto options = test_options(sim);
    // Shorter than the simulator's 300 ms stall, so that a stalled answer is a timeout here.
    options.client.timeout = std::chrono::milliseconds(200);
    dispatch::Dispatcher dispatcher(store.outbox(), store.clock());

    // Phase 1: 500s and timeouts before delivery, and a burst of 429s.
    sim.control_post("/_sim/line/faults", {{"rate_500", 0.1},
                                           {"rate_timeout", 0.05},
                                           {"timeout_ms", 300},
                                           {"burst_429", 40},
                                           {"seed", 6}});
    insert_messages(store, 1, k_per_friend / 2);
    dispatcher.start(options);
    BOOST_REQUIRE(store.wait_until_settled());

    // Phase 2: the same rates, but LINE delivers first and the answer is lost: the resend
    // with the same retry key must be answered 409 and count as sent.
    sim.control_post("/_sim/line/faults", {{"rate_500", 0.1},
                                           {"rate_timeout", 0.05},
                                           {"timeout_ms", 300},
                                           {"after_delivery", true},
                                           {"burst_429", 40},
                                           {"seed", 7}});
    insert_messages(store, k_per_friend / 2 + 1, k_per_friend);
    dispatcher.wake();
    BOOST_REQUIRE(store.wait_until_settled());
    dispatcher.stop();

    const int total = k_friends * k_per_friend;
    BOOST_TEST(store.count("state = 'sent'") == total);
    const auto ledger = sim.control_get("/_sim/line/ledger");
    BOOST_TEST(ledger["counters"]["deliveries"] == total);
    BOOST_TEST(ledger["counters"]["duplicate_deliveries"] == 0);
    BOOST_TEST(ledger["counters"]["same_retry_key_deliveries"] == 0);
    auto texts = delivered_texts(ledger);
    for (int n = 1; n <= k_friends; ++n) {
        auto got = texts[user_id(n)];
        std::sort(got.begin(), got.end());
        std::vector<std::string> expected;
        for (int i = 1; i <= k_per_friend; ++i) {
            expected.push_back(text_for(n, i));
        }
        std::sort(expected.begin(), expected.end());
        BOOST_TEST(got == expected, boost::test_tools::per_element());
    }
    // The faults did happen, and were retried rather than given up.
    const auto stats = dispatcher.stats();
    BOOST_TEST(stats.retried > 0);
    BOOST_TEST(stats.rate_limited > 0);
    BOOST_TEST(stats.already_sent > 0);
    BOOST_TEST(ledger["counters"]["retry_key_conflicts"].get<long>() == stats.already_sent);
    BOOST_TEST(std::stoll(store.text("SELECT count(*) FROM deliveries WHERE outcome = "
                                     "'transient'")) > 0);
    BOOST_TEST_MESSAGE("fault test: " << total << " messages, " << stats.retried << " retries ("
                                      << stats.rate_limited << " rate limited), "
                                      << stats.already_sent << " answered 409");
}

BOOST_AUTO_TEST_SUITE_END()
