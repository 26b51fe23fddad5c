// render_metrics: Prometheus text format, families with HELP and TYPE, labelled samples.

#include <boost/test/unit_test.hpp>

#include "daemon/admin/metrics.hpp"

using namespace musubi::admin;

BOOST_AUTO_TEST_SUITE(admin_metrics)

BOOST_AUTO_TEST_CASE(samples_are_written_in_prometheus_text_format) {
    MetricsSnapshot s;
    s.facts = {{"order.placed", 12}, {"friend.followed", 3}};
    s.outbox = {{"sent", 10}, {"failed", 1}};
    s.sends = {{"sent", 10}};
    s.rate_limited = 2;
    s.paused = "quota";
    s.webhook_events = {{"new", 5}};
    s.rakuten_polls = 7;
    s.license_days_left = 13;
    const auto text = render_metrics(s);
    for (const char* line :
         {"# TYPE musubi_up gauge\nmusubi_up 1\n", "musubi_facts{kind=\"friend.followed\"} 3\n",
          "musubi_facts{kind=\"order.placed\"} 12\n",
          "musubi_outbox_messages{state=\"failed\"} 1\n", "# TYPE musubi_sends_total counter\n",
          "musubi_sends_total{outcome=\"sent\"} 10\n", "musubi_rate_limited_total 2\n",
          "musubi_dispatch_paused{reason=\"quota\"} 1\n",
          "musubi_dispatch_paused{reason=\"unauthorized\"} 0\n",
          "musubi_webhook_events_total{result=\"new\"} 5\n", "musubi_rakuten_polls_total 7\n",
          "musubi_rakuten_paused 0\n", "musubi_license_key_days_left 13\n"}) {
        BOOST_TEST(text.find(line) != std::string::npos, "missing: " << line);
    }
    BOOST_TEST(text.back() == '\n');
}

BOOST_AUTO_TEST_CASE(an_unknown_license_expiry_is_left_out_rather_than_shown_as_zero) {
    const auto text = render_metrics(MetricsSnapshot{});
    BOOST_TEST(text.find("musubi_license_key_days_left") == std::string::npos);
    BOOST_TEST(text.find("musubi_rakuten_polls_total 0\n") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(send_latency_is_a_cumulative_histogram_in_seconds) {
    MetricsSnapshot s;
    s.send_latency.add(80);        // ≤ 0.1 s
    s.send_latency.add(250);       // ≤ 0.25 s (a bound is inclusive)
    s.send_latency.add(1'200);     // ≤ 2.5 s
    s.send_latency.add(7'200'000); // beyond the last bound
    const auto text = render_metrics(s);
    for (const char* line :
         {"# TYPE musubi_send_latency_seconds histogram\n",
          "musubi_send_latency_seconds_bucket{le=\"0.1\"} 1\n",
          "musubi_send_latency_seconds_bucket{le=\"0.25\"} 2\n",
          "musubi_send_latency_seconds_bucket{le=\"1\"} 2\n",
          "musubi_send_latency_seconds_bucket{le=\"2.5\"} 3\n",
          "musubi_send_latency_seconds_bucket{le=\"3600\"} 3\n",
          "musubi_send_latency_seconds_bucket{le=\"+Inf\"} 4\n",
          "musubi_send_latency_seconds_sum 7201.53\n", "musubi_send_latency_seconds_count 4\n"}) {
        BOOST_TEST(text.find(line) != std::string::npos, "missing: " << line);
    }
}

BOOST_AUTO_TEST_CASE(poll_lag_and_quota_are_shown_once_known) {
    MetricsSnapshot s;
    s.poll_lag_seconds = {{"rakuten", 12.5}};
    s.quota_used = 1'200;
    s.quota_limit = 5'000;
    auto text = render_metrics(s);
    BOOST_TEST(text.find("musubi_poll_lag_seconds{connector=\"rakuten\"} 12.500\n") !=
               std::string::npos);
    BOOST_TEST(text.find("connector=\"ecfeed\"") == std::string::npos);
    BOOST_TEST(text.find("musubi_quota_messages{kind=\"used\"} 1200\n") != std::string::npos);
    BOOST_TEST(text.find("musubi_quota_messages{kind=\"limit\"} 5000\n") != std::string::npos);
    BOOST_TEST(text.find("musubi_quota_messages{kind=\"left\"} 3800\n") != std::string::npos);

    s.quota_limit.reset(); // a plan without a monthly limit
    text = render_metrics(s);
    BOOST_TEST(text.find("musubi_quota_messages{kind=\"used\"} 1200\n") != std::string::npos);
    BOOST_TEST(text.find("kind=\"limit\"") == std::string::npos);
    BOOST_TEST(text.find("kind=\"left\"") == std::string::npos);

    text = render_metrics(MetricsSnapshot{});
    BOOST_TEST(text.find("musubi_quota_messages") == std::string::npos);
    BOOST_TEST(text.find("musubi_poll_lag_seconds") == std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
