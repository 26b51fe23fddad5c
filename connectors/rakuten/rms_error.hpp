#pragma once
// What an RMS call can end in besides success, sorted into the few cases a caller acts on:
// renew the license key (unauthorized), fix the request (bad_request), try again later
// (transient), or look at the answer (malformed / other). Messages are for people and never
// carry the service secret, the license key or buyers' personal data.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "connectors/http/http_client.hpp"

namespace musubi::rakuten {

// One entry of RMS's MessageModelList.
struct RmsMessage {
    std::string type; // INFO | WARNING | ERROR
    std::string code; // e.g. ORDER_EXT_API_SEARCH_ORDER_ERROR_011
    std::string text;
    std::optional<std::string> order_number; // getOrder names the order it is about
};

enum class ErrorKind {
    unauthorized,         // 401: expired or wrong license key (or replaced by a newly issued one)
    function_not_enabled, // ES04-01: the shop has not enabled this function in RMS
    bad_request,          // 400: RMS refused the request; `messages` has its codes
    transient,            // 5xx, 429, 403 (throttled), timeout, connection lost: retry later
    malformed,            // 200 whose body is not what the contract describes
    cancelled,            // the caller asked to stop while we were waiting
    other                 // 404, 405, TLS failure, bad URL, a request the client refuses to send
};

struct Error {
    ErrorKind kind = ErrorKind::other;
    int status = 0; // HTTP status; 0 when there was no answer
    std::vector<RmsMessage> messages;
    std::string message; // what happened and what to do

    bool retryable() const { return kind == ErrorKind::transient; }
    // RMS's answer to a request over its request thresholds (per second, per minute,
    // concurrent): HTTP 403 with AccessLimit / QPSLimit. Transient: slow down and retry.
    bool throttled() const { return kind == ErrorKind::transient && status == 403; }
};

std::string_view to_string(ErrorKind kind);

// Reads MessageModelList from an RMS answer; entries that are not objects are skipped.
std::vector<RmsMessage> read_messages(const nlohmann::json& body);

// The RMS screen where a shop enables API functions, as staff read it in RMS. RMS renames
// screens now and then, so texts that quote it say so.
inline constexpr std::string_view k_rms_function_settings_screen =
    "RMS → 店舗様向け情報・サービス → WEB APIサービス → 利用設定 → 利用機能編集";

// What to do about a refused license key, for the 401 message and the license warnings:
// issuing a new key in RMS makes the old one unusable at once, and the new one may be refused
// for a while after issue, so the hand-over is one step, checked before the restart.
std::string license_handover_steps();

// Sorts a non-200 answer (or a failed exchange) of RMS function `function` (e.g.
// "searchOrder") into an Error.
Error classify_status(std::string_view function, const http::Response& response);
Error classify_transport(std::string_view function, const http::TransportError& error);

} // namespace musubi::rakuten
