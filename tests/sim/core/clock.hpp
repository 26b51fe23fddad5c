#pragma once
// Simulated time, shared by every Service and readable by musubi through GET /_sim/clock.
// sim_now = base_sim + (real_now - base_real) * speed, plus whatever was advanced by hand.
// Thread-safe.

#include <chrono>
#include <mutex>

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

} // namespace musubi::sim
