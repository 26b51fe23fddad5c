#pragma once
// What the dispatcher makes of a claimed row, as plain functions (no I/O) so that every rule
// is testable on its own:
//  - before sending (precheck): no friend → failed; friend blocked → skipped; first tried
//    longer than expire_after ago → expired (LINE forgets a retry key after 24 hours, so a
//    resend could no longer be recognised as a repeat);
//  - after sending (judge): LINE's answer → the row's next state, reason and retry time.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "connectors/line/api_result.hpp"
#include "daemon/dispatch/backoff.hpp"
#include "daemon/store/outbox.hpp"

namespace musubi::dispatch {

inline constexpr const char* k_reason_blocked = "friend has blocked the account";
inline constexpr const char* k_reason_expired =
    "first tried over 23 hours ago; not resent because LINE forgets retry keys after 24 hours";
inline constexpr std::string_view k_invalid_reply_token = "Invalid reply token";

// A final record when the row must not be sent; nullopt when it may be.
std::optional<store::AttemptRecord> precheck(const store::DueMessage& row, std::int64_t now_ms,
                                             std::chrono::milliseconds expire_after);

// How the message went out, for the reason text.
enum class Route { push, reply, push_after_reply, multicast };

// The user IDs of a multicast row's payload ({"to": [...], "messages": [...]}); nullopt when
// the payload is not of that shape.
std::optional<std::vector<std::string>> multicast_recipients(const nlohmann::json& payload);

// LINE's answer to the row's send → what the outbox records. `unit_random` in [0, 1) draws
// the backoff's jitter.
store::AttemptRecord judge(const store::DueMessage& row, const line::ApiResult& result, Route route,
                           std::int64_t now_ms, const BackoffPolicy& backoff, double unit_random);

// "LINE refused the message (HTTP 400): The request body has 1 error(s): messages[0].text:
// Length must be between 0 and 5000" — LINE's words, for the row's reason.
std::string describe_refusal(const line::ApiResult& result);

} // namespace musubi::dispatch
