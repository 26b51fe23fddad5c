#pragma once
// LINE signs each webhook body with HMAC-SHA256 keyed by the channel secret and sends the
// Base64 digest in `x-line-signature`. The check runs on the raw body before anything parses
// it, and compares in constant time so a forger learns nothing from response timing.

#include <string>
#include <string_view>

namespace musubi::line {

// Base64(HMAC-SHA256(key = channel_secret, data = body)).
std::string webhook_signature(std::string_view channel_secret, std::string_view body);

// True when `signature_header` is the signature of `body`. Any malformed header is false.
bool webhook_signature_matches(std::string_view channel_secret, std::string_view body,
                               std::string_view signature_header);

} // namespace musubi::line
