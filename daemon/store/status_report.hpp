#pragma once
// What the status page shows (issue 8): sends per hour, failures with reasons, outbox depth,
// friends and their link rate, each scenario's funnel. Read-only, in one read transaction so
// the numbers agree with each other; no personal data (ids, scenario and step names, reasons).
//
// Hours and days are Japan's (UTC+9, no daylight saving): the shop thinks in JST.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "daemon/store/store_error.hpp"

namespace musubi::store {

inline constexpr std::int64_t k_jst_offset_ms = 9LL * 3600 * 1000;
inline constexpr int k_status_hours = 48;
inline constexpr int k_status_link_days = 14;
inline constexpr int k_status_recent_failures = 20;

// Send attempts (deliveries) in one JST hour. delivered: LINE accepted the message
// ('sent', or 'already_sent' for a resend LINE had seen); skipped: not sent on purpose (the
// friend blocked the account, the message expired); failed: every other attempt (refusals,
// errors, rate limits, retries).
struct HourlySends {
    std::int64_t hour_start_ms = 0; // UTC epoch ms of the JST hour's start
    std::int64_t delivered = 0;
    std::int64_t failed = 0;
    std::int64_t skipped = 0;
};

// Outbox rows that failed for good, by the reason the dispatcher wrote.
struct FailureReason {
    std::string reason;
    std::int64_t count = 0;
    std::int64_t latest_at_ms = 0;
};

struct RecentFailure {
    std::int64_t outbox_id = 0;
    std::string scenario; // empty: not from a scenario
    std::string step;
    std::string reason;
    std::int64_t at_ms = 0;
};

struct OutboxDepth {
    std::int64_t pending = 0;
    std::int64_t sending = 0;
    std::int64_t due_now = 0;                      // pending with due_at <= now
    std::optional<std::int64_t> oldest_due_age_ms; // now - the oldest due_at of those
};

struct FriendCounts {
    std::int64_t following = 0;
    std::int64_t blocked = 0;
    std::int64_t linked = 0; // following friends with an active link
    // linked / following, 0 without followers.
    double link_rate() const {
        return following == 0 ? 0.0 : static_cast<double>(linked) / static_cast<double>(following);
    }
};

// Links made on one JST day, by method (chat, web, account_link, buyer_key, cli).
struct DailyLinks {
    std::int64_t day_start_ms = 0; // UTC epoch ms of the JST day's start
    std::map<std::string, std::int64_t> by_method;
    std::int64_t total() const {
        std::int64_t sum = 0;
        for (const auto& [method, count] : by_method) {
            sum += count;
        }
        return sum;
    }
};

// One step of a scenario: enrollments that reached it (an outbox row was written for them),
// those whose message LINE accepted, and active enrollments waiting at it now.
struct FunnelStep {
    std::string step;
    std::int64_t reached = 0;
    std::int64_t sent = 0;
    std::int64_t waiting = 0;
};

// Steps are in the order they were first reached (the store does not know the scenario
// files; for a funnel the first-reached order is the scenario's order).
struct ScenarioFunnel {
    std::string scenario;
    std::int64_t enrolled = 0;
    std::int64_t active = 0;
    std::int64_t done = 0;
    std::int64_t cancelled = 0;
    std::int64_t ended = 0;
    std::vector<FunnelStep> steps;
};

// The last review CSV file read (issue 18): when it was near RMS's size cap, older reviews may
// be missing from it and the shop should export more often.
struct ReviewExportNote {
    std::string file;
    std::int64_t imported_at_ms = 0;
    std::int64_t bytes = 0;
    std::int64_t reviews = 0;
    std::optional<std::int64_t> oldest_posted_at_ms;
    bool near_cap = false;
};

struct StatusData {
    std::int64_t now_ms = 0;         // the store clock's "now" the numbers are for
    std::vector<HourlySends> hourly; // k_status_hours entries, oldest first, the last is now's
    std::vector<FailureReason> failure_reasons; // most frequent first
    std::int64_t failed_total = 0;
    std::vector<RecentFailure> recent_failures; // newest first, at most k_status_recent_failures
    OutboxDepth outbox;
    FriendCounts friends;
    std::vector<DailyLinks> daily_links;                // k_status_link_days entries, oldest first
    std::vector<ScenarioFunnel> funnels;                // by scenario name
    std::optional<ReviewExportNote> last_review_export; // nullopt: no review file read yet
};

class StatusReport {
public:
    virtual ~StatusReport() = default;
    virtual tl::expected<StatusData, StoreError> read() = 0;
};

// The UTC epoch ms at which the JST hour (day) holding `at_ms` starts.
inline std::int64_t jst_hour_start(std::int64_t at_ms) {
    constexpr std::int64_t hour = 3600LL * 1000;
    const std::int64_t local = at_ms + k_jst_offset_ms;
    return local - ((local % hour) + hour) % hour - k_jst_offset_ms;
}
inline std::int64_t jst_day_start(std::int64_t at_ms) {
    constexpr std::int64_t day = 24LL * 3600 * 1000;
    const std::int64_t local = at_ms + k_jst_offset_ms;
    return local - ((local % day) + day) % day - k_jst_offset_ms;
}

} // namespace musubi::store
