#pragma once
// The channel access token every Messaging API call carries, from one of LINE's two kinds:
// - a long-lived token issued in the LINE console, used as it is; or
// - stateless tokens issued from the channel id and secret (`POST /oauth2/v3/token`, valid 15
//   minutes), so that no permanent token has to be stored. One is issued on first use,
//   renewed once 80% of its life has passed, and renewed at once when LINE answers 401.
// Thread-safe: one AccessToken is shared by every thread that calls LINE; concurrent callers
// that need a new token wait for a single issue. No token or secret ever appears in the
// text of a result.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include <tl/expected.hpp>

#include "connectors/http/http_client.hpp"
#include "connectors/line/api_result.hpp"

namespace musubi::line {

struct StatelessCredentials {
    std::string channel_id;
    std::string channel_secret;
};

class AccessToken {
public:
    using Clock = std::function<std::chrono::steady_clock::time_point()>;

    static std::shared_ptr<AccessToken> long_lived(std::string token);

    // Tokens are issued by `api_base_url` (https://api.line.me, or the simulator). `clock` is
    // what "now" is for renewal (tests move it forward).
    static std::shared_ptr<AccessToken> stateless(StatelessCredentials credentials,
                                                  std::string api_base_url,
                                                  std::chrono::milliseconds timeout,
                                                  Clock clock = std::chrono::steady_clock::now);

    ~AccessToken();
    AccessToken(const AccessToken&) = delete;
    AccessToken& operator=(const AccessToken&) = delete;

    // A token to send now. Fails only when a stateless token is needed and LINE would not
    // issue one: `unauthorized` for a wrong channel id or secret, `transient` when LINE could
    // not be reached, … A token that is due for renewal but still valid is used while
    // renewing fails.
    tl::expected<std::string, ApiResult> get();

    // LINE answered 401 to a call made with `token`. A stateless token is dropped so that the
    // next get() issues a new one, and true is returned: the call may be repeated once. A
    // long-lived token cannot be renewed here: false (the operator must issue a new one).
    bool renew_after_unauthorized(const std::string& token);

    bool renewable() const { return m_stateless; }
    // How many stateless tokens were issued so far (for metrics and tests).
    std::uint64_t issued_count() const;

private:
    AccessToken() = default;
    tl::expected<void, ApiResult> issue(std::chrono::steady_clock::time_point now);
    std::string redact(std::string text) const;

    bool m_stateless = false;
    StatelessCredentials m_credentials;
    std::unique_ptr<http::Client> m_issuer;
    Clock m_clock;

    mutable std::mutex m_mutex;
    std::string m_token;
    std::chrono::steady_clock::time_point m_renew_at;
    std::chrono::steady_clock::time_point m_expires_at;
    std::uint64_t m_issued = 0;
};

} // namespace musubi::line
