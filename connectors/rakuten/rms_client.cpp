#include "connectors/rakuten/rms_client.hpp"

#include <algorithm>
#include <openssl/evp.h>

#include <Poco/URI.h>
#include <nlohmann/json.hpp>

namespace musubi::rakuten {

namespace {

using nlohmann::json;

constexpr const char* k_search_path = "/es/2.0/order/searchOrder/";
constexpr const char* k_get_path = "/es/2.0/order/getOrder/";
constexpr const char* k_expiry_path = "/es/1.0/license-management/license-key/expiry-date";
constexpr const char* k_json_type = "application/json; charset=utf-8";

Error malformed(const std::string& function, const std::string& what) {
    return Error{ErrorKind::malformed, 200, {}, "RMS " + function + " answered 200 " + what};
}

std::optional<std::int64_t> integer_or_null(const json& object, const char* key, bool& bad) {
    if (!object.contains(key) || object[key].is_null()) {
        return std::nullopt;
    }
    if (!object[key].is_number_integer()) {
        bad = true;
        return std::nullopt;
    }
    return object[key].get<std::int64_t>();
}

} // namespace

std::string esa_authorization(const Credentials& credentials) {
    const std::string plain = credentials.service_secret + ":" + credentials.license_key;
    std::string encoded(4 * ((plain.size() + 2) / 3) + 1, '\0');
    const int length = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()),
                                       reinterpret_cast<const unsigned char*>(plain.data()),
                                       static_cast<int>(plain.size()));
    encoded.resize(static_cast<std::size_t>(std::max(length, 0)));
    return "ESA " + encoded;
}

tl::expected<SearchPage, Error> parse_search_order_response(std::string_view body) {
    const json answer = json::parse(body, nullptr, false);
    if (answer.is_discarded() || !answer.is_object()) {
        return tl::unexpected(malformed("searchOrder", "with a body that is not a JSON object"));
    }
    SearchPage page;
    const auto numbers = answer.find("orderNumberList");
    if (numbers == answer.end() || !numbers->is_array()) {
        return tl::unexpected(malformed("searchOrder", "without an orderNumberList list"));
    }
    for (const auto& number : *numbers) {
        if (!number.is_string()) {
            return tl::unexpected(
                malformed("searchOrder", "with an orderNumberList entry that is not a string"));
        }
        page.order_numbers.push_back(number.get<std::string>());
    }
    const auto pagination = answer.find("PaginationResponseModel");
    if (pagination != answer.end() && pagination->is_object()) {
        bool bad = false;
        page.total_records = integer_or_null(*pagination, "totalRecordsAmount", bad).value_or(0);
        page.total_pages = integer_or_null(*pagination, "totalPages", bad).value_or(0);
        page.page = static_cast<int>(integer_or_null(*pagination, "requestPage", bad).value_or(1));
        if (bad) {
            return tl::unexpected(malformed(
                "searchOrder", "with PaginationResponseModel numbers that are not integers"));
        }
    } else if (!page.order_numbers.empty()) {
        return tl::unexpected(malformed("searchOrder", "with hits but no PaginationResponseModel"));
    }
    return page;
}

std::chrono::milliseconds throttled_interval(std::chrono::milliseconds current,
                                             std::chrono::milliseconds configured) {
    const auto doubled = std::max(current * 2, k_min_throttled_interval);
    return std::max(std::min(doubled, k_max_throttled_interval), configured);
}

RmsClient::RmsClient(ClientOptions options, Credentials credentials, std::stop_token stop)
    : m_options(std::move(options))
    , m_stop(std::move(stop))
    , m_http(m_options.base_url, m_options.timeout)
    , m_random(std::random_device{}()) {
    m_interval = m_options.min_interval;
    set_credentials(std::move(credentials));
}

void RmsClient::reset_pace() {
    m_interval = m_options.min_interval;
    m_in_throttle_episode = false;
}

void RmsClient::set_credentials(Credentials credentials) {
    m_credentials = std::move(credentials);
    m_authorization = esa_authorization(m_credentials);
}

http::Request RmsClient::post(const std::string& path, std::string body) const {
    http::Request request;
    request.method = "POST";
    request.target = path;
    request.content_type = k_json_type;
    request.body = std::move(body);
    return request;
}

tl::expected<http::Response, Error> RmsClient::call_once(const char* function,
                                                         const http::Request& request) {
    if (m_sent_any) {
        const auto next = m_last_request + m_interval;
        const auto wait =
            std::chrono::ceil<std::chrono::milliseconds>(next - std::chrono::steady_clock::now());
        if (!wait_unless_stopped(m_stop, wait)) {
            return tl::unexpected(
                Error{ErrorKind::cancelled, 0, {}, std::string("RMS ") + function + ": stopped"});
        }
    }
    if (m_stop.stop_requested()) {
        return tl::unexpected(
            Error{ErrorKind::cancelled, 0, {}, std::string("RMS ") + function + ": stopped"});
    }
    m_last_request = std::chrono::steady_clock::now();
    m_sent_any = true;
    ++m_requests_sent;
    auto response = m_http.send(request);
    if (!response) {
        return tl::unexpected(classify_transport(function, response.error()));
    }
    if (response->status != 200) {
        return tl::unexpected(classify_status(function, *response));
    }
    return std::move(*response);
}

tl::expected<http::Response, Error> RmsClient::call(const char* function, http::Request request) {
    request.headers.emplace_back("Authorization", m_authorization);
    request.headers.emplace_back("Accept", "application/json");
    const int attempts = std::max(m_options.retry.attempts, 1);
    for (int attempt = 1;; ++attempt) {
        auto response = call_once(function, request);
        bool new_episode = false;
        if (response) {
            m_in_throttle_episode = false;
        } else if (response.error().throttled()) {
            ++m_throttled;
            // Slower once per episode: the backoff rides out the rest of it, and halving the
            // pace again for every retry would overshoot far below RMS's threshold.
            new_episode = !m_in_throttle_episode;
            if (new_episode) {
                m_in_throttle_episode = true;
                ++m_throttle_episodes;
                m_interval = throttled_interval(m_interval, m_options.min_interval);
            }
        }
        if (response || !response.error().retryable() || attempt >= attempts) {
            if (!response && response.error().retryable()) {
                response.error().message += " (gave up after " + std::to_string(attempt) +
                                            (attempt == 1 ? " attempt)" : " attempts)");
            }
            return response;
        }
        auto delay = backoff_delay(m_options.retry, attempt, m_random);
        if (response.error().throttled()) {
            if (new_episode && m_throttle_observer) {
                m_throttle_observer(ThrottleNotice{function, m_interval, delay});
            }
        } else if (m_observer) {
            m_observer(RetryNotice{function, attempt, delay, response.error()});
        }
        if (!wait_unless_stopped(m_stop, delay)) {
            return tl::unexpected(
                Error{ErrorKind::cancelled,
                      0,
                      {},
                      std::string("RMS ") + function + ": stopped while waiting to retry"});
        }
    }
}

tl::expected<SearchPage, Error> RmsClient::search_order(const SearchQuery& query, int page) {
    json body{{"dateType", static_cast<int>(query.date_type)},
              {"startDatetime", format_rms_datetime(query.start)},
              {"endDatetime", format_rms_datetime(query.end)},
              {"PaginationRequestModel",
               {{"requestRecordsAmount", k_max_records_per_page},
                {"requestPage", page},
                {"SortModelList", json::array({{{"sortColumn", 1}, {"sortDirection", 1}}})}}}};
    if (!query.progress.empty()) {
        body["orderProgressList"] = query.progress;
    }
    auto response = call("searchOrder", post(k_search_path, body.dump()));
    if (!response) {
        return tl::unexpected(std::move(response.error()));
    }
    return parse_search_order_response(response->body);
}

tl::expected<GetOrderResult, Error>
RmsClient::get_order(std::span<const std::string> order_numbers) {
    if (order_numbers.empty()) {
        return GetOrderResult{};
    }
    if (order_numbers.size() > k_max_get_order_numbers) {
        return tl::unexpected(Error{ErrorKind::other,
                                    0,
                                    {},
                                    "RMS getOrder takes at most 100 order numbers; asked for " +
                                        std::to_string(order_numbers.size())});
    }
    const json body{{"orderNumberList", order_numbers}, {"version", k_get_order_version}};
    auto response = call("getOrder", post(k_get_path, body.dump()));
    if (!response) {
        return tl::unexpected(std::move(response.error()));
    }
    return parse_get_order_response(response->body);
}

tl::expected<TimePoint, Error> RmsClient::license_expiry() {
    std::string key;
    Poco::URI::encode(m_credentials.license_key, "&=+?#/%", key);
    http::Request request;
    request.target = std::string(k_expiry_path) + "?licenseKey=" + key;
    auto response = call("license-key expiry lookup", std::move(request));
    if (!response) {
        return tl::unexpected(std::move(response.error()));
    }
    const json answer = json::parse(response->body, nullptr, false);
    if (answer.is_discarded() || !answer.is_object() || !answer.contains("expiryDate") ||
        !answer["expiryDate"].is_string()) {
        return tl::unexpected(
            malformed("license-key expiry lookup", "without an expiryDate string"));
    }
    auto expiry = parse_rms_local_datetime(answer["expiryDate"].get<std::string>());
    if (!expiry) {
        return tl::unexpected(
            malformed("license-key expiry lookup",
                      "with an expiryDate that is not a datetime: " + expiry.error()));
    }
    return *expiry;
}

} // namespace musubi::rakuten
