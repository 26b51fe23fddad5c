#pragma once
// The read-only status page on the admin address (GET /, GET /status.json): sends per hour,
// failures with their reasons, the outbox's depth, the link rate, each scenario's funnel,
// segment sizes and the Rakuten license key's expiry. A snapshot goes in, text comes out, so
// the page is testable without a server.
//
// The HTML is one self-contained page in Japanese: inline CSS, charts drawn as inline SVG on
// the server, no scripts, no external resources (the admin address may have no internet
// access), reloading itself every minute. Every number shown is also the text of an element
// with a `data-metric` attribute (and `data-key` for per-scenario, per-step, per-reason,
// per-hour and per-segment numbers), so tests and scripts read exactly what operators see.
// /status.json carries the same numbers.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "daemon/store/followers_import.hpp"
#include "daemon/store/status_report.hpp"
#include "daemon/webhook/forward_stats.hpp"

namespace musubi::admin {

// The license key is flagged from this many days before it expires.
inline constexpr int k_license_warn_days = 14;

struct StatusSnapshot {
    store::StatusData report;
    std::string report_error; // non-empty: the store could not be read (the page says so)
    std::optional<int> license_days_left;         // nullopt: not known (RMS off or not checked yet)
    std::map<std::string, std::int64_t> segments; // segment → friends; empty: none configured
    std::int64_t generated_at_ms = 0;
    std::string shop_name;
    std::string version;
    std::vector<webhook::ForwardTargetStats> forward; // webhook.forward; empty: none configured
    std::optional<store::ImportTotals> followers; // the existing friends' import; nullopt: unread
};

// What the daemon serves: the store's report (a failure to read it becomes report_error,
// shown on the page rather than hiding it), stamped with the time, shop and version.
StatusSnapshot read_status(store::StatusReport& report, std::int64_t now_ms, std::string shop_name,
                           std::optional<int> license_days_left,
                           std::map<std::string, std::int64_t> segments);

std::string render_status_page(const StatusSnapshot& snapshot);
std::string render_status_json(const StatusSnapshot& snapshot);

// Shared by both renderings and exposed for tests.
std::string html_escape(std::string_view text);
// "2026-11-22 18:05" in JST.
std::string format_jst(std::int64_t at_ms);
// Link rate as a percentage with one decimal, e.g. "42.9" (0 without followers).
std::string link_rate_percent(const store::FriendCounts& friends);
// The existing friends' import section (and the note when LINE refuses the followers list).
std::string followers_section(const StatusSnapshot& snapshot);

} // namespace musubi::admin
