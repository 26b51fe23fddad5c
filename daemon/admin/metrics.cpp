#include "daemon/admin/metrics.hpp"

#include <algorithm>
#include <iomanip>
#include <sstream>

#include "daemon/store/sqlite/database.hpp"

namespace musubi::admin {

namespace {

// Milliseconds as Prometheus' seconds, without trailing zeros: 250 → "0.25", 1000 → "1".
std::string seconds(std::int64_t ms) {
    std::string text = std::to_string(ms / 1000);
    if (const std::int64_t rest = ms % 1000; rest != 0) {
        std::string fraction = std::to_string(1000 + rest).substr(1);
        while (fraction.back() == '0') {
            fraction.pop_back();
        }
        text += "." + fraction;
    }
    return text;
}

class Text {
public:
    // One metric family: its HELP and TYPE lines, then its samples.
    void family(const std::string& name, const std::string& type, const std::string& help) {
        m_text += "# HELP " + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
    }
    void sample(const std::string& name, std::int64_t value) {
        m_text += name + " " + std::to_string(value) + "\n";
    }
    void labelled(const std::string& name, const std::string& label,
                  const std::map<std::string, std::int64_t>& values) {
        for (const auto& [key, value] : values) {
            // Label values here are our own words (kinds, states), never user text: no escaping.
            m_text += name + "{" + label + "=\"" + key + "\"} " + std::to_string(value) + "\n";
        }
    }
    void gauge(const std::string& name, const std::string& label, const std::string& key,
               double value) {
        std::ostringstream number;
        number << std::fixed << std::setprecision(3) << value;
        m_text += name + "{" + label + "=\"" + key + "\"} " + number.str() + "\n";
    }
    void histogram(const std::string& name, const dispatch::SendLatency& latency) {
        std::int64_t cumulative = 0;
        for (std::size_t i = 0; i < latency.counts.size(); ++i) {
            cumulative += latency.counts[i];
            const std::string bound = i < latency.k_bounds_ms.size()
                                          ? seconds(latency.k_bounds_ms[i])
                                          : std::string("+Inf");
            m_text += name + "_bucket{le=\"" + bound + "\"} " + std::to_string(cumulative) + "\n";
        }
        m_text += name + "_sum " + seconds(latency.sum_ms) + "\n";
        m_text += name + "_count " + std::to_string(latency.count) + "\n";
    }
    const std::string& text() const { return m_text; }

private:
    std::string m_text;
};

// webhook.forward: one series per target. The label is a URL (without its query), so it is
// escaped as Prometheus' text format asks.
std::string forward_metrics(const std::vector<webhook::ForwardTargetStats>& targets) {
    if (targets.empty()) {
        return {};
    }
    const auto label = [](const std::string& url) {
        std::string escaped;
        for (const char c : url) {
            if (c == '\\' || c == '"') {
                escaped += '\\';
            }
            escaped += c == '\n' ? ' ' : c;
        }
        return "{target=\"" + escaped + "\"}";
    };
    std::string text;
    const auto family = [&](const std::string& name, const char* type, const char* help,
                            auto value) {
        text += "# HELP " + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
        for (const auto& target : targets) {
            text += name + label(target.target) + " " + std::to_string(value(target)) + "\n";
        }
    };
    family("musubi_webhook_forwarded_total", "counter",
           "Webhook bodies another tool on the channel answered 2xx to, since start.",
           [](const auto& t) { return t.forwarded; });
    family("musubi_webhook_forward_given_up_total", "counter",
           "Webhook bodies dropped undelivered after webhook.forward_give_up_after, since start.",
           [](const auto& t) { return t.given_up; });
    family("musubi_webhook_forward_retrying", "gauge",
           "Queued webhook bodies that failed at least once and wait for the next try.",
           [](const auto& t) { return t.retrying; });
    family("musubi_webhook_forward_queue", "gauge",
           "Webhook bodies waiting to be passed on to the tool (queue depth).",
           [](const auto& t) { return t.queued; });
    return text;
}

} // namespace

StoreWritable store_writable_now() {
    const auto health = store::sqlite::write_health();
    return {health.problem == store::sqlite::WriteProblem::none
                ? std::string()
                : std::string(store::sqlite::write_problem_name(health.problem)),
            health.refused_writes};
}

std::string render_metrics(const MetricsSnapshot& s) {
    Text out;
    out.family("musubi_up", "gauge", "1 while musubid runs.");
    out.sample("musubi_up", 1);
    out.family("musubi_facts", "gauge", "Facts in the store, by kind.");
    out.labelled("musubi_facts", "kind", s.facts);
    out.family("musubi_outbox_messages", "gauge", "Outbox rows, by state.");
    out.labelled("musubi_outbox_messages", "state", s.outbox);
    out.family("musubi_sends_total", "counter", "Send attempts since start, by outcome.");
    out.labelled("musubi_sends_total", "outcome", s.sends);
    out.family("musubi_rate_limited_total", "counter", "HTTP 429 answers from LINE since start.");
    out.sample("musubi_rate_limited_total", s.rate_limited);
    out.family("musubi_dispatch_paused", "gauge",
               "1 while all sending is paused for the reason (monthly quota, refused token).");
    out.labelled("musubi_dispatch_paused", "reason",
                 {{"quota", s.paused == "quota" ? 1 : 0},
                  {"unauthorized", s.paused == "unauthorized" ? 1 : 0}});
    out.family("musubi_webhook_bodies_total", "counter", "Webhook bodies since start, by answer.");
    out.labelled("musubi_webhook_bodies_total", "result", s.webhook_bodies);
    out.family("musubi_webhook_events_total", "counter",
               "Events in accepted webhook bodies since start.");
    out.labelled("musubi_webhook_events_total", "result", s.webhook_events);
    out.family("musubi_rakuten_polls_total", "counter", "RMS polls since start.");
    out.sample("musubi_rakuten_polls_total", s.rakuten_polls);
    out.family("musubi_rakuten_paused", "gauge",
               "1 while RMS polling waits for a new license key.");
    out.sample("musubi_rakuten_paused", s.rakuten_paused ? 1 : 0);
    if (s.license_days_left) {
        out.family("musubi_license_key_days_left", "gauge",
                   "Days until the RMS license key expires (renew from 14 days before).");
        out.sample("musubi_license_key_days_left", *s.license_days_left);
    }
    out.family("musubi_send_latency_seconds", "histogram",
               "From a message's due time to LINE's acceptance, for messages sent since start.");
    out.histogram("musubi_send_latency_seconds", s.send_latency);
    if (!s.poll_lag_seconds.empty()) {
        out.family("musubi_poll_lag_seconds", "gauge",
                   "Seconds since the start of the connector's last poll that succeeded.");
        for (const auto& [connector, lag] : s.poll_lag_seconds) {
            out.gauge("musubi_poll_lag_seconds", "connector", connector, lag);
        }
    }
    if (s.quota_used) {
        out.family("musubi_quota_messages", "gauge",
                   "LINE's monthly message quota: used so far, the limit, and what is left "
                   "(limit and left are absent when the plan has no limit).");
        std::map<std::string, std::int64_t> quota{{"used", *s.quota_used}};
        if (s.quota_limit) {
            quota["limit"] = *s.quota_limit;
            quota["left"] = std::max<std::int64_t>(*s.quota_limit - *s.quota_used, 0);
        }
        out.labelled("musubi_quota_messages", "kind", quota);
    }
    out.family("musubi_store_writable", "gauge",
               "1 while the store takes writes; 0 while it refuses them (disk full, read-only, "
               "I/O error): nothing is sent until it takes them again.");
    if (s.store.problem.empty()) {
        out.sample("musubi_store_writable", 1);
    } else {
        out.labelled("musubi_store_writable", "problem", {{s.store.problem, 0}});
    }
    out.family("musubi_store_refused_writes_total", "counter",
               "Writes the store refused since start (all workers).");
    out.sample("musubi_store_refused_writes_total", s.store.refused_writes);
    return out.text() + forward_metrics(s.forward);
}

} // namespace musubi::admin
