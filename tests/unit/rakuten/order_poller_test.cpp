// The order poller's wait between polls passes on the interval clock: following musubi-sim at
// 4000x, a 1-minute poll_interval is 15 ms of real time, not a minute.

#include <atomic>
#include <thread>

#include <boost/test/unit_test.hpp>

#include "daemon/rakuten/order_poller.hpp"
#include "daemon/store/sqlite/sqlite_store.hpp"
#include "support/manual_clock.hpp"
#include "support/temp_dir.hpp"

using namespace musubi;
using namespace musubi::rakuten_poller;
using namespace std::chrono_literals;

namespace {

// A clock set by hand that says it runs `speed` times faster than real time.
class SpeedClock final : public clock::Clock {
public:
    explicit SpeedClock(double speed)
        : m_speed(speed) {}
    clock::Millis now_ms() const override { return m_now.load(); }
    double speed() const override { return m_speed; }
    void set(clock::Millis at) { m_now = at; }

private:
    double m_speed;
    std::atomic<clock::Millis> m_now{test::k_day0_jst};
};

// A clock that really runs `speed` times faster than real time (a simulator's).
class RunningClock final : public clock::Clock {
public:
    explicit RunningClock(double speed)
        : m_speed(speed) {}
    clock::Millis now_ms() const override {
        const auto real = std::chrono::steady_clock::now() - m_started;
        return test::k_day0_jst +
               static_cast<clock::Millis>(
                   static_cast<double>(
                       std::chrono::duration_cast<std::chrono::microseconds>(real).count()) *
                   m_speed / 1000.0);
    }
    double speed() const override { return m_speed; }

private:
    double m_speed;
    std::chrono::steady_clock::time_point m_started = std::chrono::steady_clock::now();
};

} // namespace

BOOST_AUTO_TEST_SUITE(order_poller)

BOOST_AUTO_TEST_CASE(a_simulated_minute_at_4000x_is_15_ms) {
    SpeedClock clock(4000);
    const auto wait = next_poll_wait(clock, test::k_day0_jst + 60'000, 60s);
    BOOST_REQUIRE(wait.has_value());
    BOOST_TEST(wait->count() == 15);
}

BOOST_AUTO_TEST_CASE(real_time_waits_in_slices_of_at_most_a_second) {
    SpeedClock clock(1);
    const auto wait = next_poll_wait(clock, test::k_day0_jst + 60'000, 60s);
    BOOST_REQUIRE(wait.has_value());
    BOOST_TEST(wait->count() == k_max_wait_slice.count());
}

BOOST_AUTO_TEST_CASE(due_on_the_clock_polls_now) {
    SpeedClock clock(4000);
    clock.set(test::k_day0_jst + 60'000);
    BOOST_TEST(!next_poll_wait(clock, test::k_day0_jst + 60'000, 60s).has_value());
}

BOOST_AUTO_TEST_CASE(a_frozen_clock_holds_polls_back_no_longer_than_the_interval) {
    SpeedClock frozen(0);
    const auto wait = next_poll_wait(frozen, test::k_day0_jst + 60'000, 300ms);
    BOOST_REQUIRE(wait.has_value());
    BOOST_TEST(wait->count() == 300);
    BOOST_TEST(!next_poll_wait(frozen, test::k_day0_jst + 60'000, 0ms).has_value());
}

// An hour's poll_interval on a clock at 3,600,000x is a millisecond: the poller polls again and
// again (each poll fails: nothing listens at the RMS address), where waiting in real time
// would have meant one poll in the hour.
BOOST_AUTO_TEST_CASE(the_poller_waits_on_the_interval_clock) {
    test::TempDir dir;
    auto opened = store::sqlite::SqliteStore::open(dir / "musubi.db", 2000ms);
    BOOST_REQUIRE_MESSAGE(opened, (opened ? "" : opened.error().message));
    PollerOptions options;
    options.rakuten.enabled = true;
    options.rakuten.base_url = "http://127.0.0.1:1";
    options.rakuten.poll_interval = 1h;
    options.rakuten.request_interval = 0ms;
    options.rakuten.timeout = 1s;
    options.retry = rakuten::RetryPolicy{1, 1ms, 1ms};
    options.interval_clock = std::make_shared<RunningClock>(3'600'000.0);
    OrderPoller poller(**opened);
    poller.reload(options);
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (poller.polls() < 3 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(5ms);
    }
    BOOST_TEST(poller.polls() >= 3);
    poller.stop();
}

BOOST_AUTO_TEST_SUITE_END()
