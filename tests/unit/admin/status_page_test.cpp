// The status page and /status.json rendered from a snapshot: the numbers in data-metric
// elements, Japanese labels, escaping of everything that came from outside, empty states, the
// license-key warning, and a page that needs nothing from elsewhere.

#include <regex>

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "daemon/admin/status_page.hpp"
#include "support/manual_clock.hpp"

using namespace musubi::admin;
using namespace musubi::store;
using musubi::test::jst;

namespace {

StatusSnapshot sample() {
    StatusSnapshot s;
    s.shop_name = "むすび堂 <本店>";
    s.version = "0.9.0";
    s.generated_at_ms = jst(0, 10, 30);
    auto& r = s.report;
    r.now_ms = s.generated_at_ms;
    for (int i = 0; i < k_status_hours; ++i) {
        r.hourly.push_back({jst(0, 10) - (k_status_hours - 1 - i) * musubi::test::k_hour, 0, 0, 0});
    }
    r.hourly[47] = {jst(0, 10), 7, 1, 2};
    r.hourly[40] = {jst(0, 3), 5, 0, 0};
    r.failure_reasons = {{"LINE refused the message (HTTP 400): <bad> & \"odd\"", 2, jst(0, 9)}};
    r.failed_total = 2;
    r.recent_failures = {
        {41, "welcome", "hello", "LINE refused the message (HTTP 400)", jst(0, 9)}};
    r.outbox = {3, 1, 2, 90'000};
    r.friends = {7, 2, 3};
    for (int i = 0; i < k_status_link_days; ++i) {
        r.daily_links.push_back({jst(i - 13, 0), {}});
    }
    r.daily_links[13].by_method = {{"web", 2}, {"chat", 1}};
    r.funnels = {
        {"<script>alert(1)</script>", 4, 1, 2, 1, 0, {{"hello", 4, 3, 0}, {"day3", 2, 2, 1}}}};
    s.segments = {{"vip", 12}, {"new", 30}};
    s.license_days_left = 40;
    return s;
}

std::string regex_literal(const std::string& text) {
    static const std::regex special(R"([.^$|()\[\]{}*+?\\])");
    return std::regex_replace(text, special, R"(\$&)");
}

// The text of every element with data-metric="name" (and data-key="key" when given).
std::vector<std::string> metrics(const std::string& html, const std::string& name,
                                 const std::string& key = "") {
    std::string pattern = "data-metric=\"" + regex_literal(name) + "\"";
    pattern +=
        key.empty() ? "(?: data-key=\"[^\"]*\")?" : " data-key=\"" + regex_literal(key) + "\"";
    const std::regex element(pattern + ">([^<]*)<");
    std::vector<std::string> found;
    for (std::sregex_iterator it(html.begin(), html.end(), element), end; it != end; ++it) {
        found.push_back((*it)[1]);
    }
    return found;
}

// The one value shown for a metric (every copy of it on the page must agree).
std::string metric(const std::string& html, const std::string& name, const std::string& key = "") {
    const auto found = metrics(html, name, key);
    BOOST_REQUIRE_MESSAGE(!found.empty(), "no data-metric " << name << " " << key);
    for (const auto& value : found) {
        BOOST_TEST(value == found.front(), name << " shows " << value << " and " << found.front());
    }
    return found.front();
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

} // namespace

BOOST_AUTO_TEST_SUITE(status_page)

BOOST_AUTO_TEST_CASE(every_number_is_shown_in_a_data_metric_element) {
    const auto html = render_status_page(sample());
    BOOST_TEST(metric(html, "sends.delivered.this_hour") == "7");
    BOOST_TEST(metric(html, "sends.failed.this_hour") == "1");
    BOOST_TEST(metric(html, "sends.skipped.this_hour") == "2");
    BOOST_TEST(metric(html, "sends.delivered.48h") == "12");
    BOOST_TEST(metric(html, "sends.hour.delivered", "2026-11-22T03:00") == "5");
    BOOST_TEST(metrics(html, "sends.hour.delivered").size() == 48u);
    BOOST_TEST(metric(html, "failures.total") == "2");
    BOOST_TEST(metric(html, "outbox.pending") == "3");
    BOOST_TEST(metric(html, "outbox.sending") == "1");
    BOOST_TEST(metric(html, "outbox.due_now") == "2");
    BOOST_TEST(metric(html, "outbox.oldest_due_age_seconds") == "90");
    BOOST_TEST(metric(html, "friends.following") == "7");
    BOOST_TEST(metric(html, "friends.blocked") == "2");
    BOOST_TEST(metric(html, "friends.linked") == "3");
    BOOST_TEST(metric(html, "friends.link_rate_percent") == "42.9");
    BOOST_TEST(metric(html, "links.day", "2026-11-22") == "3");
    BOOST_TEST(metric(html, "links.14d") == "3");
    BOOST_TEST(metric(html, "links.day.method", "2026-11-22/chat") == "1");
    BOOST_TEST(metric(html, "links.day.method", "2026-11-21/web") == "0");
    const std::string scenario = "&lt;script&gt;alert(1)&lt;/script&gt;";
    BOOST_TEST(metric(html, "funnel.enrolled", scenario) == "4");
    BOOST_TEST(metric(html, "funnel.done", scenario) == "2");
    BOOST_TEST(metric(html, "funnel.step.reached", scenario + "/hello") == "4");
    BOOST_TEST(metric(html, "funnel.step.waiting", scenario + "/day3") == "1");
    BOOST_TEST(metric(html, "segment.size", "vip") == "12");
    BOOST_TEST(metric(html, "license.days_left") == "40");
}

BOOST_AUTO_TEST_CASE(the_page_is_in_japanese_and_reloads_itself) {
    const auto html = render_status_page(sample());
    for (const char* label :
         {"送信数（1時間ごと）", "失敗と理由", "送信待ち", "ID連携率", "シナリオの進み具合",
          "セグメント", "楽天ライセンスキーの有効期限", "2026-11-22 10:30（日本時間）"}) {
        BOOST_TEST(contains(html, label), "missing: " << label);
    }
    BOOST_TEST(contains(html, "<html lang=\"ja\">"));
    BOOST_TEST(contains(html, "<meta http-equiv=\"refresh\" content=\"60\">"));
    BOOST_TEST(contains(html, "<svg class=\"chart\""));
}

BOOST_AUTO_TEST_CASE(text_from_outside_is_escaped) {
    const auto html = render_status_page(sample());
    BOOST_TEST(!contains(html, "<script"));
    BOOST_TEST(!contains(html, "<bad>"));
    BOOST_TEST(!contains(html, "<本店>"));
    BOOST_TEST(contains(html, "むすび堂 &lt;本店&gt;"));
    BOOST_TEST(contains(html, "&lt;bad&gt; &amp; &quot;odd&quot;"));
    BOOST_TEST(html_escape("a'b") == "a&#39;b");
}

BOOST_AUTO_TEST_CASE(the_page_loads_nothing_from_elsewhere) {
    const auto html = render_status_page(sample());
    BOOST_TEST(!contains(html, "src="));
    BOOST_TEST(!contains(html, "href="));
    BOOST_TEST(!contains(html, "@import"));
    BOOST_TEST(!contains(html, "url("));
}

BOOST_AUTO_TEST_CASE(empty_parts_say_so_instead_of_showing_nothing) {
    StatusSnapshot s;
    s.report.hourly.resize(k_status_hours);
    const auto html = render_status_page(s);
    BOOST_TEST(contains(html, "セグメントはまだ設定されていません"));
    BOOST_TEST(contains(html, "シナリオに登録された友だちはまだいません"));
    BOOST_TEST(contains(html, "送れなかったメッセージはありません"));
    BOOST_TEST(contains(html, "直近48時間の送信はありません"));
    BOOST_TEST(contains(html, "まだ確認していません"));
    BOOST_TEST(metrics(html, "license.days_left").empty());
    BOOST_TEST(metric(html, "friends.link_rate_percent") == "0.0");
    BOOST_TEST(metric(html, "sends.delivered.48h") == "0");
}

BOOST_AUTO_TEST_CASE(a_store_error_is_shown_on_the_page) {
    StatusSnapshot s;
    s.report_error = "database is locked";
    const auto html = render_status_page(s);
    BOOST_TEST(metric(html, "report.error") ==
               "データベースを読めませんでした: database is locked");
}

BOOST_AUTO_TEST_CASE(the_license_key_is_flagged_from_fourteen_days_before_it_expires) {
    auto s = sample();
    s.license_days_left = 15;
    BOOST_TEST(metrics(render_status_page(s), "license.warning").empty());
    s.license_days_left = 14;
    auto html = render_status_page(s);
    BOOST_TEST(metrics(html, "license.warning").size() == 1u);
    BOOST_TEST(contains(html, "有効期限まであと"));
    s.license_days_left = 0;
    html = render_status_page(s);
    BOOST_TEST(contains(html, "有効期限が切れています"));
}

BOOST_AUTO_TEST_CASE(a_review_export_near_the_cap_is_flagged_with_its_oldest_review) {
    auto s = sample();
    BOOST_TEST(!contains(render_status_page(s), "review-export")); // no file read yet
    s.report.last_review_export =
        ReviewExportNote{"reviews-0710.csv", jst(0, 9), 1'150'000, 4200, jst(-20, 9), true};
    auto html = render_status_page(s);
    BOOST_TEST(metric(html, "review_export.bytes") == "1150000");
    BOOST_TEST(metric(html, "review_export.oldest") == "2026-11-02");
    BOOST_TEST(metrics(html, "review_export.near_cap").size() == 1u);
    BOOST_TEST(contains(html, "古いレビューを落とす"));
    BOOST_TEST(contains(html, "こまめに"));
    const auto json = nlohmann::json::parse(render_status_json(s));
    BOOST_TEST(json["review_export"]["near_cap"] == true);
    BOOST_TEST(json["review_export"]["oldest_posted_at_ms"] == jst(-20, 9));

    s.report.last_review_export->near_cap = false;
    s.report.last_review_export->bytes = 200'000;
    html = render_status_page(s);
    BOOST_TEST(metrics(html, "review_export.near_cap").empty());
    BOOST_TEST(metric(html, "review_export.reviews") == "4200");
}

BOOST_AUTO_TEST_CASE(the_json_carries_the_same_numbers) {
    const auto s = sample();
    const auto json = nlohmann::json::parse(render_status_json(s));
    BOOST_TEST(json["shop"] == "むすび堂 <本店>");
    BOOST_TEST(json["sends"]["this_hour"]["delivered"] == 7);
    BOOST_TEST(json["sends"]["last_48h"]["delivered"] == 12);
    BOOST_TEST(json["sends"]["hours"].size() == 48u);
    BOOST_TEST(json["failures"]["total"] == 2);
    BOOST_TEST(json["failures"]["by_reason"][0]["count"] == 2);
    BOOST_TEST(json["outbox"]["due_now"] == 2);
    BOOST_TEST(json["outbox"]["oldest_due_age_seconds"] == 90);
    BOOST_TEST(json["friends"]["link_rate_percent"] == "42.9");
    BOOST_TEST(json["friends"]["links_14d"] == 3);
    BOOST_TEST(json["funnels"][0]["steps"][1]["waiting"] == 1);
    BOOST_TEST(json["segments"]["new"] == 30);
    BOOST_TEST(json["license"]["days_left"] == 40);
    BOOST_TEST(json["license"]["warning"] == false);
}

BOOST_AUTO_TEST_CASE(jst_times_are_nine_hours_ahead_of_utc) {
    BOOST_TEST(format_jst(jst(0, 0)) == "2026-11-22 00:00");
    BOOST_TEST(jst_hour_start(jst(0, 10, 59)) == jst(0, 10));
    BOOST_TEST(jst_day_start(jst(0, 23, 59)) == jst(0, 0));
    BOOST_TEST(jst_day_start(jst(1, 0)) == jst(1, 0));
}

BOOST_AUTO_TEST_SUITE_END()
