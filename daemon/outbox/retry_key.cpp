#include "daemon/outbox/retry_key.hpp"

#include <array>
#include <cstdio>
#include <openssl/sha.h>

namespace musubi::outbox {

std::string derive_retry_key(std::string_view identity) {
    std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
    SHA256(reinterpret_cast<const unsigned char*>(identity.data()), identity.size(), digest.data());
    digest[6] = static_cast<unsigned char>((digest[6] & 0x0f) | 0x80); // version 8
    digest[8] = static_cast<unsigned char>((digest[8] & 0x3f) | 0x80); // RFC 9562 variant
    std::string key;
    key.reserve(36);
    char hex[3];
    for (int i = 0; i < 16; ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) {
            key.push_back('-');
        }
        std::snprintf(hex, sizeof hex, "%02x", digest[static_cast<std::size_t>(i)]);
        key.append(hex, 2);
    }
    return key;
}

} // namespace musubi::outbox
