#include <boost/test/unit_test.hpp>

#include "daemon/dispatch/token_bucket.hpp"

using musubi::dispatch::TokenBucket;
using namespace std::chrono_literals;

namespace {

// How many of `calls` reservations made at `now` may go without waiting.
int immediate(TokenBucket& bucket, TokenBucket::Clock::time_point now, int calls) {
    int count = 0;
    for (int i = 0; i < calls; ++i) {
        if (bucket.reserve(now) == TokenBucket::Clock::duration::zero()) {
            ++count;
        }
    }
    return count;
}

} // namespace

BOOST_AUTO_TEST_SUITE(token_bucket)

BOOST_AUTO_TEST_CASE(a_full_bucket_lets_its_burst_go_at_once_then_spaces_tokens_by_the_rate) {
    TokenBucket bucket(1000, 10);
    const auto start = TokenBucket::Clock::now();
    BOOST_TEST(immediate(bucket, start, 10) == 10);
    // The 11th token is issued one interval (1 ms at 1000/s) later, the 12th two.
    BOOST_TEST(
        std::chrono::duration_cast<std::chrono::microseconds>(bucket.reserve(start)).count() ==
        1000);
    BOOST_TEST(
        std::chrono::duration_cast<std::chrono::microseconds>(bucket.reserve(start)).count() ==
        2000);
}

BOOST_AUTO_TEST_CASE(over_a_second_it_issues_rate_plus_burst_tokens_and_no_more) {
    TokenBucket bucket(2000, 200);
    const auto start = TokenBucket::Clock::now();
    int issued_within_a_second = 0;
    for (int i = 0; i < 5000; ++i) {
        if (bucket.reserve(start) <= 1s) {
            ++issued_within_a_second;
        }
    }
    // 200 at once, then one every 0.5 ms: 2,200 tokens are due before one second has passed.
    BOOST_TEST(issued_within_a_second == 2200);
}

BOOST_AUTO_TEST_CASE(a_refilled_bucket_holds_only_its_burst) {
    TokenBucket bucket(100, 5);
    const auto start = TokenBucket::Clock::now();
    BOOST_TEST(immediate(bucket, start, 5) == 5);
    // An hour idle refills no more than 5 tokens.
    BOOST_TEST(immediate(bucket, start + 1h, 50) == 5);
}

BOOST_AUTO_TEST_CASE(a_429_halves_the_rate_forgets_the_burst_and_the_rate_recovers) {
    TokenBucket bucket(2000, 200, 10s);
    const auto start = TokenBucket::Clock::now();
    bucket.slow_down(start);
    BOOST_TEST(bucket.rate(start) == 1000.0);
    BOOST_TEST(immediate(bucket, start, 10) == 1); // the saved-up burst is gone
    bucket.slow_down(start);
    bucket.slow_down(start);
    bucket.slow_down(start);
    bucket.slow_down(start);
    BOOST_TEST(bucket.rate(start) == 200.0); // never below a tenth of the configured rate
    // Linear recovery: 10 s brings back the whole configured rate, 5 s half of it.
    BOOST_TEST(bucket.rate(start + 5s) == 1200.0);
    BOOST_TEST(bucket.rate(start + 60s) == 2000.0);
    BOOST_TEST(bucket.configured_rate() == 2000.0);
}

BOOST_AUTO_TEST_CASE(a_reload_sets_the_new_rate_at_once) {
    TokenBucket bucket(2000, 1);
    const auto start = TokenBucket::Clock::now();
    bucket.slow_down(start);
    bucket.set_rate(50);
    BOOST_TEST(bucket.rate(start) == 50.0);
    BOOST_TEST(bucket.configured_rate() == 50.0);
}

BOOST_AUTO_TEST_SUITE_END()
