#pragma once
// Time arithmetic in Asia/Tokyo. Japan has had no daylight saving time since 1951, so JST is
// UTC+9 all year and a fixed offset is exact.

#include <cstdint>
#include <string>

#include "daemon/config/time_window.hpp"

namespace musubi::engine::jst {

using Millis = std::int64_t;

inline constexpr Millis k_offset_ms = 9LL * 60 * 60 * 1000;
inline constexpr Millis k_day_ms = 24LL * 60 * 60 * 1000;
inline constexpr Millis k_minute_ms = 60LL * 1000;

// Midnight JST at the start of the day `at` falls in.
Millis day_start(Millis at);
config::TimeOfDay time_of_day(Millis at);
// The first moment at or after `at` whose JST time is `time`.
Millis next_time_of_day(config::TimeOfDay time, Millis at);
// `at` itself when inside the window, else the window's next opening.
Millis next_opening(const config::TimeWindow& window, Millis at);
// "2026年11月22日"
std::string date_text(Millis at);
// "2026-11-22 10:05"
std::string minute_text(Millis at);

} // namespace musubi::engine::jst
