#include "license.hpp"

#include <algorithm>

namespace musubi::sim::rakuten {

namespace {

constexpr std::string_view k_alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

} // namespace

std::string base64_encode(const std::string& bytes) {
    std::string out;
    std::size_t i = 0;
    for (; i + 2 < bytes.size(); i += 3) {
        unsigned v = unsigned(static_cast<unsigned char>(bytes[i])) << 16 |
                     unsigned(static_cast<unsigned char>(bytes[i + 1])) << 8 |
                     unsigned(static_cast<unsigned char>(bytes[i + 2]));
        out += k_alphabet[v >> 18 & 63];
        out += k_alphabet[v >> 12 & 63];
        out += k_alphabet[v >> 6 & 63];
        out += k_alphabet[v & 63];
    }
    if (i < bytes.size()) {
        unsigned v = unsigned(static_cast<unsigned char>(bytes[i])) << 16;
        if (i + 1 < bytes.size()) {
            v |= unsigned(static_cast<unsigned char>(bytes[i + 1])) << 8;
        }
        out += k_alphabet[v >> 18 & 63];
        out += k_alphabet[v >> 12 & 63];
        out += i + 1 < bytes.size() ? k_alphabet[v >> 6 & 63] : '=';
        out += '=';
    }
    return out;
}

std::optional<std::string> base64_decode(const std::string& text) {
    if (text.empty() || text.size() % 4 != 0) {
        return std::nullopt;
    }
    std::string out;
    unsigned buffer = 0;
    int bits = 0;
    std::size_t padding = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c == '=') {
            if (i + 2 < text.size()) {
                return std::nullopt;
            }
            ++padding;
            continue;
        }
        if (padding > 0) {
            return std::nullopt;
        }
        auto at = k_alphabet.find(c);
        if (at == std::string_view::npos) {
            return std::nullopt;
        }
        buffer = (buffer << 6 | unsigned(at)) & 0xffffff;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>(buffer >> bits & 0xff);
        }
    }
    return out;
}

std::string esa_authorization(const std::string& service_secret, const std::string& license_key) {
    return "ESA " + base64_encode(service_secret + ":" + license_key);
}

std::optional<std::pair<std::string, std::string>>
Licenses::credentials(const std::string* header) const {
    if (header == nullptr || header->rfind("ESA ", 0) != 0) {
        return std::nullopt;
    }
    auto decoded = base64_decode(header->substr(4));
    if (!decoded) {
        return std::nullopt;
    }
    auto colon = decoded->find(':');
    if (colon == std::string::npos) {
        return std::nullopt;
    }
    return std::pair{decoded->substr(0, colon), decoded->substr(colon + 1)};
}

AuthResult Licenses::check(const std::string* authorization, EpochSeconds now) const {
    if (authorization == nullptr) {
        return AuthResult::missing;
    }
    auto pair = credentials(authorization);
    if (!pair) {
        return AuthResult::malformed;
    }
    if (pair->first != m_service_secret) {
        return AuthResult::wrong_secret;
    }
    const LicenseKey* key = key_of(authorization);
    if (key == nullptr) {
        return AuthResult::unknown_key;
    }
    if (now > key->expires) {
        return AuthResult::expired;
    }
    if (now < key->usable_from) {
        return AuthResult::not_yet_active;
    }
    return AuthResult::ok;
}

const LicenseKey* Licenses::key_of(const std::string* authorization) const {
    auto pair = credentials(authorization);
    if (!pair) {
        return nullptr;
    }
    auto it = std::find_if(m_keys.begin(), m_keys.end(),
                           [&](const LicenseKey& key) { return key.key == pair->second; });
    return it == m_keys.end() ? nullptr : &*it;
}

void Licenses::add(LicenseKey key) {
    if (auto* existing = find(key.key)) {
        *existing = std::move(key);
        return;
    }
    m_keys.push_back(std::move(key));
}

LicenseKey* Licenses::find(const std::string& key) {
    auto it = std::find_if(m_keys.begin(), m_keys.end(),
                           [&](const LicenseKey& known) { return known.key == key; });
    return it == m_keys.end() ? nullptr : &*it;
}

void Licenses::revoke_others(const std::string& keep) {
    std::erase_if(m_keys, [&](const LicenseKey& key) { return key.key != keep; });
}

} // namespace musubi::sim::rakuten
