#pragma once
// RMS datetimes: JST with the literal offset "+0900" (yyyy-MM-ddTHH:mm:ss+0900), dates as
// yyyy-MM-dd, and license expiry dates as JST without an offset. RMS refuses "+09:00", "Z"
// and missing offsets in requests, so formatting always writes "+0900"; its answers use
// "+0900" but its newer documentation shows "+09:00", so parsing accepts both (nothing else).

#include <chrono>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

namespace musubi::rakuten {

// An instant, to the second (RMS has no fractions).
using TimePoint = std::chrono::sys_seconds;

inline constexpr std::chrono::hours k_jst_offset{9};

// "2026-11-22T10:05:06+0900" for the instant 2026-11-22T01:05:06Z.
std::string format_rms_datetime(TimePoint at);

// Exactly yyyy-MM-ddTHH:mm:ss+0900 (or +09:00) with a real calendar date; anything else is
// refused with
// a message saying what was expected (the input is not repeated: it may be personal data).
tl::expected<TimePoint, std::string> parse_rms_datetime(std::string_view text);

// yyyy-MM-ddTHH:mm:ss, read as JST (the license-key expiry lookup's format).
tl::expected<TimePoint, std::string> parse_rms_local_datetime(std::string_view text);

// yyyy-MM-dd (e.g. a shipping date), as a calendar day.
tl::expected<std::chrono::sys_days, std::string> parse_rms_date(std::string_view text);
std::string format_rms_date(std::chrono::sys_days day);

} // namespace musubi::rakuten
