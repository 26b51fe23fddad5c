#include "daemon/clock/clock.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "connectors/http/http_client.hpp"

namespace musubi::clock {

Millis SystemClock::now_ms() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

FollowClock::FollowClock(std::string clock_url, std::chrono::milliseconds refresh)
    : m_url(std::move(clock_url))
    , m_refresh(refresh) {}

// Reads the simulator's clock; on any failure keeps running on the last reading (or the
// system clock before the first), so a slow simulator never stops time.
void FollowClock::refresh_if_due() const {
    const auto now = std::chrono::steady_clock::now();
    if (m_read_at != std::chrono::steady_clock::time_point{} && now - m_read_at < m_refresh) {
        return;
    }
    m_read_at = now;
    http::Client client(m_url, std::chrono::milliseconds(2000));
    auto response = client.send({"GET", "/_sim/clock", {}, {}, {}});
    if (!response || response->status != 200) {
        if (m_base_ms == 0) {
            m_base_ms = SystemClock().now_ms();
            m_base_at = now;
        }
        return;
    }
    const auto body = nlohmann::json::parse(response->body, nullptr, false);
    if (!body.is_object() || !body.contains("epoch_ms") || !body.contains("speed")) {
        return;
    }
    m_base_ms = body["epoch_ms"].get<Millis>();
    m_speed = body["speed"].get<double>();
    m_base_at = std::chrono::steady_clock::now();
}

Millis FollowClock::now_ms() const {
    std::lock_guard lock(m_mutex);
    refresh_if_due();
    const auto elapsed = std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::steady_clock::now() - m_base_at);
    const auto now =
        m_base_ms + static_cast<Millis>(static_cast<double>(elapsed.count()) * m_speed / 1000.0);
    m_last_ms = std::max(m_last_ms, now);
    return m_last_ms;
}

double FollowClock::speed() const {
    std::lock_guard lock(m_mutex);
    refresh_if_due();
    return m_speed;
}

std::shared_ptr<Clock> make_clock(const std::string& follow_url) {
    if (follow_url.empty()) {
        return std::make_shared<SystemClock>();
    }
    return std::make_shared<FollowClock>(follow_url, std::chrono::milliseconds(200));
}

std::chrono::milliseconds real_time(const Clock& clock, std::chrono::milliseconds simulated) {
    const double speed = clock.speed();
    if (speed <= 0) {
        return simulated; // a frozen simulator: wait as if at real speed
    }
    const auto real = static_cast<std::int64_t>(static_cast<double>(simulated.count()) / speed);
    return std::chrono::milliseconds(std::max<std::int64_t>(real, 1));
}

} // namespace musubi::clock
