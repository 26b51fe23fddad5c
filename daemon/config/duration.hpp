#pragma once
// Durations as store staff write them: "90m", "3d", "1h30m", "10s", "250ms", "2w".

#include <chrono>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

namespace musubi::config {

using Duration = std::chrono::milliseconds;

// On failure the error says what is wrong with the text (the caller adds where and a hint).
tl::expected<Duration, std::string> parse_duration(std::string_view text);

// The shortest form that parses back to the same value: "3d", "1h30m", "250ms", "0s".
std::string format_duration(Duration duration);

inline constexpr const char* k_duration_hint =
    "write a number and a unit, e.g. 90m, 3d or 1h30m (units: ms, s, m, h, d, w)";

} // namespace musubi::config
