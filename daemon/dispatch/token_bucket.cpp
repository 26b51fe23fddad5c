#include "daemon/dispatch/token_bucket.hpp"

#include <algorithm>
#include <thread>

namespace musubi::dispatch {

namespace {

TokenBucket::Clock::duration interval_of(double rate) {
    return std::chrono::duration_cast<TokenBucket::Clock::duration>(
        std::chrono::duration<double>(1.0 / rate));
}

} // namespace

TokenBucket::TokenBucket(double rate_per_second, double burst, std::chrono::milliseconds recovery)
    : m_configured(std::max(rate_per_second, 0.001))
    , m_rate(m_configured)
    , m_burst(std::max(burst, 1.0))
    , m_recovery(recovery) {}

void TokenBucket::recover(Clock::time_point now) {
    if (m_rate < m_configured && now > m_updated && m_recovery.count() > 0) {
        const double elapsed = std::chrono::duration<double>(now - m_updated).count();
        const double recovery = std::chrono::duration<double>(m_recovery).count();
        m_rate = std::min(m_configured, m_rate + m_configured * elapsed / recovery);
    }
    m_updated = std::max(m_updated, now);
}

TokenBucket::Clock::duration TokenBucket::reserve(Clock::time_point now) {
    std::lock_guard lock(m_mutex);
    recover(now);
    const auto interval = interval_of(m_rate);
    // A full bucket lets `burst` tokens go at once: the schedule may lag `now` by that much.
    const auto earliest =
        now - std::chrono::duration_cast<Clock::duration>(interval * (m_burst - 1.0));
    const auto issue = std::max(m_next, earliest);
    m_next = issue + interval;
    return issue > now ? issue - now : Clock::duration::zero();
}

void TokenBucket::acquire() {
    const auto wait = reserve(Clock::now());
    if (wait > Clock::duration::zero()) {
        std::this_thread::sleep_for(wait);
    }
}

void TokenBucket::slow_down(Clock::time_point now) {
    std::lock_guard lock(m_mutex);
    recover(now);
    m_rate = std::max(m_configured / 10.0, m_rate / 2.0);
    m_next = std::max(m_next, now);
}

void TokenBucket::set_rate(double rate_per_second) {
    std::lock_guard lock(m_mutex);
    m_configured = std::max(rate_per_second, 0.001);
    m_rate = m_configured;
}

double TokenBucket::rate(Clock::time_point now) {
    std::lock_guard lock(m_mutex);
    recover(now);
    return m_rate;
}

double TokenBucket::configured_rate() const {
    std::lock_guard lock(m_mutex);
    return m_configured;
}

} // namespace musubi::dispatch
