#pragma once
// A clock that stands still until it is set: `musubictl dry-run` steps the real engine through
// the days of a scenario in an instant, on a copy of the store.

#include <atomic>

#include "daemon/clock/clock.hpp"

namespace musubi::clock {

class ManualClock final : public Clock {
public:
    explicit ManualClock(Millis start)
        : m_now(start) {}
    Millis now_ms() const override { return m_now.load(); }
    void set(Millis at) { m_now = at; }

private:
    std::atomic<Millis> m_now;
};

} // namespace musubi::clock
