#include "clock.hpp"

#include <cstdio>
#include <ctime>

namespace musubi::sim {

Clock::Clock()
    : m_base_real(std::chrono::steady_clock::now())
    , m_base_sim(std::chrono::system_clock::now()) {}

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

namespace musubi::sim {

namespace {

constexpr std::int64_t k_jst_offset_ms = 9LL * 3600 * 1000;

} // namespace

std::int64_t to_epoch_ms(Clock::time_point at) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(at.time_since_epoch()).count();
}

Clock::time_point from_epoch_ms(std::int64_t epoch_ms) {
    return Clock::time_point(std::chrono::milliseconds(epoch_ms));
}

std::string format_jst(Clock::time_point at) {
    // The JST wall clock is UTC shifted by nine hours: let gmtime_r split the shifted second.
    auto local_ms = to_epoch_ms(at) + k_jst_offset_ms;
    auto local_seconds = static_cast<std::time_t>(
        std::chrono::floor<std::chrono::seconds>(std::chrono::milliseconds(local_ms)).count());
    std::tm fields{};
    gmtime_r(&local_seconds, &fields);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S+0900", &fields);
    return text;
}

std::optional<Clock::time_point> parse_jst(std::string_view text) {
    int year = 0;
    unsigned month = 0, day = 0, hour = 0, minute = 0, second = 0;
    char tail = 0;
    std::string copy(text);
    if (text.size() != 24 || std::sscanf(copy.c_str(), "%4d-%2u-%2uT%2u:%2u:%2u+0900%c", &year,
                                         &month, &day, &hour, &minute, &second, &tail) != 6) {
        return std::nullopt;
    }
    std::chrono::year_month_day date{std::chrono::year(year), std::chrono::month(month),
                                     std::chrono::day(day)};
    if (!date.ok() || hour > 23 || minute > 59 || second > 59) {
        return std::nullopt;
    }
    auto local = std::chrono::sys_days(date) + std::chrono::hours(hour) +
                 std::chrono::minutes(minute) + std::chrono::seconds(second);
    return Clock::time_point(local.time_since_epoch() - std::chrono::milliseconds(k_jst_offset_ms));
}

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
    std::size_t digits = 0;
    while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') {
        ++digits;
    }
    if (digits == 0 || digits > 15) {
        return std::nullopt;
    }
    auto value = std::stoll(std::string(text.substr(0, digits)));
    auto unit = text.substr(digits);
    if (unit.empty() || unit == "ms") {
        return std::chrono::milliseconds(value);
    }
    if (unit == "s") {
        return std::chrono::seconds(value);
    }
    if (unit == "m" || unit == "min") {
        return std::chrono::minutes(value);
    }
    if (unit == "h") {
        return std::chrono::hours(value);
    }
    if (unit == "d") {
        return std::chrono::hours(24 * value);
    }
    return std::nullopt;
}

} // namespace musubi::sim
