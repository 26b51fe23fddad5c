#include "daemon/admin/metrics.hpp"

namespace musubi::admin {

namespace {

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
    const std::string& text() const { return m_text; }

private:
    std::string m_text;
};

} // namespace

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
    return out.text();
}

} // namespace musubi::admin
