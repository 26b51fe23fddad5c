#include "clock.hpp"

namespace musubi::sim {

Clock::Clock() : m_base_real(std::chrono::steady_clock::now()), m_base_sim(std::chrono::system_clock::now()) {}

Clock::time_point Clock::now() const {
    std::lock_guard lock(m_mutex);
    auto real_elapsed = std::chrono::steady_clock::now() - m_base_real;
    auto sim_elapsed = std::chrono::duration_cast<std::chrono::system_clock::duration>(
        std::chrono::duration<double, std::nano>(real_elapsed) * m_speed);
    return m_base_sim + sim_elapsed;
}

void Clock::advance(std::chrono::milliseconds by) {
    auto current = now();
    std::lock_guard lock(m_mutex);
    m_base_real = std::chrono::steady_clock::now();
    m_base_sim = current + by;
}

void Clock::set(time_point to) {
    std::lock_guard lock(m_mutex);
    m_base_real = std::chrono::steady_clock::now();
    m_base_sim = to;
}

void Clock::set_speed(double speed) {
    auto current = now();
    std::lock_guard lock(m_mutex);
    m_base_real = std::chrono::steady_clock::now();
    m_base_sim = current;
    m_speed = speed;
}

double Clock::speed() const {
    std::lock_guard lock(m_mutex);
    return m_speed;
}

} // namespace musubi::sim
