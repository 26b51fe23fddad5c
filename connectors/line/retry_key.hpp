#pragma once
// LINE's idempotency key: `X-Line-Retry-Key`, a UUID in hex with dashes (8-4-4-4-12). The
// caller fixes it when it decides to send a message, and repeats it on every attempt, so that
// LINE answers a repeat with 409 instead of sending twice.

#include <string_view>

namespace musubi::line {

inline constexpr std::string_view k_retry_key_header = "X-Line-Retry-Key";

// True for a UUID spelled as LINE accepts it (either case of hex digits).
bool is_retry_key(std::string_view key);

} // namespace musubi::line
