#include "daemon/config/time_window.hpp"

#include <cstdio>

namespace musubi::config {

namespace {

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

// "H:MM" or "HH:MM"; allow_24 admits "24:00" (the end of a window).
tl::expected<TimeOfDay, std::string> parse_clock(std::string_view text, bool allow_24) {
    const auto colon = text.find(':');
    const bool shape_ok = colon != std::string_view::npos && (colon == 1 || colon == 2) &&
                          text.size() == colon + 3 && is_digit(text[0]) &&
                          (colon == 1 || is_digit(text[1])) && is_digit(text[colon + 1]) &&
                          is_digit(text[colon + 2]);
    if (!shape_ok) {
        return tl::unexpected("'" + std::string(text) + "' is not a time of day");
    }
    const int hours = colon == 1 ? text[0] - '0' : (text[0] - '0') * 10 + (text[1] - '0');
    const int minutes = (text[colon + 1] - '0') * 10 + (text[colon + 2] - '0');
    const bool is_24 = allow_24 && hours == 24 && minutes == 0;
    if ((hours > 23 && !is_24) || minutes > 59) {
        return tl::unexpected("'" + std::string(text) + "' is not a time of day (00:00 to 23:59)");
    }
    return TimeOfDay{hours * 60 + minutes};
}

} // namespace

std::string TimeOfDay::to_string() const {
    char text[16];
    std::snprintf(text, sizeof text, "%02d:%02d", minutes / 60, minutes % 60);
    return text;
}

bool TimeWindow::contains(TimeOfDay time) const {
    if (start.minutes < end.minutes) {
        return time.minutes >= start.minutes && time.minutes < end.minutes;
    }
    return time.minutes >= start.minutes || time.minutes < end.minutes;
}

std::string TimeWindow::to_string() const {
    return start.to_string() + "-" + end.to_string();
}

tl::expected<TimeOfDay, std::string> parse_time_of_day(std::string_view text) {
    return parse_clock(text, false);
}

tl::expected<TimeWindow, std::string> parse_time_window(std::string_view text) {
    const auto dash = text.find('-');
    if (dash == std::string_view::npos) {
        return tl::unexpected("'" + std::string(text) + "' is not a time window");
    }
    auto start = parse_clock(text.substr(0, dash), false);
    auto end = parse_clock(text.substr(dash + 1), true);
    if (!start || !end) {
        return tl::unexpected("'" + std::string(text) + "' is not a time window");
    }
    if (start->minutes == end->minutes) {
        return tl::unexpected("'" + std::string(text) +
                              "' is an empty window (it starts and ends at the same time)");
    }
    return TimeWindow{*start, *end};
}

} // namespace musubi::config
