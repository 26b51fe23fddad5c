#pragma once
// A clock a test sets by hand: time-dependent behaviour is tested without waiting.

#include <atomic>

#include "daemon/clock/clock.hpp"

namespace musubi::test {

class ManualClock final : public clock::Clock {
public:
    explicit ManualClock(clock::Millis start)
        : m_now(start) {}
    clock::Millis now_ms() const override { return m_now.load(); }
    void set(clock::Millis at) { m_now = at; }
    void advance(clock::Millis by) { m_now += by; }

private:
    std::atomic<clock::Millis> m_now;
};

// 2026-11-22 00:00 JST in epoch milliseconds, and helpers to name moments after it.
inline constexpr clock::Millis k_day0_jst = 1795273200000;
inline constexpr clock::Millis k_hour = 3'600'000;
inline constexpr clock::Millis k_day = 24 * k_hour;
inline constexpr clock::Millis jst(int day, int hour, int minute = 0) {
    return k_day0_jst + day * k_day + hour * k_hour + minute * 60'000;
}

} // namespace musubi::test
