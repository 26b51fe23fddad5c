#include "connectors/rakuten/datetime.hpp"

#include <cstdio>

namespace musubi::rakuten {

namespace {

// Reads `width` ASCII digits at `pos`; -1 when any of them is not a digit.
int digits(std::string_view text, std::size_t pos, std::size_t width) {
    int value = 0;
    for (std::size_t i = pos; i < pos + width; ++i) {
        if (text[i] < '0' || text[i] > '9') {
            return -1;
        }
        value = value * 10 + (text[i] - '0');
    }
    return value;
}

tl::expected<std::chrono::sys_days, std::string> read_date(std::string_view text) {
    if (text.size() < 10 || text[4] != '-' || text[7] != '-') {
        return tl::unexpected(std::string("expected a date like 2026-11-22"));
    }
    const int year = digits(text, 0, 4);
    const int month = digits(text, 5, 2);
    const int day = digits(text, 8, 2);
    const std::chrono::year_month_day date{std::chrono::year{year},
                                           std::chrono::month{static_cast<unsigned>(month)},
                                           std::chrono::day{static_cast<unsigned>(day)}};
    if (year < 0 || month < 0 || day < 0 || !date.ok()) {
        return tl::unexpected(std::string("not a real calendar date"));
    }
    return std::chrono::sys_days{date};
}

// yyyy-MM-ddTHH:mm:ss read as JST wall-clock time.
tl::expected<TimePoint, std::string> read_local(std::string_view text) {
    auto day = read_date(text);
    if (!day) {
        return tl::unexpected(day.error());
    }
    if (text.size() < 19 || text[10] != 'T' || text[13] != ':' || text[16] != ':') {
        return tl::unexpected(std::string("expected a time like T10:05:06 after the date"));
    }
    const int hour = digits(text, 11, 2);
    const int minute = digits(text, 14, 2);
    const int second = digits(text, 17, 2);
    if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) {
        return tl::unexpected(std::string("not a real time of day"));
    }
    return TimePoint{*day} + std::chrono::hours{hour} + std::chrono::minutes{minute} +
           std::chrono::seconds{second} - k_jst_offset;
}

} // namespace

std::string format_rms_datetime(TimePoint at) {
    const TimePoint local = at + k_jst_offset;
    const auto day = std::chrono::floor<std::chrono::days>(local);
    const std::chrono::year_month_day date{day};
    const std::chrono::hh_mm_ss time{local - day};
    char text[32];
    std::snprintf(text, sizeof text, "%04d-%02u-%02uT%02d:%02d:%02d+0900", int(date.year()),
                  unsigned(date.month()), unsigned(date.day()), int(time.hours().count()),
                  int(time.minutes().count()), int(time.seconds().count()));
    return text;
}

tl::expected<TimePoint, std::string> parse_rms_datetime(std::string_view text) {
    // RMS answers with +0900; its newer documentation shows +09:00, so both are JST here.
    const bool compact = text.size() == 24 && text.substr(19) == "+0900";
    const bool colon = text.size() == 25 && text.substr(19) == "+09:00";
    if (!compact && !colon) {
        return tl::unexpected(
            std::string("expected JST like 2026-11-22T10:05:06+0900 (offset +0900 or +09:00)"));
    }
    return read_local(text.substr(0, 19));
}

tl::expected<TimePoint, std::string> parse_rms_local_datetime(std::string_view text) {
    if (text.size() != 19) {
        return tl::unexpected(std::string("expected JST like 2026-11-28T23:59:59 (no offset)"));
    }
    return read_local(text);
}

tl::expected<std::chrono::sys_days, std::string> parse_rms_date(std::string_view text) {
    if (text.size() != 10) {
        return tl::unexpected(std::string("expected a date like 2026-11-22"));
    }
    return read_date(text);
}

std::string format_rms_date(std::chrono::sys_days day) {
    const std::chrono::year_month_day date{day};
    char text[16];
    std::snprintf(text, sizeof text, "%04d-%02u-%02u", int(date.year()), unsigned(date.month()),
                  unsigned(date.day()));
    return text;
}

} // namespace musubi::rakuten
