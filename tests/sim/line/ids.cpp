#include "ids.hpp"

#include <array>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

namespace musubi::sim::line {

IdSource::IdSource()
    : m_random(std::random_device{}()) {}

std::string IdSource::ulid(std::int64_t epoch_ms) {
    static constexpr char k_alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    std::string text(26, '0');
    auto time = static_cast<std::uint64_t>(epoch_ms);
    for (int i = 9; i >= 0; --i) {
        text[static_cast<std::size_t>(i)] = k_alphabet[time & 31u];
        time >>= 5;
    }
    std::lock_guard lock(m_mutex);
    for (std::size_t i = 10; i < 26; ++i) {
        text[i] = k_alphabet[m_random() & 31u];
    }
    return text;
}

std::string IdSource::hex(std::size_t characters) {
    static constexpr char k_digits[] = "0123456789abcdef";
    std::string text(characters, '0');
    std::lock_guard lock(m_mutex);
    // Sixteen digits from each 64-bit draw: ids are made on every API call.
    std::uint64_t bits = 0;
    for (std::size_t i = 0; i < characters; ++i) {
        if (i % 16 == 0) {
            bits = m_random();
        }
        text[i] = k_digits[bits & 15u];
        bits >>= 4;
    }
    return text;
}

std::string IdSource::uuid() {
    auto text = hex(32);
    text[12] = '4';
    text[16] = "89ab"[text[16] % 4];
    return text.substr(0, 8) + '-' + text.substr(8, 4) + '-' + text.substr(12, 4) + '-' +
           text.substr(16, 4) + '-' + text.substr(20);
}

std::string IdSource::token(std::size_t characters) {
    static constexpr char k_alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string text(characters, 'A');
    std::lock_guard lock(m_mutex);
    std::uint64_t bits = 0;
    for (std::size_t i = 0; i < characters; ++i) {
        if (i % 10 == 0) {
            bits = m_random();
        }
        text[i] = k_alphabet[bits & 63u];
        bits >>= 6;
    }
    return text;
}

std::string IdSource::message_id() {
    std::lock_guard lock(m_mutex);
    return std::to_string(++m_next_message);
}

std::string sign_body(std::string_view channel_secret, std::string_view body) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int length = 0;
    HMAC(EVP_sha256(), channel_secret.data(), static_cast<int>(channel_secret.size()),
         reinterpret_cast<const unsigned char*>(body.data()), body.size(), digest.data(), &length);
    std::string encoded(4 * ((length + 2) / 3), '\0');
    auto written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()), digest.data(),
                                   static_cast<int>(length));
    encoded.resize(static_cast<std::size_t>(written));
    return encoded;
}

std::string sha256_hex(std::string_view data) {
    std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
    SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest.data());
    static constexpr char k_digits[] = "0123456789abcdef";
    std::string text;
    for (auto byte : digest) {
        text += k_digits[byte >> 4];
        text += k_digits[byte & 15];
    }
    return text;
}

bool is_uuid(std::string_view text) {
    if (text.size() != 36) {
        return false;
    }
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (c != '-') {
                return false;
            }
        } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
            return false;
        }
    }
    return true;
}

} // namespace musubi::sim::line
