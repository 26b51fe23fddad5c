#pragma once
// The small cryptographic pieces linking needs, on OpenSSL: keyed MACs, base64url, random
// nonces, comparison in constant time.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace musubi::linking {

// Raw 32-byte HMAC-SHA256.
std::string hmac_sha256(std::string_view key, std::string_view message);
// A key for one purpose derived from the install's hashing key, so that a link-page
// signature can never be mistaken for a buyer hash.
std::string derive_key(std::string_view hashing_key, std::string_view label);

// RFC 4648 §5, without padding.
std::string base64url(std::string_view bytes);

// `bytes` random bytes (OpenSSL RAND_bytes) as base64url; nullopt when the generator fails.
std::optional<std::string> random_base64url(std::size_t bytes);

// Equal, taking the same time whatever the contents (the length is not secret).
bool constant_time_equal(std::string_view a, std::string_view b);

} // namespace musubi::linking
