#include "daemon/dispatch/outcome.hpp"

namespace musubi::dispatch {

namespace {

store::AttemptRecord record_for(const store::DueMessage& row, store::Disposition disposition,
                                std::int64_t now_ms, std::string outcome, std::string reason) {
    store::AttemptRecord record;
    record.outbox_id = row.id;
    record.disposition = disposition;
    record.attempted_at = now_ms;
    record.outcome = std::move(outcome);
    record.reason = std::move(reason);
    return record;
}

std::string status_text(const line::ApiResult& result) {
    return result.status == 0 ? std::string("no answer") : "HTTP " + std::to_string(result.status);
}

std::string route_text(Route route) {
    switch (route) {
    case Route::reply:
        return "replied";
    case Route::push_after_reply:
        return "pushed (the reply token was no longer valid)";
    case Route::multicast:
        return "multicast";
    case Route::push:
        break;
    }
    return "pushed";
}

} // namespace

std::optional<store::AttemptRecord> precheck(const store::DueMessage& row, std::int64_t now_ms,
                                             std::chrono::milliseconds expire_after) {
    using store::Disposition;
    if (row.kind == "multicast") {
        // No friend row: the recipients are in the payload, chosen when the row was written.
        if (now_ms - row.first_attempt_at > expire_after.count()) {
            return record_for(row, Disposition::expired, now_ms, "expired", k_reason_expired);
        }
        return std::nullopt;
    }
    if (row.kind == "reply" && !row.friend_id) {
        // A reply into a group chat or room (an in_groups scenario): by its token only, never
        // pushed (a push would need the group's id, and a group is never sent to otherwise).
        if (!row.reply_token || !row.reply_until || now_ms >= *row.reply_until) {
            return record_for(row, Disposition::expired, now_ms, "expired",
                              "a reply into a group chat goes only by its reply token, and the "
                              "token has expired; nothing is pushed into a group");
        }
        return std::nullopt;
    }
    if (row.line_user_id.empty()) {
        return record_for(row, Disposition::failed, now_ms, "no_friend",
                          row.friend_id ? "no friend with id " + std::to_string(*row.friend_id)
                                        : std::string("the message names no friend"));
    }
    if (row.friend_blocked) {
        return record_for(row, Disposition::skipped, now_ms, "blocked", k_reason_blocked);
    }
    if (now_ms - row.first_attempt_at > expire_after.count()) {
        return record_for(row, Disposition::expired, now_ms, "expired", k_reason_expired);
    }
    if (row.kind != "push" && row.kind != "reply") {
        return record_for(row, Disposition::failed, now_ms, "unsupported",
                          "kind '" + row.kind +
                              "' is not sent by the dispatcher (push, reply or multicast)");
    }
    return std::nullopt;
}

std::optional<std::vector<std::string>> multicast_recipients(const nlohmann::json& payload) {
    if (!payload.is_object() || !payload.contains("to") || !payload["to"].is_array()) {
        return std::nullopt;
    }
    std::vector<std::string> recipients;
    for (const auto& user : payload["to"]) {
        if (!user.is_string()) {
            return std::nullopt;
        }
        recipients.push_back(user.get<std::string>());
    }
    return recipients;
}

std::string describe_refusal(const line::ApiResult& result) {
    std::string text = "LINE refused the message (" + status_text(result) + "): " + result.message;
    for (std::size_t i = 0; i < result.details.size(); ++i) {
        text += i == 0 ? ": " : "; ";
        const auto& detail = result.details[i];
        text += detail.property.empty() ? detail.message : detail.property + ": " + detail.message;
    }
    return text;
}

store::AttemptRecord judge(const store::DueMessage& row, const line::ApiResult& result, Route route,
                           std::int64_t now_ms, const BackoffPolicy& backoff, double unit_random) {
    using line::Outcome;
    using store::Disposition;
    const std::string outcome(line::outcome_name(result.outcome));
    store::AttemptRecord record;
    switch (result.outcome) {
    case Outcome::sent:
        record = record_for(row, Disposition::sent, now_ms, outcome, route_text(route));
        record.request_id = result.request_id;
        break;
    case Outcome::already_sent:
        record = record_for(row, Disposition::sent, now_ms, outcome,
                            "LINE had accepted this retry key before (409)");
        record.request_id = result.accepted_request_id;
        break;
    case Outcome::rate_limited:
    case Outcome::transient:
        record = record_for(row, Disposition::retry, now_ms, outcome,
                            result.message + " (" + status_text(result) +
                                "); resending with the same retry key");
        record.retry_at =
            now_ms + backoff_delay(backoff, static_cast<long>(row.attempts), unit_random).count();
        record.request_id = result.request_id;
        break;
    case Outcome::quota_exhausted:
        record = record_for(row, Disposition::retry, now_ms, outcome,
                            "the monthly message limit is reached; sending resumes when the "
                            "quota allows");
        record.retry_at = now_ms;
        break;
    case Outcome::unauthorized:
        record = record_for(row, Disposition::retry, now_ms, outcome,
                            "LINE refused the channel access token (401); sending resumes after "
                            "a reload with a valid token");
        record.retry_at = now_ms;
        break;
    case Outcome::permanent:
        record = record_for(row, Disposition::failed, now_ms, outcome, describe_refusal(result));
        record.request_id = result.request_id;
        break;
    }
    record.http_status = result.status;
    return record;
}

} // namespace musubi::dispatch
