#include "daemon/rakuten/buyer_key.hpp"

#include <array>
#include <cctype>
#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace musubi::rakuten_poller {

std::string hmac_sha256_hex(std::string_view key, std::string_view message) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int size = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
         reinterpret_cast<const unsigned char*>(message.data()), message.size(), digest.data(),
         &size);
    static constexpr char k_hex[] = "0123456789abcdef";
    std::string hex;
    hex.reserve(size * 2);
    for (unsigned int i = 0; i < size; ++i) {
        hex += k_hex[digest[i] >> 4];
        hex += k_hex[digest[i] & 0x0f];
    }
    return hex;
}

std::string normalise_phone(std::string_view phone) {
    std::string digits;
    for (std::size_t i = 0; i < phone.size(); ++i) {
        const auto c = static_cast<unsigned char>(phone[i]);
        if (c >= '0' && c <= '9') {
            digits += static_cast<char>(c);
        } else if (c == 0xEF && i + 2 < phone.size() &&
                   static_cast<unsigned char>(phone[i + 1]) == 0xBC) {
            // Full-width digits U+FF10..U+FF19 are EF BC 90..99 in UTF-8.
            const auto last = static_cast<unsigned char>(phone[i + 2]);
            if (last >= 0x90 && last <= 0x99) {
                digits += static_cast<char>('0' + (last - 0x90));
                i += 2;
            }
        }
    }
    // Domestic numbers start with 0, so a leading 81 can only be the country code.
    if (digits.rfind("81", 0) == 0 && digits.size() >= 11) {
        digits = "0" + digits.substr(2);
    }
    return digits;
}

std::string normalise_email(std::string_view email) {
    std::size_t begin = 0;
    std::size_t end = email.size();
    while (begin < end && std::isspace(static_cast<unsigned char>(email[begin])) != 0) {
        ++begin;
    }
    while (end > begin && std::isspace(static_cast<unsigned char>(email[end - 1])) != 0) {
        --end;
    }
    std::string text(email.substr(begin, end - begin));
    for (char& c : text) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return text;
}

store::BuyerIdentity buyer_identity(const rakuten::Orderer& orderer, std::string_view hashing_key) {
    store::BuyerIdentity identity;
    const std::string email = normalise_email(orderer.email_address);
    const std::string phone =
        normalise_phone(orderer.phone_number1 + orderer.phone_number2 + orderer.phone_number3);
    // Each hash has its own label, so equal inputs in different roles never collide.
    if (!email.empty()) {
        identity.email_hash = hmac_sha256_hex(hashing_key, "email:" + email);
    }
    if (!phone.empty()) {
        identity.phone_hash = hmac_sha256_hex(hashing_key, "phone:" + phone);
    }
    if (phone.size() >= 4) {
        identity.phone_last4_hash =
            hmac_sha256_hex(hashing_key, "phone_last4:" + phone.substr(phone.size() - 4));
    }
    if (!identity.email_hash.empty() || !identity.phone_hash.empty()) {
        identity.buyer_key = hmac_sha256_hex(hashing_key, "buyer:" + identity.email_hash + ":" +
                                                              identity.phone_hash);
    }
    identity.given_name = orderer.first_name;
    return identity;
}

} // namespace musubi::rakuten_poller
