#include "connectors/line/webhook_signature.hpp"

#include <array>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sstream>

#include <Poco/Base64Encoder.h>

namespace musubi::line {

namespace {

using Digest = std::array<unsigned char, 32>;

Digest hmac_sha256(std::string_view key, std::string_view data) {
    Digest digest{};
    unsigned int length = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
         reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest.data(), &length);
    return digest;
}

std::string base64(const Digest& digest) {
    std::ostringstream out;
    Poco::Base64Encoder encoder(out);
    encoder.rdbuf()->setLineLength(0);
    encoder.write(reinterpret_cast<const char*>(digest.data()),
                  static_cast<std::streamsize>(digest.size()));
    encoder.close();
    return out.str();
}

} // namespace

std::string webhook_signature(std::string_view channel_secret, std::string_view body) {
    return base64(hmac_sha256(channel_secret, body));
}

bool webhook_signature_matches(std::string_view channel_secret, std::string_view body,
                               std::string_view signature_header) {
    const std::string expected = webhook_signature(channel_secret, body);
    if (signature_header.size() != expected.size()) {
        return false;
    }
    return CRYPTO_memcmp(expected.data(), signature_header.data(), expected.size()) == 0;
}

} // namespace musubi::line
