#include "connectors/line/access_token.hpp"

#include <algorithm>

#include "connectors/line/requests.hpp"

namespace musubi::line {

namespace {

// LINE documents 15 minutes; used when an answer leaves `expires_in` out.
constexpr std::chrono::seconds k_default_lifetime{900};
constexpr std::chrono::seconds k_renewal_retry{30};

// OAuth answers errors as {"error", "error_description"}, not LINE's {"message"}.
std::string oauth_error(const nlohmann::json& body) {
    if (!body.is_object()) {
        return {};
    }
    std::string text = body.value("error", std::string());
    const std::string description = body.value("error_description", std::string());
    if (!description.empty()) {
        text += text.empty() ? description : ": " + description;
    }
    return text;
}

ApiResult classify_issue(const http::Response& response) {
    ApiResult result = classify_response(response);
    if (result.succeeded()) {
        return result;
    }
    const std::string error = oauth_error(result.body);
    if (!error.empty()) {
        result.message = error;
    }
    if (response.status == 400 && result.body.is_object() &&
        result.body.value("error", std::string()) == "invalid_client") {
        result.outcome = Outcome::unauthorized;
    }
    result.message = "LINE did not issue a stateless channel access token (" + result.message +
                     "); check the channel id and channel secret";
    return result;
}

} // namespace

std::shared_ptr<AccessToken> AccessToken::long_lived(std::string token) {
    std::shared_ptr<AccessToken> holder(new AccessToken());
    holder->m_token = std::move(token);
    return holder;
}

std::shared_ptr<AccessToken> AccessToken::stateless(StatelessCredentials credentials,
                                                    std::string api_base_url,
                                                    std::chrono::milliseconds timeout,
                                                    Clock clock) {
    std::shared_ptr<AccessToken> holder(new AccessToken());
    holder->m_stateless = true;
    holder->m_credentials = std::move(credentials);
    holder->m_issuer = std::make_unique<http::Client>(std::move(api_base_url), timeout);
    holder->m_clock = std::move(clock);
    return holder;
}

AccessToken::~AccessToken() = default;

tl::expected<std::string, ApiResult> AccessToken::get() {
    std::lock_guard lock(m_mutex);
    if (!m_stateless) {
        return m_token;
    }
    const auto now = m_clock();
    if (!m_token.empty() && now < m_renew_at) {
        return m_token;
    }
    auto issued = issue(now);
    if (!issued) {
        if (m_token.empty() || now >= m_expires_at) {
            return tl::unexpected(issued.error());
        }
        // Keep using the still-valid token, and ask again a little later rather than on
        // every call while LINE's token endpoint is failing.
        m_renew_at = std::min(now + k_renewal_retry, m_expires_at);
    }
    return m_token;
}

bool AccessToken::renew_after_unauthorized(const std::string& token) {
    std::lock_guard lock(m_mutex);
    if (!m_stateless) {
        return false;
    }
    // Another thread may have renewed it already; then the next get() returns the new one.
    if (m_token == token) {
        m_token.clear();
    }
    return true;
}

std::uint64_t AccessToken::issued_count() const {
    std::lock_guard lock(m_mutex);
    return m_issued;
}

tl::expected<void, ApiResult> AccessToken::issue(std::chrono::steady_clock::time_point now) {
    auto response = m_issuer->send(
        stateless_token_request(m_credentials.channel_id, m_credentials.channel_secret));
    if (!response) {
        auto failed = classify_transport_error(response.error());
        failed.message =
            redact("could not reach LINE for a channel access token: " + failed.message);
        return tl::unexpected(failed);
    }
    ApiResult result = classify_issue(*response);
    const auto token =
        result.body.is_object() ? result.body.find("access_token") : result.body.end();
    if (!result.succeeded() || token == result.body.end() || !token->is_string() ||
        token->get<std::string>().empty()) {
        if (result.succeeded()) {
            result.outcome = Outcome::transient;
            result.message = "LINE answered the token request without an access_token";
        }
        result.message = redact(std::move(result.message));
        result.body = nullptr; // holds the token on success; nothing for callers otherwise
        return tl::unexpected(result);
    }
    std::chrono::seconds lifetime = k_default_lifetime;
    if (auto expires = result.body.find("expires_in");
        expires != result.body.end() && expires->is_number_integer() && *expires > 0) {
        lifetime = std::chrono::seconds(expires->get<long>());
    }
    m_token = token->get<std::string>();
    m_expires_at = now + lifetime;
    // Renew at 80% of the life: early enough that a slow or failed renewal still leaves a
    // valid token to send with.
    m_renew_at = now + lifetime * 4 / 5;
    ++m_issued;
    return {};
}

std::string AccessToken::redact(std::string text) const {
    for (const std::string* secret : {&m_credentials.channel_secret, &m_token}) {
        if (secret->empty()) {
            continue;
        }
        for (auto at = text.find(*secret); at != std::string::npos; at = text.find(*secret)) {
            text.replace(at, secret->size(), "[redacted]");
        }
    }
    return text;
}

} // namespace musubi::line
