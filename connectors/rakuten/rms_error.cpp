#include "connectors/rakuten/rms_error.hpp"

#include <nlohmann/json.hpp>

namespace musubi::rakuten {

namespace {

std::string optional_string(const nlohmann::json& object, const char* key) {
    if (!object.contains(key) || !object[key].is_string()) {
        return {};
    }
    return object[key].get<std::string>();
}

std::string codes_text(const std::vector<RmsMessage>& messages) {
    std::string text;
    for (const auto& message : messages) {
        text += text.empty() ? ": " : "; ";
        text += message.code + " " + message.text;
    }
    return text;
}

} // namespace

std::string_view to_string(ErrorKind kind) {
    switch (kind) {
    case ErrorKind::unauthorized:
        return "unauthorized";
    case ErrorKind::bad_request:
        return "bad_request";
    case ErrorKind::transient:
        return "transient";
    case ErrorKind::malformed:
        return "malformed";
    case ErrorKind::cancelled:
        return "cancelled";
    case ErrorKind::other:
        return "other";
    }
    return "other";
}

std::vector<RmsMessage> read_messages(const nlohmann::json& body) {
    std::vector<RmsMessage> messages;
    if (!body.is_object() || !body.contains("MessageModelList") ||
        !body["MessageModelList"].is_array()) {
        return messages;
    }
    for (const auto& entry : body["MessageModelList"]) {
        if (!entry.is_object()) {
            continue;
        }
        RmsMessage message{optional_string(entry, "messageType"),
                           optional_string(entry, "messageCode"), optional_string(entry, "message"),
                           std::nullopt};
        if (entry.contains("orderNumber") && entry["orderNumber"].is_string()) {
            message.order_number = entry["orderNumber"].get<std::string>();
        }
        messages.push_back(std::move(message));
    }
    return messages;
}

Error classify_status(std::string_view function, const http::Response& response) {
    Error error;
    error.status = response.status;
    const std::string what =
        "RMS " + std::string(function) + " answered HTTP " + std::to_string(response.status);
    if (response.status == 401) {
        error.kind = ErrorKind::unauthorized;
        error.message = what +
                        ": the license key has expired or is wrong (or the function is not "
                        "enabled in RMS). Renew the RMS license key in RMS (it lives 90 days; a "
                        "new key may be refused for up to 30 minutes), put it in "
                        "rakuten.license_key and restart musubi";
        return error;
    }
    if (response.status == 400) {
        error.kind = ErrorKind::bad_request;
        error.messages = read_messages(nlohmann::json::parse(response.body, nullptr, false));
        error.message = what + " (request refused)" + codes_text(error.messages);
        return error;
    }
    if (response.status == 403) {
        // Not a configuration error: RMS answers 403 (AccessLimit / QPSLimit) to a request
        // over its unpublished per-second, per-minute or concurrency thresholds.
        error.kind = ErrorKind::transient;
        error.message = what + " (request threshold exceeded: AccessLimit/QPSLimit); slowing "
                               "down and retrying";
        return error;
    }
    if (response.status >= 500 || response.status == 429) {
        error.kind = ErrorKind::transient;
        error.message = what + (response.status == 503 ? " (overloaded or in maintenance)" : "") +
                        "; will retry later";
        return error;
    }
    error.kind = ErrorKind::other;
    error.message = what + " (unexpected; check rakuten.base_url)";
    return error;
}

Error classify_transport(std::string_view function, const http::TransportError& failure) {
    Error error;
    const bool transient = failure.kind == http::TransportErrorKind::timeout ||
                           failure.kind == http::TransportErrorKind::connection;
    error.kind = transient ? ErrorKind::transient : ErrorKind::other;
    error.message = "RMS " + std::string(function) + ": " + failure.message;
    if (transient) {
        error.message += "; will retry later";
    }
    return error;
}

} // namespace musubi::rakuten
