#include "jst_time.hpp"

#include <cstdio>

namespace musubi::sim::rakuten {

namespace {

struct Civil {
    int year;
    unsigned month;
    unsigned day;
    int hour;
    int minute;
    int second;
};

Civil to_jst_civil(EpochSeconds at) {
    EpochSeconds local = at + k_jst_offset;
    EpochSeconds days = local >= 0 ? local / k_day : (local - k_day + 1) / k_day;
    EpochSeconds in_day = local - days * k_day;
    std::chrono::year_month_day ymd{std::chrono::sys_days{std::chrono::days{days}}};
    return Civil{int(ymd.year()),      unsigned(ymd.month()),           unsigned(ymd.day()),
                 int(in_day / k_hour), int(in_day % k_hour / k_minute), int(in_day % k_minute)};
}

bool read_digits(std::string_view text, std::size_t at, std::size_t count, int& out) {
    out = 0;
    for (std::size_t i = at; i < at + count; ++i) {
        if (text[i] < '0' || text[i] > '9') {
            return false;
        }
        out = out * 10 + (text[i] - '0');
    }
    return true;
}

// Reads `yyyy-MM-ddTHH:mm:ss` at the start of `text` as a JST wall-clock time.
std::optional<EpochSeconds> parse_local_part(std::string_view text) {
    if (text.size() < 19 || text[4] != '-' || text[7] != '-' || text[10] != 'T' ||
        text[13] != ':' || text[16] != ':') {
        return std::nullopt;
    }
    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
    if (!read_digits(text, 0, 4, year) || !read_digits(text, 5, 2, month) ||
        !read_digits(text, 8, 2, day) || !read_digits(text, 11, 2, hour) ||
        !read_digits(text, 14, 2, minute) || !read_digits(text, 17, 2, second)) {
        return std::nullopt;
    }
    std::chrono::year_month_day ymd{std::chrono::year{year}, std::chrono::month{unsigned(month)},
                                    std::chrono::day{unsigned(day)}};
    if (!ymd.ok() || hour > 23 || minute > 59 || second > 59) {
        return std::nullopt;
    }
    EpochSeconds days = std::chrono::sys_days{ymd}.time_since_epoch().count();
    return days * k_day + hour * k_hour + minute * k_minute + second - k_jst_offset;
}

} // namespace

EpochSeconds to_epoch(std::chrono::system_clock::time_point at) {
    return std::chrono::duration_cast<std::chrono::seconds>(at.time_since_epoch()).count();
}

std::optional<EpochSeconds> parse_rms_datetime(std::string_view text) {
    if (text.size() != 24 || text.substr(19) != "+0900") {
        return std::nullopt;
    }
    return parse_local_part(text);
}

std::optional<EpochSeconds> parse_jst_local_datetime(std::string_view text) {
    if (text.size() != 19) {
        return std::nullopt;
    }
    return parse_local_part(text);
}

std::string format_jst_local_datetime(EpochSeconds at) {
    Civil c = to_jst_civil(at);
    char buffer[40];
    std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02uT%02d:%02d:%02d", c.year, c.month, c.day,
                  c.hour, c.minute, c.second);
    return buffer;
}

std::string format_rms_datetime(EpochSeconds at) {
    return format_jst_local_datetime(at) + "+0900";
}

std::string format_jst_date(EpochSeconds at) {
    return format_jst_local_datetime(at).substr(0, 10);
}

EpochSeconds jst_day_start(EpochSeconds at) {
    Civil c = to_jst_civil(at);
    return at - (c.hour * k_hour + c.minute * k_minute + c.second);
}

std::string format_jst_compact_date(EpochSeconds at) {
    Civil c = to_jst_civil(at);
    char buffer[16];
    std::snprintf(buffer, sizeof buffer, "%04d%02u%02u", c.year, c.month, c.day);
    return buffer;
}

std::string format_review_time(EpochSeconds at) {
    Civil c = to_jst_civil(at);
    char buffer[40];
    // As real exports write it: month, day and hour without leading zeros (2026/7/10 9:07:30).
    std::snprintf(buffer, sizeof buffer, "%04d/%u/%u %d:%02d:%02d", c.year, c.month, c.day, c.hour,
                  c.minute, c.second);
    return buffer;
}

} // namespace musubi::sim::rakuten
