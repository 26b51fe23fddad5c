#pragma once
// How stale a poller's picture is: the time since the start of its last poll that succeeded
// (what it read was current then), or since the poller started when none has yet. Operators
// alert on it (musubi_poll_lag_seconds): a lag far beyond poll_interval means RMS or the feed
// has not been read for that long. Thread-safe; monotonic time, so clock jumps do not matter.

#include <atomic>
#include <chrono>
#include <cstdint>

namespace musubi::clock {

class Freshness {
public:
    using Steady = std::chrono::steady_clock;

    void started(Steady::time_point at = Steady::now()) { m_since_ns = count(at); }
    void succeeded(Steady::time_point poll_started) { m_since_ns = count(poll_started); }

    // -1 before started() was ever called.
    double lag_seconds(Steady::time_point now = Steady::now()) const {
        const std::int64_t since = m_since_ns.load();
        if (since < 0) {
            return -1;
        }
        return static_cast<double>(count(now) - since) / 1e9;
    }

private:
    static std::int64_t count(Steady::time_point at) {
        return std::chrono::duration_cast<std::chrono::nanoseconds>(at.time_since_epoch()).count();
    }
    std::atomic<std::int64_t> m_since_ns{-1};
};

} // namespace musubi::clock
