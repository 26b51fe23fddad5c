#include "connectors/ecfeed/feed_client.hpp"

#include <algorithm>

#include <Poco/URI.h>

namespace musubi::ecfeed {

namespace {

bool is_transient_status(int status) {
    return status == 429 || status >= 500;
}

} // namespace

std::string page_target(const std::string& url_query, const std::optional<std::string>& since) {
    std::string query = url_query;
    if (since) {
        std::string encoded;
        Poco::URI::encode(*since, "?#[]@!$&'()*+,;=:/ %", encoded);
        query += (query.empty() ? "" : "&") + std::string("since=") + encoded;
    }
    return query.empty() ? std::string() : "?" + query;
}

FeedClient::FeedClient(ClientOptions options, std::stop_token stop)
    : m_options(std::move(options))
    , m_stop(std::move(stop))
    , m_random(std::random_device{}()) {
    std::string base = m_options.url;
    if (const auto question = base.find('?'); question != std::string::npos) {
        m_query = base.substr(question + 1);
        base.resize(question);
    }
    m_http = std::make_unique<http::Client>(base, m_options.timeout);
}

FeedClient::~FeedClient() = default;

tl::expected<std::string, FetchError> FeedClient::fetch(const std::optional<std::string>& since) {
    const std::string target = page_target(m_query, since);
    const int attempts = std::max(1, m_options.retry.attempts);
    for (int attempt = 1;; ++attempt) {
        if (m_stop.stop_requested()) {
            return tl::unexpected(FetchError{FetchErrorKind::cancelled, 0, "stop requested"});
        }
        auto page = fetch_once(target);
        if (page || page.error().kind != FetchErrorKind::transient || attempt >= attempts) {
            return page;
        }
        const auto delay = rakuten::backoff_delay(m_options.retry, attempt, m_random);
        if (m_observer) {
            m_observer(RetryNotice{attempt, delay, page.error().message});
        }
        if (!rakuten::wait_unless_stopped(m_stop, delay)) {
            return tl::unexpected(FetchError{FetchErrorKind::cancelled, 0, "stop requested"});
        }
    }
}

tl::expected<std::string, FetchError> FeedClient::fetch_once(const std::string& target) {
    http::Request request;
    request.target = target;
    request.headers.emplace_back("Accept", "application/x-ndjson, application/jsonl, */*");
    if (!m_options.token.empty()) {
        request.headers.emplace_back("Authorization", "Bearer " + m_options.token);
    }
    auto response = m_http->send(request);
    if (!response) {
        const auto kind = response.error().kind == http::TransportErrorKind::invalid_url
                              ? FetchErrorKind::refused
                              : FetchErrorKind::transient;
        return tl::unexpected(FetchError{kind, 0, response.error().message});
    }
    const int status = response->status;
    if (status == 200 || status == 204) {
        if (response->body.size() > k_max_page_bytes) {
            return tl::unexpected(FetchError{FetchErrorKind::refused, status,
                                             "the page is larger than " +
                                                 std::to_string(k_max_page_bytes) + " bytes"});
        }
        return std::move(response->body);
    }
    const std::string message = "the feed answered HTTP " + std::to_string(status);
    return tl::unexpected(FetchError{is_transient_status(status) ? FetchErrorKind::transient
                                                                 : FetchErrorKind::refused,
                                     status, message});
}

} // namespace musubi::ecfeed
