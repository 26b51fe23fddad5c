#pragma once
// The Rakuten RMS order API (searchOrder, getOrder) and the license-key expiry lookup, as
// shared/platform/rakuten-rms.md describes them. The client is polite on its own: it keeps a
// minimum interval between requests and retries transient failures (5xx, 429, timeouts,
// lost connections) with exponential backoff and jitter; every wait ends early when the
// caller's stop token is triggered. Calls return values, never throw.
//
// A 403 is RMS's "too many requests" (AccessLimit / QPSLimit): it is retried like a 503 (the
// same attempts, jittered backoff) and it also slows the client's own pace (the interval
// between requests doubles once per throttling episode, see throttled_interval()) until
// reset_pace(), which the poller calls at the start of every poll.
//
// Credentials are taken as plain strings (the daemon owns config) and appear only in the
// Authorization header and the expiry lookup's query: never in errors. Not thread-safe: one
// client per thread, like http::Client.

#include <chrono>
#include <functional>
#include <random>
#include <span>
#include <stop_token>
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "connectors/http/http_client.hpp"
#include "connectors/rakuten/backoff.hpp"
#include "connectors/rakuten/datetime.hpp"
#include "connectors/rakuten/order.hpp"
#include "connectors/rakuten/rms_error.hpp"

namespace musubi::rakuten {

inline constexpr int k_max_records_per_page = 1000;
inline constexpr std::size_t k_max_get_order_numbers = 100;
inline constexpr int k_get_order_version = 10;

enum class DateType : int {
    order = 1,
    order_confirmed = 2,
    order_fixed = 3,
    shipping = 4,
    shipping_completion_report = 5,
    payment_fixed = 6,
};

struct Credentials {
    std::string service_secret;
    std::string license_key;
};

struct ClientOptions {
    std::string base_url = "https://api.rms.rakuten.co.jp";
    std::chrono::milliseconds timeout{30000};     // per request
    std::chrono::milliseconds min_interval{1000}; // between the starts of two requests
    RetryPolicy retry;
};

// Told before each retry, so the daemon can log it ("searchOrder: HTTP 503; retry 2 in 1.7s").
struct RetryNotice {
    std::string function;
    int retry = 0; // 1 = the first retry
    std::chrono::milliseconds delay{};
    const Error& cause;
};
using RetryObserver = std::function<void(const RetryNotice&)>;

// Told once per throttling episode (the first 403 since the last success or reset_pace()),
// in place of the retry notices of its 403s, so that the daemon logs it once.
struct ThrottleNotice {
    std::string function;
    std::chrono::milliseconds interval{}; // the pace from now on
    std::chrono::milliseconds delay{};    // the wait before the retry
};
using ThrottleObserver = std::function<void(const ThrottleNotice&)>;

inline constexpr std::chrono::milliseconds k_min_throttled_interval{100};
inline constexpr std::chrono::milliseconds k_max_throttled_interval{10000};

// The interval between requests after a 403 met at interval `current`: twice as long, at
// least 100 ms (a client configured with no interval slows down too) and at most 10 s, unless
// `configured` is longer still.
std::chrono::milliseconds throttled_interval(std::chrono::milliseconds current,
                                             std::chrono::milliseconds configured);

// One searchOrder query; [start, end] are inclusive and at most 63 days apart.
struct SearchQuery {
    DateType date_type = DateType::order;
    TimePoint start{};
    TimePoint end{};
    std::vector<int> progress; // orderProgressList; empty = any
};

struct SearchPage {
    std::vector<std::string> order_numbers;
    std::int64_t total_records = 0; // every hit, including those past the 15,000th
    std::int64_t total_pages = 0;
    int page = 1;
};

class RmsClient {
public:
    // `stop` ends waits (interval and backoff) early; a request in flight still runs to its
    // timeout.
    RmsClient(ClientOptions options, Credentials credentials, std::stop_token stop = {});

    // For a reload with a renewed license key.
    void set_credentials(Credentials credentials);
    void set_retry_observer(RetryObserver observer) { m_observer = std::move(observer); }
    void set_throttle_observer(ThrottleObserver observer) {
        m_throttle_observer = std::move(observer);
    }
    // Back to the configured interval; the next 403 starts a new episode.
    void reset_pace();

    // One page (from 1) of up to 1000 order numbers, ascending by order datetime.
    tl::expected<SearchPage, Error> search_order(const SearchQuery& query, int page);

    // Up to 100 orders (getOrder version 10). More than 100 numbers is refused unsent.
    tl::expected<GetOrderResult, Error> get_order(std::span<const std::string> order_numbers);

    // When the license key in use expires.
    tl::expected<TimePoint, Error> license_expiry();

    // Requests sent so far, retries included.
    int requests_sent() const { return m_requests_sent; }
    // 403s met so far, and the episodes they came in.
    int throttled() const { return m_throttled; }
    int throttle_episodes() const { return m_throttle_episodes; }
    // The interval now kept between the starts of two requests.
    std::chrono::milliseconds interval() const { return m_interval; }

private:
    tl::expected<http::Response, Error> call(const char* function, http::Request request);
    tl::expected<http::Response, Error> call_once(const char* function,
                                                  const http::Request& request);
    http::Request post(const std::string& path, std::string body) const;

    ClientOptions m_options;
    Credentials m_credentials;
    std::string m_authorization;
    std::stop_token m_stop;
    http::Client m_http;
    RetryObserver m_observer;
    ThrottleObserver m_throttle_observer;
    std::chrono::milliseconds m_interval{};
    bool m_in_throttle_episode = false;
    int m_throttled = 0;
    int m_throttle_episodes = 0;
    std::mt19937_64 m_random;
    std::chrono::steady_clock::time_point m_last_request{};
    bool m_sent_any = false;
    int m_requests_sent = 0;
};

// The ESA Authorization header value: "ESA " + Base64(serviceSecret:licenseKey).
std::string esa_authorization(const Credentials& credentials);

// Reads a 200 searchOrder answer.
tl::expected<SearchPage, Error> parse_search_order_response(std::string_view body);

} // namespace musubi::rakuten
