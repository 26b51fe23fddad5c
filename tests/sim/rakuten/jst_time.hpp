#pragma once
// Time on the RMS wire. RMS speaks only JST: datetimes as `yyyy-MM-ddTHH:mm:ss+0900` (the
// service refuses `+09:00`, `Z` and a missing offset), dates as `yyyy-MM-dd`, the license
// expiry without an offset, and the review CSV as `yyyy/MM/dd H:mm:ss`. Inside the simulator
// every instant is whole seconds since the Unix epoch (UTC).

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace musubi::sim::rakuten {

using EpochSeconds = std::int64_t;

inline constexpr EpochSeconds k_minute = 60;
inline constexpr EpochSeconds k_hour = 60 * k_minute;
inline constexpr EpochSeconds k_day = 24 * k_hour;
inline constexpr EpochSeconds k_jst_offset = 9 * k_hour;

EpochSeconds to_epoch(std::chrono::system_clock::time_point at);

// Strict: exactly `yyyy-MM-ddTHH:mm:ss+0900` with a valid calendar date and time.
std::optional<EpochSeconds> parse_rms_datetime(std::string_view text);
std::string format_rms_datetime(EpochSeconds at);

// `yyyy-MM-ddTHH:mm:ss`, read and written as JST (the license expiry lookup).
std::optional<EpochSeconds> parse_jst_local_datetime(std::string_view text);
std::string format_jst_local_datetime(EpochSeconds at);

// `yyyy-MM-dd` of the JST calendar day `at` falls in.
std::string format_jst_date(EpochSeconds at);
// JST midnight starting the day `at` falls in.
EpochSeconds jst_day_start(EpochSeconds at);
// `yyyyMMdd`, as in order numbers.
std::string format_jst_compact_date(EpochSeconds at);
// `yyyy/MM/dd H:mm:ss`, as in the RMS review CSV export (hour not zero-padded).
std::string format_review_time(EpochSeconds at);

} // namespace musubi::sim::rakuten
