#pragma once
// RMS's ESA authentication: `Authorization: ESA base64(serviceSecret:licenseKey)`. The
// service secret never changes; each license key lives 90 days and, as reported, a new key
// may be refused for a while after it is issued. Not thread-safe: the service serialises.

#include <optional>
#include <string>
#include <vector>

#include "jst_time.hpp"

namespace musubi::sim::rakuten {

inline constexpr EpochSeconds k_license_lifetime = 90 * k_day;

struct LicenseKey {
    std::string key;
    EpochSeconds expires = 0;     // the last second the key works
    EpochSeconds usable_from = 0; // before this the key is refused like a wrong one
};

enum class AuthResult {
    ok,
    missing,
    malformed,
    wrong_secret,
    unknown_key,
    expired,
    not_yet_active
};

class Licenses {
public:
    explicit Licenses(std::string service_secret)
        : m_service_secret(std::move(service_secret)) {}

    // Checks an Authorization header value (nullptr when the header is absent).
    AuthResult check(const std::string* authorization, EpochSeconds now) const;
    // The key named in the header, if it is known (expired or not).
    const LicenseKey* key_of(const std::string* authorization) const;

    void add(LicenseKey key);
    LicenseKey* find(const std::string& key);
    const std::vector<LicenseKey>& keys() const { return m_keys; }
    // Removes every key but `keep`.
    void revoke_others(const std::string& keep);
    const std::string& service_secret() const { return m_service_secret; }

private:
    std::optional<std::pair<std::string, std::string>> credentials(const std::string* header) const;

    std::string m_service_secret;
    std::vector<LicenseKey> m_keys;
};

// The value a client sends in the Authorization header.
std::string esa_authorization(const std::string& service_secret, const std::string& license_key);

std::string base64_encode(const std::string& bytes);
std::optional<std::string> base64_decode(const std::string& text);

} // namespace musubi::sim::rakuten
