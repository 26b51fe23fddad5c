#pragma once
// Send windows and times of day in JST, as store staff write them:
// "10:00-20:00"; "21:00-08:00" crosses midnight; "10:00" alone is a time of day.

#include <string>
#include <string_view>

#include <tl/expected.hpp>

namespace musubi::config {

// Minutes after midnight, 0..1440 (1440 only as a window's end, "24:00").
struct TimeOfDay {
    int minutes = 0;
    std::string to_string() const; // "HH:MM"
    bool operator==(const TimeOfDay&) const = default;
};

struct TimeWindow {
    TimeOfDay start;
    TimeOfDay end; // exclusive; earlier than start means the window crosses midnight
    bool contains(TimeOfDay time) const;
    std::string to_string() const; // "HH:MM-HH:MM"
    bool operator==(const TimeWindow&) const = default;
};

tl::expected<TimeOfDay, std::string> parse_time_of_day(std::string_view text);
tl::expected<TimeWindow, std::string> parse_time_window(std::string_view text);

inline constexpr const char* k_time_of_day_hint = "write a JST time as HH:MM, e.g. \"10:00\"";
inline constexpr const char* k_time_window_hint =
    "write a JST window as \"HH:MM-HH:MM\", e.g. \"10:00-20:00\" (\"21:00-08:00\" crosses "
    "midnight)";

} // namespace musubi::config
