#pragma once
// What one LINE Messaging API call came to, in the terms a caller acts on: was it sent,
// already sent (a repeated retry key), or must the caller back off, stop, renew the token,
// give up on this message, or retry it with the same retry key. Every answer of LINE and
// every transport failure maps to exactly one Outcome; the rest of ApiResult keeps LINE's own
// words so that a person can be told what happened.

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "connectors/http/http_client.hpp"

namespace musubi::line {

enum class Outcome {
    sent,            // 2xx: LINE accepted the call
    already_sent,    // 409 with X-Line-Accepted-Request-Id: a repeated retry key; success
    rate_limited,    // 429 "The API rate limit has been exceeded. Try again later.": back off,
                     // retry with the same key
    quota_exhausted, // 429 "You have reached your monthly limit.": stop sending, alert
    unauthorized,    // 401: the channel access token is wrong or expired; renew it
    permanent,       // any other 4xx: this request will never succeed as it is
    transient,       // 5xx, timeout, connection failure: retry with the same key
};

// "sent", "already_sent", … — stable names for logs and metrics.
std::string_view outcome_name(Outcome outcome);

// One entry of LINE's `details[]`: which property of the request broke which rule.
struct ErrorDetail {
    std::string message;
    std::string property;

    bool operator==(const ErrorDetail&) const = default;
};

struct ApiResult {
    Outcome outcome = Outcome::transient;
    int status = 0;                            // HTTP status; 0 when no answer arrived
    std::string request_id;                    // x-line-request-id of this answer
    std::string accepted_request_id;           // 409: the request that first used the key
    std::vector<std::string> sent_message_ids; // push/reply (and a push's 409), as strings
    std::string message;                       // LINE's `message`, or what went wrong locally
    std::vector<ErrorDetail> details;          // LINE's `details[]`
    nlohmann::json body;                       // the parsed answer body; null when not JSON

    // Sent now or before: the message need not (and must not) be sent again.
    bool succeeded() const { return outcome == Outcome::sent || outcome == Outcome::already_sent; }
};

// LINE's two 429 messages, word for word.
inline constexpr std::string_view k_rate_limit_message =
    "The API rate limit has been exceeded. Try again later.";
inline constexpr std::string_view k_monthly_limit_message = "You have reached your monthly limit.";

// Classifies an HTTP answer from the Messaging API.
ApiResult classify_response(const http::Response& response);

// Classifies a call that got no HTTP answer. Timeouts and broken connections are transient; so
// is a TLS failure, because dropping messages would not fix a certificate problem and the
// retry succeeds once an operator has.
ApiResult classify_transport_error(const http::TransportError& error);

// A request refused before it was sent (e.g. a malformed retry key): permanent, status 0.
ApiResult local_refusal(std::string message);

} // namespace musubi::line
