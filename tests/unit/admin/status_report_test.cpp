// StatusReport over a real SQLite file: sends per JST hour over 48 hours, failures by reason,
// the outbox's depth, friends and their link rate, links per JST day, scenario funnels.
// Rows are written with plain SQL so the numbers expected are those of the rows themselves.

#include <boost/test/unit_test.hpp>

#include "daemon/store/sqlite/sqlite_store.hpp"
#include "support/manual_clock.hpp"
#include "support/temp_dir.hpp"

using namespace musubi::store;
using namespace musubi::store::sqlite;
using musubi::test::jst;
using musubi::test::ManualClock;
using musubi::test::TempDir;

namespace {

constexpr std::chrono::milliseconds k_busy{2000};
const std::int64_t k_now = jst(0, 10, 30); // 2026-11-22 10:30 JST

struct Fixture {
    TempDir dir;
    std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>(k_now);
    std::unique_ptr<SqliteStore> store;

    Fixture() {
        auto opened = SqliteStore::open(dir / "musubi.db", k_busy, clock);
        BOOST_REQUIRE_MESSAGE(opened, "open: " << (opened ? "" : opened.error().to_string()));
        store = std::move(*opened);
    }

    void sql(const std::string& statements) {
        auto db = Database::open(dir / "musubi.db");
        BOOST_REQUIRE(db);
        auto done = db->exec(statements);
        BOOST_REQUIRE_MESSAGE(done, statements << ": " << (done ? "" : done.error().to_string()));
    }

    StatusData read() {
        auto data = store->status_report().read();
        BOOST_REQUIRE_MESSAGE(data, (data ? "" : data.error().to_string()));
        return *data;
    }

    void friend_(int id, const std::string& state) {
        sql("INSERT INTO friends (id, line_user_id, state, created_at, updated_at) VALUES (" +
            std::to_string(id) + ", 'U" + std::to_string(id) + "', '" + state + "', 0, 0);" +
            "INSERT INTO buyers (id, buyer_key, created_at) VALUES (" + std::to_string(id) +
            ", 'b" + std::to_string(id) + "', 0)");
    }

    void link(int friend_id, const std::string& method, std::int64_t at, bool unlinked = false) {
        sql("INSERT INTO links (friend_id, buyer_id, method, linked_at, unlinked_at) VALUES (" +
            std::to_string(friend_id) + ", " + std::to_string(friend_id) + ", '" + method + "', " +
            std::to_string(at) + ", " + (unlinked ? std::to_string(at + 1) : "NULL") + ")");
    }

    void enrollment(int id, const std::string& scenario, int friend_id, const std::string& state,
                    const std::string& step) {
        sql("INSERT INTO enrollments (id, scenario, friend_id, state, step, started_at) VALUES (" +
            std::to_string(id) + ", '" + scenario + "', " + std::to_string(friend_id) + ", '" +
            state + "', " + (step.empty() ? "NULL" : "'" + step + "'") + ", 0)");
    }

    // An outbox row; `scenario` empty: not from a scenario.
    void message(int id, int enrollment_id, const std::string& scenario, const std::string& step,
                 const std::string& state, std::int64_t due_at, std::int64_t updated_at = 0,
                 const std::string& reason = "") {
        const auto text = [](const std::string& value) {
            return value.empty() ? std::string("NULL") : "'" + value + "'";
        };
        sql("INSERT INTO outbox (id, retry_key, enrollment_id, friend_id, scenario, step, payload, "
            "state, due_at, reason, created_at, updated_at) VALUES (" +
            std::to_string(id) + ", 'k" + std::to_string(id) + "', " +
            (enrollment_id ? std::to_string(enrollment_id) : "NULL") + ", 1, " + text(scenario) +
            ", " + text(step) + ", '{}', '" + state + "', " + std::to_string(due_at) + ", " +
            text(reason) + ", " + std::to_string(id) + ", " + std::to_string(updated_at) + ")");
    }

    void delivery(int outbox_id, const std::string& outcome, std::int64_t at) {
        sql("INSERT INTO deliveries (outbox_id, attempted_at, outcome) VALUES (" +
            std::to_string(outbox_id) + ", " + std::to_string(at) + ", '" + outcome + "')");
    }
};

const FunnelStep* find_step(const ScenarioFunnel& funnel, const std::string& name) {
    for (const auto& step : funnel.steps) {
        if (step.step == name) {
            return &step;
        }
    }
    return nullptr;
}

} // namespace

BOOST_AUTO_TEST_SUITE(status_report)

BOOST_AUTO_TEST_CASE(an_empty_store_reports_zeros_with_every_hour_and_day_present) {
    Fixture f;
    const auto data = f.read();
    BOOST_TEST(data.now_ms == k_now);
    BOOST_REQUIRE(data.hourly.size() == 48u);
    BOOST_TEST(data.hourly.back().hour_start_ms == jst(0, 10));
    BOOST_TEST(data.hourly.front().hour_start_ms == jst(-2, 11));
    BOOST_REQUIRE(data.daily_links.size() == 14u);
    BOOST_TEST(data.daily_links.back().day_start_ms == jst(0, 0));
    BOOST_TEST(data.daily_links.front().day_start_ms == jst(-13, 0));
    BOOST_TEST(data.failed_total == 0);
    BOOST_TEST(data.outbox.pending == 0);
    BOOST_TEST(!data.outbox.oldest_due_age_ms.has_value());
    BOOST_TEST(data.friends.following == 0);
    BOOST_TEST(data.friends.link_rate() == 0.0);
    BOOST_TEST(data.funnels.empty());
}

BOOST_AUTO_TEST_CASE(sends_are_counted_per_jst_hour_as_delivered_failed_or_skipped) {
    Fixture f;
    f.friend_(1, "following");
    f.message(1, 0, "", "", "sent", 0);
    f.delivery(1, "sent", jst(0, 10, 5));
    f.delivery(1, "already_sent", jst(0, 10, 10)); // LINE had it: delivered
    f.delivery(1, "sent", jst(0, 9, 59));
    f.delivery(1, "transient", jst(0, 9, 0));
    f.delivery(1, "permanent", jst(0, 9, 1));
    f.delivery(1, "blocked", jst(0, 8, 0));
    f.delivery(1, "expired", jst(0, 8, 30));
    f.delivery(1, "sent", jst(-2, 11, 0));  // the first hour shown
    f.delivery(1, "sent", jst(-2, 10, 59)); // 48 hours ago and a minute: not shown
    const auto data = f.read();
    const auto& now = data.hourly[47];
    BOOST_TEST(now.delivered == 2);
    BOOST_TEST(now.failed == 0);
    BOOST_TEST(data.hourly[46].delivered == 1);
    BOOST_TEST(data.hourly[46].failed == 2);
    BOOST_TEST(data.hourly[45].skipped == 2);
    BOOST_TEST(data.hourly[45].delivered == 0);
    BOOST_TEST(data.hourly[0].delivered == 1);
    std::int64_t total = 0;
    for (const auto& hour : data.hourly) {
        total += hour.delivered;
    }
    BOOST_TEST(total == 4);
}

BOOST_AUTO_TEST_CASE(failures_are_grouped_by_reason_with_the_latest_time_and_listed_newest_first) {
    Fixture f;
    f.friend_(1, "following");
    f.enrollment(1, "welcome", 1, "cancelled", "");
    const std::string refused = "LINE refused the message (HTTP 400): bad";
    f.message(1, 1, "welcome", "hello", "failed", 0, jst(0, 9), refused);
    f.message(2, 0, "", "", "failed", 0, jst(0, 10), refused);
    f.message(3, 0, "", "", "failed", 0, jst(-1, 0), "no friend with id 9");
    f.message(4, 0, "", "", "sent", 0, jst(0, 10, 20));
    const auto data = f.read();
    BOOST_TEST(data.failed_total == 3);
    BOOST_REQUIRE(data.failure_reasons.size() == 2u);
    BOOST_TEST(data.failure_reasons[0].reason == refused);
    BOOST_TEST(data.failure_reasons[0].count == 2);
    BOOST_TEST(data.failure_reasons[0].latest_at_ms == jst(0, 10));
    BOOST_TEST(data.failure_reasons[1].count == 1);
    BOOST_REQUIRE(data.recent_failures.size() == 3u);
    BOOST_TEST(data.recent_failures[0].outbox_id == 2);
    BOOST_TEST(data.recent_failures[1].outbox_id == 1);
    BOOST_TEST(data.recent_failures[1].scenario == "welcome");
    BOOST_TEST(data.recent_failures[1].step == "hello");
    BOOST_TEST(data.recent_failures[2].outbox_id == 3);
}

BOOST_AUTO_TEST_CASE(only_the_twenty_newest_failures_are_listed) {
    Fixture f;
    f.friend_(1, "following");
    for (int i = 1; i <= 25; ++i) {
        f.message(i, 0, "", "", "failed", 0, jst(0, 0, i), "r");
    }
    const auto data = f.read();
    BOOST_TEST(data.failed_total == 25);
    BOOST_REQUIRE(data.recent_failures.size() == 20u);
    BOOST_TEST(data.recent_failures.front().outbox_id == 25);
    BOOST_TEST(data.recent_failures.back().outbox_id == 6);
}

BOOST_AUTO_TEST_CASE(the_outbox_depth_counts_pending_sending_and_what_is_overdue) {
    Fixture f;
    f.friend_(1, "following");
    f.message(1, 0, "", "", "pending", jst(0, 10));     // due 30 minutes ago
    f.message(2, 0, "", "", "pending", jst(0, 10, 25)); // due 5 minutes ago
    f.message(3, 0, "", "", "pending", jst(0, 12));     // scheduled
    f.message(4, 0, "", "", "sending", jst(0, 9));
    f.message(5, 0, "", "", "sent", jst(0, 1));
    const auto data = f.read();
    BOOST_TEST(data.outbox.pending == 3);
    BOOST_TEST(data.outbox.sending == 1);
    BOOST_TEST(data.outbox.due_now == 2);
    BOOST_REQUIRE(data.outbox.oldest_due_age_ms.has_value());
    BOOST_TEST(*data.outbox.oldest_due_age_ms == 30 * 60 * 1000);
}

BOOST_AUTO_TEST_CASE(the_link_rate_counts_following_friends_with_an_active_link) {
    Fixture f;
    f.friend_(1, "following");
    f.friend_(2, "following");
    f.friend_(3, "following");
    f.friend_(4, "blocked");
    f.link(1, "web", jst(0, 9));
    f.link(4, "chat", jst(-1, 20));          // blocked since: not in the rate
    f.link(2, "chat", jst(-3, 12), true);    // unlinked again: not in the rate
    f.link(3, "account_link", jst(-20, 12)); // linked before the 14 days shown
    const auto data = f.read();
    BOOST_TEST(data.friends.following == 3);
    BOOST_TEST(data.friends.blocked == 1);
    BOOST_TEST(data.friends.linked == 2);
    BOOST_TEST(data.friends.link_rate() == 2.0 / 3.0);
    const auto& days = data.daily_links;
    BOOST_TEST(days[13].by_method.at("web") == 1);
    BOOST_TEST(days[12].by_method.at("chat") == 1);
    BOOST_TEST(days[10].by_method.at("chat") == 1);
    std::int64_t total = 0;
    for (const auto& day : days) {
        total += day.total();
    }
    BOOST_TEST(total == 3);
}

BOOST_AUTO_TEST_CASE(a_funnel_follows_enrollments_through_their_steps_to_how_they_ended) {
    Fixture f;
    f.friend_(1, "following");
    f.friend_(2, "following");
    f.friend_(3, "following");
    f.enrollment(1, "welcome", 1, "done", "");
    f.enrollment(2, "welcome", 2, "active", "day3");
    f.enrollment(3, "welcome", 3, "cancelled", "");
    f.enrollment(4, "review", 1, "active", "ask");
    f.enrollment(5, "review", 2, "ended", "");
    f.message(1, 1, "welcome", "hello", "sent", 0);
    f.message(2, 1, "welcome", "day3", "sent", 0);
    f.message(3, 2, "welcome", "hello", "sent", 0);
    f.message(4, 3, "welcome", "hello", "failed", 0, 0, "refused");
    f.message(5, 3, "welcome", "hello", "sent", 0); // a second row for one enrollment's step
    const auto data = f.read();
    BOOST_REQUIRE(data.funnels.size() == 2u);
    const auto& review = data.funnels[0];
    BOOST_TEST(review.scenario == "review");
    BOOST_TEST(review.enrolled == 2);
    BOOST_TEST(review.active == 1);
    BOOST_TEST(review.ended == 1);
    BOOST_REQUIRE(review.steps.size() == 1u);
    BOOST_TEST(review.steps[0].step == "ask");
    BOOST_TEST(review.steps[0].reached == 0);
    BOOST_TEST(review.steps[0].waiting == 1);

    const auto& welcome = data.funnels[1];
    BOOST_TEST(welcome.enrolled == 3);
    BOOST_TEST(welcome.active == 1);
    BOOST_TEST(welcome.done == 1);
    BOOST_TEST(welcome.cancelled == 1);
    BOOST_REQUIRE(welcome.steps.size() == 2u);
    BOOST_TEST(welcome.steps[0].step == "hello"); // first reached first
    BOOST_TEST(welcome.steps[1].step == "day3");
    const auto* hello = find_step(welcome, "hello");
    BOOST_TEST(hello->reached == 3);
    BOOST_TEST(hello->sent == 3);
    BOOST_TEST(hello->waiting == 0);
    const auto* day3 = find_step(welcome, "day3");
    BOOST_TEST(day3->reached == 1);
    BOOST_TEST(day3->sent == 1);
    BOOST_TEST(day3->waiting == 1);
}

BOOST_AUTO_TEST_CASE(the_report_queries_read_indexes_not_the_outbox_rows) {
    // The outbox holds every rendered message: the funnel and failure queries must not scan it.
    Fixture f;
    auto db = Database::open(f.dir / "musubi.db");
    BOOST_REQUIRE(db);
    const auto plan = [&](const std::string& query) {
        auto statement = db->prepare("EXPLAIN QUERY PLAN " + query);
        BOOST_REQUIRE(statement);
        std::string text;
        while (true) {
            auto row = statement->step();
            BOOST_REQUIRE(row);
            if (!*row) {
                break;
            }
            text += statement->column_text(3) + "\n";
        }
        return text;
    };
    const auto funnel = plan("SELECT scenario, step, count(DISTINCT coalesce(enrollment_id, -id)) "
                             "FROM outbox WHERE scenario IS NOT NULL GROUP BY scenario, step");
    BOOST_TEST(funnel.find("COVERING INDEX status_outbox_by_step") != std::string::npos);
    BOOST_TEST(funnel.find("TEMP B-TREE FOR GROUP BY") == std::string::npos, funnel);
    BOOST_TEST(plan("SELECT scenario, state, step, count(*) FROM enrollments "
                    "GROUP BY scenario, state, step")
                   .find("COVERING INDEX status_enrollments_by_scenario") != std::string::npos);
    BOOST_TEST(plan("SELECT coalesce(reason, ''), count(*) FROM outbox WHERE state = 'failed' "
                    "GROUP BY 1")
                   .find("INDEX status_outbox_failed") != std::string::npos);
    BOOST_TEST(plan("SELECT count(*) FROM deliveries WHERE attempted_at >= 1 AND attempted_at < 2")
                   .find("COVERING INDEX status_deliveries_by_time") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
