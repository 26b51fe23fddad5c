#include "daemon/admin/status_page.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <ctime>
#include <string_view>
#include <vector>

#include "musubi/version.hpp"

namespace musubi::admin {

namespace {

using store::StatusData;

// LINE's green for what was delivered; red for failures, grey for what was not sent on purpose.
constexpr std::string_view k_green = "#06c755";
constexpr std::string_view k_red = "#e5484d";
constexpr std::string_view k_grey = "#a3a9b0";

struct Label {
    std::string_view key;
    std::string_view text;
    std::string_view color;
};

constexpr std::array<Label, 5> k_methods{{{"chat", "チャット", "#06c755"},
                                          {"web", "連携ページ", "#2f80ed"},
                                          {"account_link", "アカウント連携", "#9b51e0"},
                                          {"buyer_key", "購入者照合", "#f2994a"},
                                          {"cli", "手動（CLI）", "#828282"}}};

std::string_view method_label(std::string_view method) {
    for (const auto& label : k_methods) {
        if (label.key == method) {
            return label.text;
        }
    }
    return method;
}

std::string_view method_color(std::string_view method) {
    for (const auto& label : k_methods) {
        if (label.key == method) {
            return label.color;
        }
    }
    return "#56ccf2";
}

std::string number(std::int64_t value) {
    return std::to_string(value);
}

// <span data-metric="name" data-key="key">value</span>: the number as shown, for tests.
std::string metric(std::string_view name, std::string_view value, std::string_view key = {},
                   std::string_view tag = "span", std::string_view css = {}) {
    std::string html = "<" + std::string(tag);
    if (!css.empty()) {
        html += " class=\"" + std::string(css) + "\"";
    }
    html += " data-metric=\"" + html_escape(name) + "\"";
    if (!key.empty()) {
        html += " data-key=\"" + html_escape(key) + "\"";
    }
    html += ">" + html_escape(value) + "</" + std::string(tag) + ">";
    return html;
}

std::string metric(std::string_view name, std::int64_t value, std::string_view key = {},
                   std::string_view tag = "span", std::string_view css = {}) {
    return metric(name, number(value), key, tag, css);
}

std::tm jst_tm(std::int64_t at_ms) {
    const std::time_t seconds =
        static_cast<std::time_t>((at_ms + store::k_jst_offset_ms) / 1000 -
                                 ((at_ms + store::k_jst_offset_ms) % 1000 < 0 ? 1 : 0));
    std::tm tm{};
    gmtime_r(&seconds, &tm);
    return tm;
}

std::string strftime_jst(std::int64_t at_ms, const char* pattern) {
    const std::tm tm = jst_tm(at_ms);
    std::array<char, 64> text{};
    const auto length = std::strftime(text.data(), text.size(), pattern, &tm);
    return std::string(text.data(), length);
}

// "45秒", "12分", "3時間5分", "2日4時間".
std::string duration_ja(std::int64_t ms) {
    const std::int64_t seconds = std::max<std::int64_t>(ms, 0) / 1000;
    if (seconds < 60) {
        return number(seconds) + "秒";
    }
    if (seconds < 3600) {
        return number(seconds / 60) + "分";
    }
    if (seconds < 86400) {
        const auto minutes = (seconds % 3600) / 60;
        return number(seconds / 3600) + "時間" + (minutes ? number(minutes) + "分" : "");
    }
    const auto hours = (seconds % 86400) / 3600;
    return number(seconds / 86400) + "日" + (hours ? number(hours) + "時間" : "");
}

// The smallest of 1, 2, 5 × 10^n at or above `value`: a readable top for a chart's scale.
std::int64_t nice_ceiling(std::int64_t value) {
    std::int64_t scale = 1;
    while (true) {
        for (std::int64_t step : {1, 2, 5}) {
            if (step * scale >= value) {
                return step * scale;
            }
        }
        scale *= 10;
    }
}

struct Segment {
    std::int64_t value;
    std::string_view color;
};

struct Bar {
    std::string label; // under the bar; empty: none
    std::string title; // the tooltip
    std::vector<Segment> segments;
};

// A stacked bar chart as inline SVG, scaled to the page's width.
std::string bar_chart(const std::vector<Bar>& bars, std::string_view aria_label) {
    constexpr int width = 960;
    constexpr int height = 220;
    constexpr int left = 44;
    constexpr int right = 8;
    constexpr int top = 10;
    constexpr int bottom = 28;
    const int plot_height = height - top - bottom;
    std::int64_t largest = 0;
    for (const auto& bar : bars) {
        std::int64_t total = 0;
        for (const auto& segment : bar.segments) {
            total += segment.value;
        }
        largest = std::max(largest, total);
    }
    // At least 2, so that the scale's labels are whole numbers (0, 1, 2).
    const std::int64_t scale_top = nice_ceiling(std::max<std::int64_t>(largest, 2));
    const double slot =
        static_cast<double>(width - left - right) / static_cast<double>(bars.size());
    const double bar_width = std::max(1.0, slot * 0.72);
    std::string svg = "<svg class=\"chart\" viewBox=\"0 0 " + number(width) + " " + number(height) +
                      "\" role=\"img\" aria-label=\"" + html_escape(aria_label) +
                      "\" xmlns=\"http://www.w3.org/2000/svg\">";
    // The scale: zero, half and the top, with faint guide lines.
    for (int i = 0; i <= 2; ++i) {
        const double y = top + plot_height - plot_height * i / 2.0;
        char line[160];
        std::snprintf(line, sizeof line,
                      "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" class=\"grid\"/>", left, y,
                      width - right, y);
        svg += line;
        if (i == 1 && scale_top % 2 != 0) {
            continue; // half of 5 is not a whole number: no label
        }
        std::snprintf(line, sizeof line,
                      "<text x=\"%d\" y=\"%.1f\" class=\"axis\" text-anchor=\"end\">", left - 6,
                      y + 4);
        svg += line + number(scale_top * i / 2) + "</text>";
    }
    for (std::size_t i = 0; i < bars.size(); ++i) {
        const auto& bar = bars[i];
        const double x = left + slot * static_cast<double>(i) + (slot - bar_width) / 2;
        double y = top + plot_height;
        svg += "<g><title>" + html_escape(bar.title) + "</title>";
        for (const auto& segment : bar.segments) {
            if (segment.value <= 0) {
                continue;
            }
            const double h =
                plot_height * static_cast<double>(segment.value) / static_cast<double>(scale_top);
            y -= h;
            char rect[200];
            std::snprintf(rect, sizeof rect,
                          "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                          "fill=\"%.*s\"/>",
                          x, y, bar_width, h, static_cast<int>(segment.color.size()),
                          segment.color.data());
            svg += rect;
        }
        svg += "</g>";
        if (!bar.label.empty()) {
            char text[120];
            std::snprintf(text, sizeof text,
                          "<text x=\"%.1f\" y=\"%d\" class=\"axis\" text-anchor=\"middle\">",
                          x + bar_width / 2, height - 8);
            svg += text + html_escape(bar.label) + "</text>";
        }
    }
    return svg + "</svg>";
}

std::string legend(const std::vector<std::pair<std::string_view, std::string_view>>& entries) {
    std::string html = "<p class=\"legend\">";
    for (const auto& [text, color] : entries) {
        html += "<span><i style=\"background:" + std::string(color) + "\"></i>" +
                html_escape(text) + "</span>";
    }
    return html + "</p>";
}

std::string card(std::string_view title, const std::string& value_html,
                 const std::string& note_html, std::string_view css = {}) {
    return "<div class=\"card" + (css.empty() ? std::string() : " " + std::string(css)) +
           "\"><div class=\"card-title\">" + html_escape(title) +
           "</div><div class=\"card-value\">" + value_html + "</div><div class=\"card-note\">" +
           note_html + "</div></div>";
}

bool license_warning(const std::optional<int>& days) {
    return days && *days <= k_license_warn_days;
}

std::string summary(const StatusSnapshot& snapshot) {
    const auto& data = snapshot.report;
    std::int64_t delivered = 0;
    std::int64_t failed = 0;
    for (const auto& hour : data.hourly) {
        delivered += hour.delivered;
        failed += hour.failed;
    }
    std::string html = "<section class=\"cards\">";
    html +=
        card("送信（直近48時間）", metric("sends.delivered.48h", delivered) + "<small>通</small>",
             "失敗した試行 " + metric("sends.failed.48h", failed) + " 回");
    html += card("失敗（送れなかったメッセージ）",
                 metric("failures.total", data.failed_total) + "<small>通</small>",
                 "理由は下の「失敗と理由」", data.failed_total > 0 ? "bad" : "");
    html +=
        card("送信待ち", metric("outbox.pending", data.outbox.pending) + "<small>通</small>",
             "うち送信時刻を過ぎたもの " + metric("outbox.due_now", data.outbox.due_now) + " 通");
    html += card("ID連携率",
                 metric("friends.link_rate_percent", link_rate_percent(data.friends)) +
                     "<small>%</small>",
                 "友だち " + metric("friends.following", data.friends.following) + " 人中 " +
                     metric("friends.linked", data.friends.linked) + " 人");
    html += card("楽天ライセンスキー",
                 snapshot.license_days_left
                     ? "残り" + metric("license.days_left", *snapshot.license_days_left) +
                           "<small>日</small>"
                     : std::string("<span class=\"muted\">不明</span>"),
                 snapshot.license_days_left ? "有効期限まで" : "まだ確認していません",
                 license_warning(snapshot.license_days_left) ? "bad" : "");
    return html + "</section>";
}

std::string hourly_section(const StatusData& data) {
    std::vector<Bar> bars;
    std::int64_t delivered = 0;
    std::int64_t failed = 0;
    std::int64_t skipped = 0;
    std::string rows;
    for (const auto& hour : data.hourly) {
        const auto tm = jst_tm(hour.hour_start_ms);
        Bar bar;
        if (tm.tm_hour % 6 == 0) {
            bar.label = tm.tm_hour == 0 ? strftime_jst(hour.hour_start_ms, "%m/%d")
                                        : number(tm.tm_hour) + "時";
        }
        const auto when = strftime_jst(hour.hour_start_ms, "%m/%d %H:00");
        bar.title = when + " 送信 " + number(hour.delivered) + " / 失敗 " + number(hour.failed) +
                    " / 見送り " + number(hour.skipped);
        bar.segments = {{hour.delivered, k_green}, {hour.failed, k_red}, {hour.skipped, k_grey}};
        bars.push_back(std::move(bar));
        delivered += hour.delivered;
        failed += hour.failed;
        skipped += hour.skipped;
        const auto key = strftime_jst(hour.hour_start_ms, "%Y-%m-%dT%H:00");
        rows = "<tr><td>" + html_escape(when) + "</td>" +
               metric("sends.hour.delivered", hour.delivered, key, "td", "num") +
               metric("sends.hour.failed", hour.failed, key, "td", "num") +
               metric("sends.hour.skipped", hour.skipped, key, "td", "num") + "</tr>" + rows;
    }
    const auto& now = data.hourly.empty() ? store::HourlySends{} : data.hourly.back();
    std::string html = "<section id=\"sends\"><h2>送信数（1時間ごと）</h2>";
    html += "<p>この1時間（" + html_escape(strftime_jst(now.hour_start_ms, "%H:00")) +
            "〜）: 送信 " + metric("sends.delivered.this_hour", now.delivered) + " 通、失敗 " +
            metric("sends.failed.this_hour", now.failed) + " 回、見送り " +
            metric("sends.skipped.this_hour", now.skipped) + " 通。直近48時間: 送信 " +
            metric("sends.delivered.48h", delivered) + " 通、失敗 " +
            metric("sends.failed.48h", failed) + " 回、見送り " +
            metric("sends.skipped.48h", skipped) + " 通。</p>";
    if (delivered + failed + skipped == 0) {
        html += "<p class=\"empty\">直近48時間の送信はありません。</p>";
    }
    html += bar_chart(bars, "1時間ごとの送信数（直近48時間）");
    html += legend(
        {{"送信済み", k_green}, {"失敗した試行", k_red}, {"見送り（ブロック・期限切れ）", k_grey}});
    html += "<details><summary>数値で見る</summary><table><thead><tr><th>時刻（日本時間）</th>"
            "<th>送信</th><th>失敗</th><th>見送り</th></tr></thead><tbody>" +
            rows + "</tbody></table></details></section>";
    return html;
}

std::string failures_section(const StatusData& data) {
    std::string html = "<section id=\"failures\"><h2>失敗と理由</h2>";
    if (data.failure_reasons.empty()) {
        return html + "<p class=\"empty\">送れなかったメッセージはありません。</p></section>";
    }
    html += "<table><thead><tr><th>理由</th><th>件数</th><th>最後に起きた時刻</th></tr></thead>"
            "<tbody>";
    for (const auto& reason : data.failure_reasons) {
        const auto shown =
            reason.reason.empty() ? std::string("（理由の記録なし）") : reason.reason;
        html += "<tr><td class=\"reason\">" + html_escape(shown) + "</td>" +
                metric("failures.by_reason", reason.count, reason.reason, "td", "num") + "<td>" +
                html_escape(format_jst(reason.latest_at_ms)) + "</td></tr>";
    }
    html += "</tbody></table><h3>最近の失敗（新しい順、" +
            number(static_cast<std::int64_t>(data.recent_failures.size())) +
            " 件）</h3><table><thead><tr><th>ID</th><th>シナリオ</th><th>ステップ</th><th>理由</th>"
            "<th>時刻</th></tr></thead><tbody>";
    for (const auto& failure : data.recent_failures) {
        html += "<tr>" + metric("failures.recent.id", failure.outbox_id, {}, "td", "num") + "<td>" +
                html_escape(failure.scenario.empty() ? "—" : failure.scenario) + "</td><td>" +
                html_escape(failure.step.empty() ? "—" : failure.step) +
                "</td><td class=\"reason\">" + html_escape(failure.reason) + "</td><td>" +
                html_escape(format_jst(failure.at_ms)) + "</td></tr>";
    }
    return html + "</tbody></table></section>";
}

std::string outbox_section(const StatusData& data) {
    const auto& outbox = data.outbox;
    std::string html = "<section id=\"outbox\"><h2>送信待ち</h2><table class=\"facts\"><tbody>";
    html += "<tr><th>送信待ち（予約を含む）</th><td>" + metric("outbox.pending", outbox.pending) +
            " 通</td></tr>";
    html += "<tr><th>送信中</th><td>" + metric("outbox.sending", outbox.sending) + " 通</td></tr>";
    html += "<tr><th>送信時刻を過ぎたもの</th><td>" + metric("outbox.due_now", outbox.due_now) +
            " 通</td></tr>";
    html += "<tr><th>最も長く待っているもの</th><td>";
    if (outbox.oldest_due_age_ms) {
        html += html_escape(duration_ja(*outbox.oldest_due_age_ms)) + "（" +
                metric("outbox.oldest_due_age_seconds", *outbox.oldest_due_age_ms / 1000) + " 秒）";
    } else {
        html += "なし";
    }
    html += "</td></tr></tbody></table>";
    if (outbox.due_now > 0 && outbox.oldest_due_age_ms &&
        *outbox.oldest_due_age_ms > 10 * 60 * 1000) {
        html +=
            "<p class=\"warn\">送信時刻を10分以上過ぎたメッセージがあります。LINEへの送信が止まって"
            "いないか（月の上限、トークン）ログを確認してください。</p>";
    }
    return html + "</section>";
}

std::string links_section(const StatusData& data) {
    const auto& friends = data.friends;
    const auto rate = link_rate_percent(friends);
    std::string html =
        "<section id=\"links\"><h2>ID連携率</h2><div class=\"rate\"><div class=\"meter\">"
        "<div style=\"width:" +
        rate + "%\"></div></div><p><strong>" + metric("friends.link_rate_percent", rate) +
        "%</strong>（連携済み " + metric("friends.linked", friends.linked) + " 人 ÷ 友だち " +
        metric("friends.following", friends.following) + " 人）。ブロック中 " +
        metric("friends.blocked", friends.blocked) + " 人。</p></div>";
    std::vector<Bar> bars;
    std::int64_t total = 0;
    std::string rows;
    for (const auto& day : data.daily_links) {
        Bar bar;
        bar.label = strftime_jst(day.day_start_ms, "%m/%d");
        bar.title = bar.label + " 連携 " + number(day.total()) + " 人";
        for (const auto& [method, count] : day.by_method) {
            bar.segments.push_back({count, method_color(method)});
            bar.title += "、" + std::string(method_label(method)) + " " + number(count);
        }
        bars.push_back(std::move(bar));
        total += day.total();
        const auto date = strftime_jst(day.day_start_ms, "%Y-%m-%d");
        rows += "<tr><td>" + html_escape(date) + "</td>" +
                metric("links.day", day.total(), date, "td", "num");
        for (const auto& label : k_methods) {
            const auto found = day.by_method.find(std::string(label.key));
            rows += metric("links.day.method", found == day.by_method.end() ? 0 : found->second,
                           date + "/" + std::string(label.key), "td", "num");
        }
        rows += "</tr>";
    }
    html += "<h3>1日ごとの連携数（直近14日、合計 " + metric("links.14d", total) + " 人）</h3>";
    html += bar_chart(bars, "1日ごとの連携数（直近14日）");
    std::vector<std::pair<std::string_view, std::string_view>> entries;
    std::string method_headers;
    for (const auto& label : k_methods) {
        entries.emplace_back(label.text, label.color);
        method_headers += "<th>" + html_escape(label.text) + "</th>";
    }
    html += legend(entries);
    return html +
           "<details><summary>数値で見る</summary><table><thead><tr><th>日付</th><th>連携</th>" +
           method_headers + "</tr></thead><tbody>" + rows + "</tbody></table></details></section>";
}

std::string percent_width(std::int64_t part, std::int64_t whole) {
    if (whole <= 0) {
        return "0";
    }
    return number(std::min<std::int64_t>(100, part * 100 / whole));
}

std::string funnel_row(std::string_view label, const std::string& numbers_html, std::int64_t value,
                       std::int64_t whole, std::string_view css = {}) {
    return "<div class=\"frow\"><div class=\"flabel\">" + html_escape(label) +
           "</div><div class=\"fbar\"><div class=\"" + std::string(css.empty() ? "fill" : css) +
           "\" style=\"width:" + percent_width(value, whole) +
           "%\"></div></div><div class=\"fnum\">" + numbers_html + "</div></div>";
}

std::string funnels_section(const StatusData& data) {
    std::string html = "<section id=\"funnels\"><h2>シナリオの進み具合</h2>";
    if (data.funnels.empty()) {
        return html + "<p class=\"empty\">シナリオに登録された友だちはまだいません。</p></section>";
    }
    html += "<p class=\"muted\">登録 → 各ステップ（メッセージを書いた人数／LINEが受け取った人数／"
            "いまそのステップを待っている人数）→ 結果。</p>";
    for (const auto& funnel : data.funnels) {
        const auto& name = funnel.scenario;
        const auto whole = std::max<std::int64_t>(funnel.enrolled, 1);
        html += "<div class=\"funnel\"><h3>" + html_escape(name) + "</h3>";
        html += funnel_row("登録", metric("funnel.enrolled", funnel.enrolled, name) + " 人",
                           funnel.enrolled, whole);
        for (const auto& step : funnel.steps) {
            const auto key = name + "/" + step.step;
            html += funnel_row(step.step.empty() ? "（名前なし）" : step.step,
                               metric("funnel.step.reached", step.reached, key) + " 人 ／ 送信 " +
                                   metric("funnel.step.sent", step.sent, key) + " ／ 待機 " +
                                   metric("funnel.step.waiting", step.waiting, key),
                               step.reached, whole);
        }
        html += "<div class=\"outcomes\">進行中 " + metric("funnel.active", funnel.active, name) +
                "・完了 " + metric("funnel.done", funnel.done, name) + "・取消 " +
                metric("funnel.cancelled", funnel.cancelled, name) + "・終了 " +
                metric("funnel.ended", funnel.ended, name) + "</div>";
        html += funnel_row("完了", metric("funnel.done", funnel.done, name) + " 人", funnel.done,
                           whole, "fill done");
        html += funnel_row("取消", metric("funnel.cancelled", funnel.cancelled, name) + " 人",
                           funnel.cancelled, whole, "fill cancelled");
        html += "</div>";
    }
    return html + "</section>";
}

std::string segments_section(const StatusSnapshot& snapshot) {
    std::string html = "<section id=\"segments\"><h2>セグメント（リッチメニューの出し分け）</h2>";
    if (snapshot.segments.empty()) {
        return html + "<p class=\"empty\" data-metric=\"segments.none\">セグメントはまだ設定されて"
                      "いません。</p></section>";
    }
    std::int64_t largest = 1;
    for (const auto& [name, size] : snapshot.segments) {
        largest = std::max(largest, size);
    }
    for (const auto& [name, size] : snapshot.segments) {
        html += funnel_row(name, metric("segment.size", size, name) + " 人", size, largest);
    }
    return html + "</section>";
}

std::string license_section(const StatusSnapshot& snapshot) {
    const auto& days = snapshot.license_days_left;
    std::string html = "<section id=\"license\"><h2>楽天ライセンスキーの有効期限</h2>";
    if (!days) {
        return html +
               "<p class=\"muted\">不明です（楽天RMSとの連携が無効か、まだ確認していません）。"
               "</p></section>";
    }
    if (*days <= 0) {
        html += "<p class=\"warn\" "
                "data-metric=\"license.warning\">ライセンスキーの有効期限が切れています。"
                "RMSで新しいキーを発行し、<code>musubictl rms check-key --key-file "
                "ファイル</code> で確かめてから、rakuten.license_key_file のファイルに書いて "
                "musubi を再起動（systemctl restart musubi）してください。注文の取り込みは"
                "止まっています。</p>";
    } else if (*days <= k_license_warn_days) {
        html +=
            "<p class=\"warn\" data-metric=\"license.warning\">ライセンスキーの有効期限まであと" +
            metric("license.days_left", *days) +
            "日です。期限が切れると注文を取り込めなくなります。RMSで新しいキーを発行すると、"
            "<strong>いまのキーはその場で使えなくなります</strong>（新しいキーも発行直後は"
            "しばらく断られることがあります）。発行したら続けて、<code>musubictl rms check-key "
            "--key-file ファイル</code> で新しいキーを確かめ、rakuten.license_key_file の"
            "ファイルに書いて musubi を再起動（systemctl restart musubi）してください。</p>";
    }
    return html + "<p>残り " + metric("license.days_left", *days) + " 日</p></section>";
}

// The last review CSV read (issue 18): near RMS's size cap, its oldest reviews may be missing.
std::string review_export_section(const store::StatusData& report) {
    if (!report.last_review_export) {
        return "";
    }
    const auto& note = *report.last_review_export;
    std::string html = "<section id=\"review-export\"><h2>レビューCSVの取り込み</h2><p>最後に"
                       "読んだファイル: " +
                       html_escape(note.file) + "（" +
                       strftime_jst(note.imported_at_ms, "%Y-%m-%d %H:%M") + "、" +
                       metric("review_export.bytes", note.bytes) + " バイト、レビュー " +
                       metric("review_export.reviews", note.reviews) + " 件）</p>";
    if (note.near_cap) {
        const std::string oldest = note.oldest_posted_at_ms
                                       ? strftime_jst(*note.oldest_posted_at_ms, "%Y-%m-%d")
                                       : std::string("不明");
        html += "<p class=\"warn\" data-metric=\"review_export.near_cap\">このファイルは RMS の"
                "レビューCSVの上限（約1.2MB）に近い大きさです。RMS は新しいレビューから入れ、"
                "入りきらない古いレビューを落とすため、" +
                metric("review_export.oldest", oldest) +
                "（読み取った中でいちばん古いレビューの日）より前のレビューが抜けている可能性が"
                "あります。RMS からレビューCSVをもっとこまめに（たとえば毎日）ダウンロードして"
                "ください。</p>";
    }
    return html + "</section>";
}

// webhook.forward: a line per other tool on the channel (only when some are configured).
std::string forward_section(const StatusSnapshot& snapshot) {
    if (snapshot.forward.empty()) {
        return {};
    }
    std::string html = "<section id=\"forward\"><h2>Webhook の転送（同じチャネルの他のツール）"
                       "</h2><ul>";
    for (const auto& target : snapshot.forward) {
        html += "<li><code>" + html_escape(target.target) + "</code>: 転送済み " +
                metric("forward.forwarded", target.forwarded, target.target) + " 件・待ち " +
                metric("forward.queued", target.queued, target.target) + " 件";
        if (target.given_up > 0) {
            html += "・届けられずにあきらめた本文 " +
                    metric("forward.given_up", target.given_up, target.target) + " 件";
        }
        if (target.retrying > 0) {
            html += "<br><span class=\"warn\">相手が受け取らないため再送を続けています（" +
                    html_escape(target.last_error.empty() ? std::string("応答なし")
                                                          : target.last_error) +
                    "）。相手のツールが動いているか確かめてください。1日届かない本文は"
                    "あきらめます（webhook.forward_give_up_after）。</span>";
        }
        html += "</li>";
    }
    return html + "</ul></section>";
}
} // namespace

// LINE lets only verified or premium accounts read their followers list; the note says what
// its refusal means and what to do, in the staff's words.
std::string followers_section(const StatusSnapshot& snapshot) {
    std::string html = "<section id=\"followers\"><h2>既存の友だちの取り込み</h2>";
    if (!snapshot.followers) {
        return html + "<p class=\"muted\">不明です。</p></section>";
    }
    const auto& totals = *snapshot.followers;
    if (!totals.latest) {
        return html + "<p class=\"muted\" data-metric=\"followers.none\">まだ読み込んでいません。"
                      "</p></section>";
    }
    const auto& run = *totals.latest;
    if (run.outcome == store::ImportOutcome::forbidden) {
        html += "<p class=\"warn\" data-metric=\"followers.unavailable\">"
                "LINEがこのアカウントに友だちリストの取得を許可していません（認証済アカウントと"
                "プレミアムアカウントだけが使えます）。そのため musubi を入れる前からの友だちは"
                "まだ musubi に登録されていません。その方がメッセージを送る・ボタンを押す・"
                "友だち追加し直すなど、次に何かしたときに登録されます。ほかの機能はそのまま動いて"
                "います。既存の友だちを取り込むには、LINE Official Account Manager で"
                "アカウントの認証を申請してください（musubi は line.followers_import.interval "
                "ごとに取得を再試行します）。</p>";
    } else if (run.outcome == store::ImportOutcome::running) {
        html += "<p data-metric=\"followers.running\">取り込み中です: LINEの友だちリストを" +
                metric("followers.listed", run.listed) + " 人分読みました（" +
                format_jst(run.started_at_ms) + " 開始）。</p>";
    } else {
        html += "<p>最後に読み込んだのは " +
                metric("followers.finished_at", format_jst(run.finished_at_ms.value_or(0))) +
                "（LINEのリストに " + metric("followers.listed", run.listed) + " 人、うち新しく" +
                metric("followers.new", run.imported) + " 人）。</p>";
    }
    html += "<p>これまでに取り込んだ友だち: " + metric("followers.imported", totals.imported) +
            " 人・名前の取得待ち: " + metric("followers.profiles_due", totals.profiles_due) +
            " 人</p><p class=\"muted\">LINEのリストには iPhone・Android 版 LINE の利用者だけが"
            "載ります。リストに無いことは友だちでなくなったことを意味しません（ブロックは"
            "ブロックの通知か、プロフィールを取得できなかったことで判断します）。</p>";
    return html + "</section>";
}

namespace {

constexpr std::string_view k_style = R"CSS(
:root{color-scheme:light;--ink:#1f2328;--muted:#656d76;--line:#d0d7de;--bg:#f6f8fa;--green:#06c755;--red:#e5484d}
*{box-sizing:border-box}
body{margin:0;font-family:"Noto Sans CJK JP","Noto Sans JP","Hiragino Sans","Yu Gothic",sans-serif;color:var(--ink);background:var(--bg);line-height:1.6}
header{background:#fff;border-bottom:1px solid var(--line);padding:16px 24px}
header h1{margin:0;font-size:22px}
header p{margin:4px 0 0;color:var(--muted);font-size:13px}
main{max-width:1040px;margin:0 auto;padding:16px 24px 40px}
section{background:#fff;border:1px solid var(--line);border-radius:10px;padding:16px 20px;margin:16px 0}
h2{font-size:18px;margin:0 0 8px;border-left:4px solid var(--green);padding-left:8px}
h3{font-size:15px;margin:16px 0 6px}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(180px,1fr));gap:12px;background:none;border:none;padding:0}
.card{background:#fff;border:1px solid var(--line);border-radius:10px;padding:12px 14px}
.card.bad{border-color:var(--red);background:#fff5f5}
.card-title{font-size:13px;color:var(--muted)}
.card-value{font-size:30px;font-weight:700}
.card-value small{font-size:14px;margin-left:2px;font-weight:400}
.card-note{font-size:12px;color:var(--muted)}
table{border-collapse:collapse;width:100%;font-size:14px}
th,td{border-bottom:1px solid var(--line);padding:6px 8px;text-align:left;vertical-align:top}
th{background:var(--bg);font-weight:600}
td.num{text-align:right;font-variant-numeric:tabular-nums}
td.reason{word-break:break-all}
table.facts th{width:40%}
.chart{width:100%;height:auto;display:block}
.chart .grid{stroke:#e6e8eb;stroke-width:1}
.chart .axis{font-size:12px;fill:var(--muted)}
.legend{font-size:12px;color:var(--muted);margin:4px 0}
.legend span{margin-right:14px}
.legend i{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:4px;vertical-align:middle}
.empty,.muted{color:var(--muted)}
.warn{background:#fff5f5;border:1px solid var(--red);color:#a4161a;border-radius:8px;padding:10px 12px;font-weight:600}
.error{background:#fff5f5;border:1px solid var(--red);color:#a4161a;border-radius:8px;padding:10px 12px}
.rate{display:flex;align-items:center;gap:16px;flex-wrap:wrap}
.meter{width:240px;height:14px;background:#e6e8eb;border-radius:7px;overflow:hidden}
.meter div{height:100%;background:var(--green)}
.funnel{border-top:1px solid var(--line);padding-top:4px}
.frow{display:grid;grid-template-columns:180px 1fr 260px;gap:10px;align-items:center;margin:4px 0;font-size:14px}
.flabel{overflow-wrap:anywhere}
.fbar{background:#eef0f2;height:16px;border-radius:4px;overflow:hidden}
.fill{height:100%;background:var(--green)}
.fill.done{background:#2f80ed}
.fill.cancelled{background:var(--grey,#a3a9b0)}
.fnum{font-variant-numeric:tabular-nums}
.outcomes{font-size:13px;color:var(--muted);margin:6px 0}
details{margin-top:8px;font-size:14px}
footer{color:var(--muted);font-size:12px;text-align:center;padding:12px}
@media (max-width:640px){main{padding:8px}section{padding:12px}.frow{grid-template-columns:1fr;gap:2px}}
)CSS";

} // namespace

std::string html_escape(std::string_view text) {
    std::string escaped;
    escaped.reserve(text.size());
    for (const char c : text) {
        switch (c) {
        case '&':
            escaped += "&amp;";
            break;
        case '<':
            escaped += "&lt;";
            break;
        case '>':
            escaped += "&gt;";
            break;
        case '"':
            escaped += "&quot;";
            break;
        case '\'':
            escaped += "&#39;";
            break;
        default:
            escaped += c;
        }
    }
    return escaped;
}

std::string format_jst(std::int64_t at_ms) {
    return strftime_jst(at_ms, "%Y-%m-%d %H:%M");
}

std::string link_rate_percent(const store::FriendCounts& friends) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1f", friends.link_rate() * 100.0);
    return text;
}

StatusSnapshot read_status(store::StatusReport& report, std::int64_t now_ms, std::string shop_name,
                           std::optional<int> license_days_left,
                           std::map<std::string, std::int64_t> segments) {
    StatusSnapshot snapshot;
    if (auto read = report.read()) {
        snapshot.report = std::move(*read);
    } else {
        snapshot.report_error = read.error().to_string();
    }
    snapshot.license_days_left = license_days_left;
    snapshot.segments = std::move(segments);
    snapshot.generated_at_ms = now_ms;
    snapshot.shop_name = std::move(shop_name);
    snapshot.version = k_version;
    return snapshot;
}

std::string render_status_page(const StatusSnapshot& snapshot) {
    const auto shop = snapshot.shop_name.empty() ? std::string("musubi") : snapshot.shop_name;
    std::string html = "<!DOCTYPE html><html lang=\"ja\"><head><meta charset=\"utf-8\">"
                       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                       "<meta http-equiv=\"refresh\" content=\"60\">"
                       "<title>稼働状況 — " +
                       html_escape(shop) + "</title><style>" + std::string(k_style) +
                       "</style></head><body>";
    html += "<header><h1>稼働状況 — " + html_escape(shop) + "</h1><p>" +
            html_escape(format_jst(snapshot.generated_at_ms)) +
            "（日本時間）時点・1分ごとに自動で更新・musubi " + html_escape(snapshot.version) +
            "</p></header><main>";
    if (!snapshot.report_error.empty()) {
        html += "<p class=\"error\" data-metric=\"report.error\">データベースを読めませんでした: " +
                html_escape(snapshot.report_error) + "</p>";
    }
    if (license_warning(snapshot.license_days_left)) {
        html += "<p class=\"warn\">楽天ライセンスキーの有効期限まであと" +
                metric("license.days_left", *snapshot.license_days_left) +
                "日です。下の「楽天ライセンスキーの有効期限」を確認してください。</p>";
    }
    if (snapshot.report.last_review_export && snapshot.report.last_review_export->near_cap) {
        html += "<p class=\"warn\">最後に取り込んだレビューCSVが上限に近い大きさでした。古い"
                "レビューが抜けているかもしれません。下の「レビューCSVの取り込み」を確認してくだ"
                "さい。</p>";
    }
    html += summary(snapshot);
    html += hourly_section(snapshot.report);
    html += failures_section(snapshot.report);
    html += outbox_section(snapshot.report);
    html += links_section(snapshot.report);
    html += funnels_section(snapshot.report);
    html += segments_section(snapshot);
    html += followers_section(snapshot);
    html += license_section(snapshot);
    html += review_export_section(snapshot.report);
    html += forward_section(snapshot); // webhook.forward
    html +=
        "</main><footer>読み取り専用のページです。数値は /status.json でも取得できます。</footer>"
        "</body></html>\n";
    return html;
}

} // namespace musubi::admin
