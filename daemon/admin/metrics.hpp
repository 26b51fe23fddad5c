#pragma once
// /metrics in Prometheus' text format (version 0.0.4): what an operator's Prometheus scrapes.
// A snapshot of numbers goes in, text comes out, so the format is testable without a server.
//
//   musubi_up 1
//   musubi_facts{kind="order.placed"} 120            rows in the store, by kind
//   musubi_outbox_messages{state="sent"} 340         rows in the outbox, by state
//   musubi_sends_total{outcome="sent"} 338           the dispatcher's attempts since start
//   musubi_rate_limited_total 0                      429s received since start
//   musubi_dispatch_paused{reason="quota"} 0         1 while sending is paused for that reason
//   musubi_webhook_bodies_total{result="accepted"}   webhook bodies since start, by answer
//   musubi_webhook_events_total{result="new"}        events in accepted bodies: new | duplicate
//   musubi_rakuten_polls_total 12, musubi_rakuten_paused 0
//   musubi_license_key_days_left 41                  absent while unknown (RMS off, not checked)
//   musubi_send_latency_seconds_bucket{le="1"} 330   due time → LINE's acceptance, histogram
//   musubi_poll_lag_seconds{connector="rakuten"} 12.5  since the last poll that succeeded
//   musubi_quota_messages{kind="used"} 1200           this month; kind="limit" absent: no limit
//   musubi_store_writable{problem="disk_full"} 0      0 while the store refuses writes (disk
//                                                     full, read-only, I/O error): no sending
//   musubi_store_refused_writes_total 3               writes SQLite refused since start

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "daemon/dispatch/send_latency.hpp"
#include "daemon/webhook/forward_stats.hpp"

namespace musubi::admin {

// Whether the store takes writes now: "" when it does, else disk_full | read_only | io_error
// (daemon/store/sqlite/database.hpp tracks it for every connection of the process).
struct StoreWritable {
    std::string problem;
    std::int64_t refused_writes = 0;
};
StoreWritable store_writable_now();

struct MetricsSnapshot {
    std::map<std::string, std::int64_t> facts;  // kind → rows
    std::map<std::string, std::int64_t> outbox; // state → rows
    std::map<std::string, std::int64_t> sends;  // outcome → attempts
    std::int64_t rate_limited = 0;
    std::string paused;                                 // "", "quota" or "unauthorized"
    std::map<std::string, std::int64_t> webhook_bodies; // accepted | refused | bad_signature
    std::map<std::string, std::int64_t> webhook_events; // new | duplicate
    std::int64_t rakuten_polls = 0;
    bool rakuten_paused = false;
    std::optional<int> license_days_left;
    dispatch::SendLatency send_latency;
    std::map<std::string, double> poll_lag_seconds;   // connector → seconds; running pollers only
    std::optional<std::int64_t> quota_used;           // nullopt: LINE not asked successfully yet
    std::optional<std::int64_t> quota_limit;          // nullopt: no monthly limit (or unknown)
    StoreWritable store = store_writable_now();       // read when the snapshot is made
    std::vector<webhook::ForwardTargetStats> forward; // webhook.forward, per target
};

std::string render_metrics(const MetricsSnapshot& snapshot);

} // namespace musubi::admin
