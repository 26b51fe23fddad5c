#pragma once
// The one source of "now" for everything time-dependent in the daemon: due times, send
// windows, waits, expiry. Production uses the system clock; the demo and the tests follow
// musubi-sim's clock (`clock.follow` in musubi.yaml), so that 3 simulated days pass in
// seconds and the simulator and musubi agree on what time it is.

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

namespace musubi::clock {

// Milliseconds since the Unix epoch (UTC), as stored everywhere in the database.
using Millis = std::int64_t;

class Clock {
public:
    virtual ~Clock() = default;
    virtual Millis now_ms() const = 0;
    // How much real time passes per simulated millisecond (1 for the system clock); sleeps
    // are divided by the speed so that a 1-minute wait at 60x takes a second.
    virtual double speed() const { return 1.0; }
};

class SystemClock final : public Clock {
public:
    Millis now_ms() const override;
};

// Follows musubi-sim's `GET /_sim/clock` ({"epoch_ms", "speed"}): between reads it runs on
// at the simulator's speed, and it reads again every `refresh` (real time), so that jumps the
// tests make (`advance: 3d`) are seen within that time. Never goes backwards.
class FollowClock final : public Clock {
public:
    FollowClock(std::string clock_url, std::chrono::milliseconds refresh);
    Millis now_ms() const override;
    double speed() const override;

private:
    void refresh_if_due() const;

    std::string m_url;
    std::chrono::milliseconds m_refresh;
    mutable std::mutex m_mutex;
    mutable Millis m_base_ms = 0;
    mutable double m_speed = 1.0;
    mutable std::chrono::steady_clock::time_point m_base_at{};
    mutable std::chrono::steady_clock::time_point m_read_at{};
    mutable Millis m_last_ms = 0;
};

// The clock named by the configuration: empty `follow_url` → the system clock.
std::shared_ptr<Clock> make_clock(const std::string& follow_url);

// Real time to sleep for `simulated` on `clock` (at least 1 ms).
std::chrono::milliseconds real_time(const Clock& clock, std::chrono::milliseconds simulated);

} // namespace musubi::clock
