#pragma once
// Reads the shop site's feed over HTTP(S): GET <url>?since=<cursor> (no `since` on the very
// first request) answers 200 with JSON Lines (feed_line.hpp) whose last line is the cursor to
// send next. Transient failures — a timeout, a dropped connection, 5xx, 429 — are retried
// with exponential backoff and jitter (rakuten/backoff.hpp) up to the policy's attempts;
// other answers (4xx, 3xx) are refused at once, since asking again would get the same.
// Waits end as soon as the stop token is requested.

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <stop_token>
#include <string>

#include <tl/expected.hpp>

#include "connectors/http/http_client.hpp"
#include "connectors/rakuten/backoff.hpp"

namespace musubi::ecfeed {

// Bodies larger than this are refused: a page is meant to be a page.
inline constexpr std::size_t k_max_page_bytes = 32u * 1024 * 1024;

struct ClientOptions {
    std::string url;   // http(s)://host[:port]/path[?query]
    std::string token; // empty: no Authorization header
    std::chrono::milliseconds timeout{30000};
    rakuten::RetryPolicy retry;
};

enum class FetchErrorKind {
    transient, // retried `attempts` times and still failing; try again at the next poll
    refused,   // the feed said no (4xx, wrong URL): staff must look
    cancelled, // stop requested
};

struct FetchError {
    FetchErrorKind kind = FetchErrorKind::transient;
    int status = 0; // the HTTP status, 0 without an answer
    std::string message;
};

struct RetryNotice {
    int retry = 0; // 1 = the first retry
    std::chrono::milliseconds delay{0};
    std::string cause;
};

// "?since=<cursor>" (URL-encoded), after any query the configured URL already has.
std::string page_target(const std::string& url_query, const std::optional<std::string>& since);

class FeedClient {
public:
    FeedClient(ClientOptions options, std::stop_token stop);
    ~FeedClient();
    FeedClient(const FeedClient&) = delete;
    FeedClient& operator=(const FeedClient&) = delete;

    void set_retry_observer(std::function<void(const RetryNotice&)> observer) {
        m_observer = std::move(observer);
    }

    // One page's body.
    tl::expected<std::string, FetchError> fetch(const std::optional<std::string>& since);

private:
    tl::expected<std::string, FetchError> fetch_once(const std::string& target);

    ClientOptions m_options;
    std::string m_query; // the configured URL's own query, without '?'
    std::unique_ptr<http::Client> m_http;
    std::stop_token m_stop;
    std::mt19937_64 m_random;
    std::function<void(const RetryNotice&)> m_observer;
};

} // namespace musubi::ecfeed
