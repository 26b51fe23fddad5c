#include "daemon/engine/jst.hpp"

#include <chrono>
#include <cstdio>

namespace musubi::engine::jst {

namespace {

Millis floor_div(Millis a, Millis b) {
    return a >= 0 ? a / b : -((-a + b - 1) / b);
}

std::chrono::year_month_day civil_date(Millis at) {
    const auto days =
        std::chrono::sys_days(std::chrono::days(floor_div(at + k_offset_ms, k_day_ms)));
    return std::chrono::year_month_day(days);
}

} // namespace

Millis day_start(Millis at) {
    return floor_div(at + k_offset_ms, k_day_ms) * k_day_ms - k_offset_ms;
}

config::TimeOfDay time_of_day(Millis at) {
    return config::TimeOfDay{static_cast<int>((at - day_start(at)) / k_minute_ms)};
}

Millis next_time_of_day(config::TimeOfDay time, Millis at) {
    const Millis candidate = day_start(at) + time.minutes * k_minute_ms;
    return candidate >= at ? candidate : candidate + k_day_ms;
}

Millis next_opening(const config::TimeWindow& window, Millis at) {
    if (window.contains(time_of_day(at))) {
        return at;
    }
    return next_time_of_day(window.start, at);
}

std::string date_text(Millis at) {
    const auto date = civil_date(at);
    char text[32];
    std::snprintf(text, sizeof text, "%d年%u月%u日", static_cast<int>(date.year()),
                  static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
    return text;
}

std::string minute_text(Millis at) {
    const auto date = civil_date(at);
    const int minutes = time_of_day(at).minutes;
    char text[32];
    std::snprintf(text, sizeof text, "%04d-%02u-%02u %02d:%02d", static_cast<int>(date.year()),
                  static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                  minutes / 60, minutes % 60);
    return text;
}

} // namespace musubi::engine::jst
