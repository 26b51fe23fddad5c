#include "daemon/linking/page_token.hpp"

#include <charconv>
#include <vector>

#include "daemon/linking/crypto.hpp"

namespace musubi::linking {

namespace {

constexpr std::string_view k_version = "v1";

std::vector<std::string_view> split(std::string_view text, char separator) {
    std::vector<std::string_view> parts;
    std::size_t start = 0;
    while (true) {
        const auto end = text.find(separator, start);
        parts.push_back(text.substr(start, end == std::string_view::npos ? end : end - start));
        if (end == std::string_view::npos) {
            return parts;
        }
        start = end + 1;
    }
}

bool parse_number(std::string_view text, std::int64_t& out) {
    if (text.empty() || text.size() > 19) {
        return false;
    }
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
    return error == std::errc() && end == text.data() + text.size() && out >= 0;
}

} // namespace

PageTokens::PageTokens(std::string_view hashing_key, std::int64_t ttl_ms)
    : m_key(derive_key(hashing_key, "link-page"))
    , m_ttl_ms(ttl_ms) {}

std::string PageTokens::signature(std::string_view signed_part) const {
    return base64url(hmac_sha256(m_key, signed_part));
}

std::string PageTokens::make(std::int64_t friend_id, std::int64_t now_ms) const {
    const std::string signed_part = std::string(k_version) + "." + std::to_string(friend_id) + "." +
                                    std::to_string(now_ms + m_ttl_ms);
    return signed_part + "." + signature(signed_part);
}

tl::expected<std::int64_t, TokenError> PageTokens::verify(std::string_view token,
                                                          std::int64_t now_ms) const {
    if (token.size() > 200) {
        return tl::unexpected(TokenError::malformed);
    }
    const auto parts = split(token, '.');
    std::int64_t friend_id = 0;
    std::int64_t expires_at = 0;
    if (parts.size() != 4 || parts[0] != k_version || !parse_number(parts[1], friend_id) ||
        !parse_number(parts[2], expires_at)) {
        return tl::unexpected(TokenError::malformed);
    }
    const auto signed_part = token.substr(0, token.size() - parts[3].size() - 1);
    // Check the signature before trusting anything the token says, the expiry included.
    if (!constant_time_equal(signature(signed_part), parts[3])) {
        return tl::unexpected(TokenError::forged);
    }
    if (now_ms >= expires_at) {
        return tl::unexpected(TokenError::expired);
    }
    return friend_id;
}

std::string make_page_url(const config::LinkingConfig& config, std::string_view hashing_key,
                          std::int64_t friend_id, std::int64_t now_ms) {
    if (config.page_url.empty()) {
        return {};
    }
    const PageTokens tokens(hashing_key, config.page_token_ttl.count());
    const char joiner = config.page_url.find('?') == std::string::npos ? '?' : '&';
    return config.page_url + joiner + "t=" + tokens.make(friend_id, now_ms);
}

} // namespace musubi::linking
