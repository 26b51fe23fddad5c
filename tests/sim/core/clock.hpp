#pragma once
// Simulated time, shared by every Service and readable by musubi through GET /_sim/clock.
// sim_now = base_sim + (real_now - base_real) * speed, plus whatever was advanced by hand.
// Thread-safe.

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace musubi::sim {

class Clock {
public:
    using time_point = std::chrono::system_clock::time_point;

    Clock();
    time_point now() const;
    // Jump forward (tests use this to skip days without waiting).
    void advance(std::chrono::milliseconds by);
    // Set the absolute simulated time, keeping the current speed.
    void set(time_point to);
    // 1.0 is real time; 60.0 makes a simulated minute pass each real second.
    void set_speed(double speed);
    double speed() const;

private:
    mutable std::mutex m_mutex;
    std::chrono::steady_clock::time_point m_base_real;
    time_point m_base_sim;
    double m_speed = 1.0;
};

std::int64_t to_epoch_ms(Clock::time_point at);
Clock::time_point from_epoch_ms(std::int64_t epoch_ms);
// `yyyy-MM-ddTHH:mm:ss+0900`: the JST form both platforms use on the wire.
std::string format_jst(Clock::time_point at);
// Reads the form format_jst writes; nullopt when it is anything else.
std::optional<Clock::time_point> parse_jst(std::string_view text);
// "90s", "15m", "3h", "2d", "250ms" (a bare number is milliseconds); nullopt when malformed.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);

} // namespace musubi::sim
