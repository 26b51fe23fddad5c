#pragma once
// Link-page tokens: the link page's URL carries a token that names the friend and when it
// stops being valid, signed with HMAC-SHA256 under a key derived from privacy.hashing_key
// (label "link-page"). Anyone may read a token; nobody without the key can make or change one.
//
//   v1.<friend id>.<expires at, epoch ms>.<base64url signature of the part before it>
//
// Tokens are bearer credentials for one friend's linking: never log them.

#include <cstdint>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

#include "daemon/config/config.hpp"

namespace musubi::linking {

enum class TokenError {
    malformed, // not a token at all
    forged,    // the signature does not match (changed, or made with another key)
    expired,
};

class PageTokens {
public:
    PageTokens(std::string_view hashing_key, std::int64_t ttl_ms);

    std::string make(std::int64_t friend_id, std::int64_t now_ms) const;
    // The friend the token names.
    tl::expected<std::int64_t, TokenError> verify(std::string_view token,
                                                  std::int64_t now_ms) const;

private:
    std::string signature(std::string_view signed_part) const;

    std::string m_key;
    std::int64_t m_ttl_ms;
};

// The friend's link-page URL (linking.page_url with ?t=<token>), valid for
// linking.page_token_ttl from `now_ms`; empty when the web form is off (no page_url).
std::string make_page_url(const config::LinkingConfig& config, std::string_view hashing_key,
                          std::int64_t friend_id, std::int64_t now_ms);

} // namespace musubi::linking
