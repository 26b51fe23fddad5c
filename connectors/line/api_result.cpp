#include "connectors/line/api_result.hpp"

namespace musubi::line {

namespace {

std::string string_of(const nlohmann::json& value) {
    if (value.is_string()) {
        return value.get<std::string>();
    }
    // LINE sends ids as strings; a number (or anything else) is kept in its JSON spelling so
    // that no digit of a 64-bit id is lost to a double.
    return value.is_null() ? std::string() : value.dump();
}

std::string header_or_empty(const http::Response& response, const std::string& name) {
    const auto* value = response.header(name);
    return value == nullptr ? std::string() : *value;
}

void read_body(ApiResult& result) {
    if (!result.body.is_object()) {
        return;
    }
    if (auto message = result.body.find("message"); message != result.body.end()) {
        result.message = string_of(*message);
    }
    if (auto details = result.body.find("details"); details != result.body.end()) {
        if (details->is_array()) {
            for (const auto& detail : *details) {
                if (detail.is_object()) {
                    result.details.push_back(
                        {string_of(detail.value("message", nlohmann::json())),
                         string_of(detail.value("property", nlohmann::json()))});
                }
            }
        }
    }
    if (auto sent = result.body.find("sentMessages"); sent != result.body.end()) {
        if (sent->is_array()) {
            for (const auto& message : *sent) {
                if (message.is_object() && message.contains("id")) {
                    result.sent_message_ids.push_back(string_of(message["id"]));
                }
            }
        }
    }
}

Outcome outcome_of(const ApiResult& result, bool has_accepted_id) {
    const int status = result.status;
    if (status >= 200 && status < 300) {
        return Outcome::sent;
    }
    if (status == 409 && has_accepted_id) {
        return Outcome::already_sent;
    }
    if (status == 429) {
        // Only the monthly limit means "stop"; any other 429 is treated as the rate limit,
        // because backing off and retrying with the same key can never send twice.
        return result.message == k_monthly_limit_message ? Outcome::quota_exhausted
                                                         : Outcome::rate_limited;
    }
    if (status == 401) {
        return Outcome::unauthorized;
    }
    if (status >= 500) {
        return Outcome::transient;
    }
    return Outcome::permanent;
}

} // namespace

std::string_view outcome_name(Outcome outcome) {
    switch (outcome) {
    case Outcome::sent:
        return "sent";
    case Outcome::already_sent:
        return "already_sent";
    case Outcome::rate_limited:
        return "rate_limited";
    case Outcome::quota_exhausted:
        return "quota_exhausted";
    case Outcome::unauthorized:
        return "unauthorized";
    case Outcome::permanent:
        return "permanent";
    case Outcome::transient:
        return "transient";
    }
    return "unknown";
}

ApiResult classify_response(const http::Response& response) {
    ApiResult result;
    result.status = response.status;
    result.request_id = header_or_empty(response, "x-line-request-id");
    result.accepted_request_id = header_or_empty(response, "x-line-accepted-request-id");
    result.body = nlohmann::json::parse(response.body, nullptr, false);
    if (result.body.is_discarded()) {
        result.body = nullptr;
    }
    read_body(result);
    result.outcome = outcome_of(result, !result.accepted_request_id.empty());
    if (result.message.empty() && (response.status < 200 || response.status >= 300)) {
        result.message =
            "LINE answered HTTP " + std::to_string(response.status) + " without a message";
    }
    return result;
}

ApiResult classify_transport_error(const http::TransportError& error) {
    ApiResult result;
    result.outcome = Outcome::transient;
    result.message = error.message;
    return result;
}

ApiResult local_refusal(std::string message) {
    ApiResult result;
    result.outcome = Outcome::permanent;
    result.message = std::move(message);
    return result;
}

} // namespace musubi::line
