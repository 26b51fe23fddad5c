#pragma once
// Identifiers and digests the simulated LINE platform hands out: ULIDs for webhookEventId,
// UUIDs for request ids, opaque tokens, and the webhook signature. Thread-safe.

#include <chrono>
#include <cstdint>
#include <mutex>
#include <random>
#include <string>
#include <string_view>

namespace musubi::sim::line {

class IdSource {
public:
    IdSource();
    // 26 Crockford base32 characters: 48 bits of milliseconds, then 80 random bits.
    std::string ulid(std::int64_t epoch_ms);
    // Random (version 4) UUID, lower-case hex with dashes.
    std::string uuid();
    std::string hex(std::size_t characters);
    // Base64url-ish opaque token of the given length (reply, link and access tokens).
    std::string token(std::size_t characters);
    // Numeric message ids as strings, increasing.
    std::string message_id();

private:
    std::mutex m_mutex;
    std::mt19937_64 m_random;
    std::uint64_t m_next_message = 600000000000000000ULL;
};

// Base64(HMAC-SHA256(key = channel secret, data = body)): the x-line-signature header.
std::string sign_body(std::string_view channel_secret, std::string_view body);
// Hex SHA-256, used to recognise the same message content delivered twice.
std::string sha256_hex(std::string_view data);
// 8-4-4-4-12 hexadecimal digits (either case).
bool is_uuid(std::string_view text);

} // namespace musubi::sim::line
