// GET /status.json: the status page's numbers for scripts (see status_page.hpp). Times are
// epoch milliseconds (UTC) as in the store, plus JST text where a person reads them.

#include <nlohmann/json.hpp>

#include "daemon/admin/status_page.hpp"

namespace musubi::admin {

namespace {

using nlohmann::json;

json hourly_json(const store::StatusData& data) {
    json hours = json::array();
    std::int64_t delivered = 0;
    std::int64_t failed = 0;
    std::int64_t skipped = 0;
    for (const auto& hour : data.hourly) {
        hours.push_back({{"hour_start_ms", hour.hour_start_ms},
                         {"hour_jst", format_jst(hour.hour_start_ms)},
                         {"delivered", hour.delivered},
                         {"failed", hour.failed},
                         {"skipped", hour.skipped}});
        delivered += hour.delivered;
        failed += hour.failed;
        skipped += hour.skipped;
    }
    const auto now = data.hourly.empty() ? store::HourlySends{} : data.hourly.back();
    return {{"hours", hours},
            {"this_hour",
             {{"delivered", now.delivered}, {"failed", now.failed}, {"skipped", now.skipped}}},
            {"last_48h", {{"delivered", delivered}, {"failed", failed}, {"skipped", skipped}}}};
}

json failures_json(const store::StatusData& data) {
    json reasons = json::array();
    for (const auto& reason : data.failure_reasons) {
        reasons.push_back({{"reason", reason.reason},
                           {"count", reason.count},
                           {"latest_at_ms", reason.latest_at_ms}});
    }
    json recent = json::array();
    for (const auto& failure : data.recent_failures) {
        recent.push_back({{"outbox_id", failure.outbox_id},
                          {"scenario", failure.scenario},
                          {"step", failure.step},
                          {"reason", failure.reason},
                          {"at_ms", failure.at_ms}});
    }
    return {{"total", data.failed_total}, {"by_reason", reasons}, {"recent", recent}};
}

json outbox_json(const store::OutboxDepth& outbox) {
    json result = {{"pending", outbox.pending},
                   {"sending", outbox.sending},
                   {"due_now", outbox.due_now},
                   {"oldest_due_age_seconds", nullptr}};
    if (outbox.oldest_due_age_ms) {
        result["oldest_due_age_seconds"] = *outbox.oldest_due_age_ms / 1000;
    }
    return result;
}

json friends_json(const store::StatusData& data) {
    json days = json::array();
    std::int64_t total = 0;
    for (const auto& day : data.daily_links) {
        days.push_back({{"day_start_ms", day.day_start_ms},
                        {"day_jst", format_jst(day.day_start_ms).substr(0, 10)},
                        {"total", day.total()},
                        {"by_method", day.by_method}});
        total += day.total();
    }
    const auto& friends = data.friends;
    return {{"following", friends.following}, {"blocked", friends.blocked},
            {"linked", friends.linked},       {"link_rate_percent", link_rate_percent(friends)},
            {"links_per_day", days},          {"links_14d", total}};
}

json funnels_json(const store::StatusData& data) {
    json funnels = json::array();
    for (const auto& funnel : data.funnels) {
        json steps = json::array();
        for (const auto& step : funnel.steps) {
            steps.push_back({{"step", step.step},
                             {"reached", step.reached},
                             {"sent", step.sent},
                             {"waiting", step.waiting}});
        }
        funnels.push_back({{"scenario", funnel.scenario},
                           {"enrolled", funnel.enrolled},
                           {"active", funnel.active},
                           {"done", funnel.done},
                           {"cancelled", funnel.cancelled},
                           {"ended", funnel.ended},
                           {"steps", steps}});
    }
    return funnels;
}

} // namespace

std::string render_status_json(const StatusSnapshot& snapshot) {
    const auto& data = snapshot.report;
    json license = {{"days_left", nullptr}, {"warning", false}};
    if (snapshot.license_days_left) {
        license["days_left"] = *snapshot.license_days_left;
        license["warning"] = *snapshot.license_days_left <= k_license_warn_days;
    }
    json body = {{"shop", snapshot.shop_name},
                 {"version", snapshot.version},
                 {"generated_at_ms", snapshot.generated_at_ms},
                 {"now_ms", data.now_ms},
                 {"sends", hourly_json(data)},
                 {"failures", failures_json(data)},
                 {"outbox", outbox_json(data.outbox)},
                 {"friends", friends_json(data)},
                 {"funnels", funnels_json(data)},
                 {"segments", snapshot.segments},
                 {"license", license}};
    body["review_export"] = nullptr;
    if (data.last_review_export) {
        const auto& note = *data.last_review_export;
        body["review_export"] = {{"file", note.file},
                                 {"imported_at_ms", note.imported_at_ms},
                                 {"bytes", note.bytes},
                                 {"reviews", note.reviews},
                                 {"oldest_posted_at_ms", note.oldest_posted_at_ms
                                                             ? json(*note.oldest_posted_at_ms)
                                                             : json(nullptr)},
                                 {"near_cap", note.near_cap}};
    }
    if (!snapshot.forward.empty()) { // webhook.forward
        json forward = json::array();
        for (const auto& target : snapshot.forward) {
            forward.push_back({{"target", target.target},
                               {"forwarded", target.forwarded},
                               {"given_up", target.given_up},
                               {"queued", target.queued},
                               {"retrying", target.retrying},
                               {"last_error", target.last_error}});
        }
        body["forward"] = forward;
    }
    if (snapshot.followers) {
        const auto& totals = *snapshot.followers;
        json followers = {{"imported", totals.imported},
                          {"profiles_due", totals.profiles_due},
                          {"unavailable", false},
                          {"latest", nullptr}};
        if (totals.latest) {
            const auto& run = *totals.latest;
            const char* outcome = run.outcome == store::ImportOutcome::done        ? "done"
                                  : run.outcome == store::ImportOutcome::forbidden ? "forbidden"
                                  : run.outcome == store::ImportOutcome::abandoned ? "abandoned"
                                                                                   : "running";
            followers["unavailable"] = run.outcome == store::ImportOutcome::forbidden;
            followers["latest"] = {
                {"started_at_ms", run.started_at_ms},
                {"finished_at_ms", run.finished_at_ms ? json(*run.finished_at_ms) : json(nullptr)},
                {"pages", run.pages},
                {"listed", run.listed},
                {"imported", run.imported},
                {"outcome", outcome}};
        }
        body["followers"] = followers;
    }
    if (!snapshot.report_error.empty()) {
        body["error"] = snapshot.report_error;
    }
    // Reasons come from LINE's answers: replace rather than throw on invalid UTF-8.
    return body.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

} // namespace musubi::admin
