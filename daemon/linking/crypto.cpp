#include "daemon/linking/crypto.hpp"

#include <array>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <vector>

namespace musubi::linking {

std::string hmac_sha256(std::string_view key, std::string_view message) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int size = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
         reinterpret_cast<const unsigned char*>(message.data()), message.size(), digest.data(),
         &size);
    return std::string(reinterpret_cast<const char*>(digest.data()), size);
}

std::string derive_key(std::string_view hashing_key, std::string_view label) {
    return hmac_sha256(hashing_key, label);
}

std::string base64url(std::string_view bytes) {
    static constexpr char k_alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    out.reserve((bytes.size() * 4 + 2) / 3);
    std::size_t i = 0;
    const auto byte = [&](std::size_t at) { return static_cast<unsigned char>(bytes[at]); };
    for (; i + 3 <= bytes.size(); i += 3) {
        const unsigned value = (byte(i) << 16U) | (byte(i + 1) << 8U) | byte(i + 2);
        out += k_alphabet[(value >> 18U) & 63U];
        out += k_alphabet[(value >> 12U) & 63U];
        out += k_alphabet[(value >> 6U) & 63U];
        out += k_alphabet[value & 63U];
    }
    if (bytes.size() - i == 1) {
        const unsigned value = byte(i) << 16U;
        out += k_alphabet[(value >> 18U) & 63U];
        out += k_alphabet[(value >> 12U) & 63U];
    } else if (bytes.size() - i == 2) {
        const unsigned value = (byte(i) << 16U) | (byte(i + 1) << 8U);
        out += k_alphabet[(value >> 18U) & 63U];
        out += k_alphabet[(value >> 12U) & 63U];
        out += k_alphabet[(value >> 6U) & 63U];
    }
    return out;
}

std::optional<std::string> random_base64url(std::size_t bytes) {
    std::vector<unsigned char> buffer(bytes);
    if (RAND_bytes(buffer.data(), static_cast<int>(buffer.size())) != 1) {
        return std::nullopt;
    }
    return base64url(std::string_view(reinterpret_cast<const char*>(buffer.data()), bytes));
}

bool constant_time_equal(std::string_view a, std::string_view b) {
    // Digests of both are compared, so that not even the length of a secret (the admin
    // token, a signature) shows in how long a wrong guess takes.
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest_a{};
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest_b{};
    unsigned int size = 0;
    EVP_Digest(a.data(), a.size(), digest_a.data(), &size, EVP_sha256(), nullptr);
    EVP_Digest(b.data(), b.size(), digest_b.data(), &size, EVP_sha256(), nullptr);
    const bool same_digest = CRYPTO_memcmp(digest_a.data(), digest_b.data(), size) == 0;
    return same_digest & (a.size() == b.size());
}

} // namespace musubi::linking
