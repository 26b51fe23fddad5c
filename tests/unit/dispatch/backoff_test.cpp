#include <boost/test/unit_test.hpp>

#include "daemon/dispatch/backoff.hpp"

using namespace musubi::dispatch;
using namespace std::chrono_literals;

BOOST_AUTO_TEST_SUITE(backoff)

BOOST_AUTO_TEST_CASE(the_step_doubles_from_the_initial_wait_up_to_the_maximum) {
    const BackoffPolicy policy{1s, 10s};
    BOOST_TEST(backoff_ceiling(policy, 1).count() == 1000);
    BOOST_TEST(backoff_ceiling(policy, 2).count() == 2000);
    BOOST_TEST(backoff_ceiling(policy, 3).count() == 4000);
    BOOST_TEST(backoff_ceiling(policy, 4).count() == 8000);
    BOOST_TEST(backoff_ceiling(policy, 5).count() == 10000);
    BOOST_TEST(backoff_ceiling(policy, 1'000'000).count() == 10000); // no overflow
}

BOOST_AUTO_TEST_CASE(jitter_stays_in_the_upper_half_of_the_step) {
    const BackoffPolicy policy{1s, 10min};
    BOOST_TEST(backoff_delay(policy, 3, 0.0).count() == 2000);
    BOOST_TEST(backoff_delay(policy, 3, 0.5).count() == 3000);
    BOOST_TEST(backoff_delay(policy, 3, 0.999999).count() == 3999);
    // Out-of-range draws are clamped rather than trusted.
    BOOST_TEST(backoff_delay(policy, 3, 7.0).count() == 4000);
    BOOST_TEST(backoff_delay(policy, 3, -1.0).count() == 2000);
}

BOOST_AUTO_TEST_CASE(a_tiny_initial_wait_still_waits_at_least_a_millisecond) {
    const BackoffPolicy policy{0ms, 0ms};
    BOOST_TEST(backoff_delay(policy, 1, 0.0).count() == 1);
}

BOOST_AUTO_TEST_CASE(a_maximum_below_the_initial_wait_means_the_initial_wait) {
    const BackoffPolicy policy{5s, 1s};
    BOOST_TEST(backoff_ceiling(policy, 4).count() == 5000);
}

BOOST_AUTO_TEST_SUITE_END()
