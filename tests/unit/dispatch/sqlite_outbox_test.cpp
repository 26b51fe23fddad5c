// The SQLite outbox as the dispatcher uses it: claiming due rows, recording outcomes, and
// start-up after a crash. (Tests store/sqlite/sqlite_outbox.cpp.)

#include <boost/test/unit_test.hpp>

#include "daemon/store/sqlite/outbox_rows.hpp"
#include "daemon/store/sqlite/sqlite_store.hpp"
#include "support/temp_dir.hpp"

using namespace musubi;
using namespace musubi::store;
using namespace musubi::store::sqlite;
using musubi::test::TempDir;

namespace {

class ManualClock final : public clock::Clock {
public:
    clock::Millis now_ms() const override { return m_now; }
    void set(clock::Millis now) { m_now = now; }

private:
    clock::Millis m_now = 1'000'000;
};

struct Fixture {
    TempDir dir;
    std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>();
    std::unique_ptr<SqliteStore> store;
    std::optional<Database> db;

    Fixture() {
        auto opened = SqliteStore::open(dir / "musubi.db", std::chrono::seconds(5), clock);
        BOOST_REQUIRE_MESSAGE(opened, (opened ? "" : opened.error().message));
        store = std::move(*opened);
        auto connection = open_connection(dir / "musubi.db", std::chrono::seconds(5));
        BOOST_REQUIRE(connection);
        db.emplace(std::move(*connection));
        BOOST_REQUIRE(db->exec("INSERT INTO friends (id, line_user_id, state, created_at, "
                               "updated_at) VALUES (1, 'Ua', 'following', 0, 0), "
                               "(2, 'Ub', 'blocked', 0, 0)"));
    }

    void add(const std::string& key, std::int64_t friend_id, std::int64_t due_at) {
        NewMessage message;
        message.retry_key = key;
        message.friend_id = friend_id;
        message.scenario = "order-thanks";
        message.step = "thanks";
        message.payload = R"([{"type":"text","text":")" + key + R"("}])";
        message.due_at = due_at;
        auto inserted = insert_outbox_row(*db, message, 0);
        BOOST_REQUIRE(inserted && *inserted);
    }

    std::string text(const std::string& sql) {
        auto statement = db->prepare(sql);
        BOOST_REQUIRE(statement);
        auto row = statement->step();
        BOOST_REQUIRE(row && *row);
        return statement->column_is_null(0) ? "NULL" : statement->column_text(0);
    }

    Outbox& outbox() { return store->outbox(); }
};

std::vector<std::string> keys(const std::vector<DueMessage>& rows) {
    std::vector<std::string> out;
    for (const auto& row : rows) {
        out.push_back(row.retry_key);
    }
    return out;
}

AttemptRecord record(std::int64_t id, Disposition disposition, std::string reason) {
    AttemptRecord result;
    result.outbox_id = id;
    result.disposition = disposition;
    result.attempted_at = 1'000'000;
    result.outcome = "test";
    result.reason = std::move(reason);
    return result;
}

} // namespace

BOOST_AUTO_TEST_SUITE(sqlite_outbox)

BOOST_AUTO_TEST_CASE(claims_due_rows_oldest_first_marks_them_sending_and_counts_the_attempt) {
    Fixture f;
    f.add("late", 1, 900'000);
    f.add("early", 1, 500'000);
    f.add("future", 1, 2'000'000);
    f.add("blocked", 2, 700'000);
    auto rows = f.outbox().claim_due(10);
    BOOST_REQUIRE(rows);
    BOOST_TEST(keys(*rows) == (std::vector<std::string>{"early", "blocked", "late"}),
               boost::test_tools::per_element());
    BOOST_TEST((*rows)[0].line_user_id == "Ua");
    BOOST_TEST(!(*rows)[0].friend_blocked);
    BOOST_TEST((*rows)[1].friend_blocked);
    BOOST_TEST((*rows)[0].attempts == 1);
    BOOST_TEST((*rows)[0].first_attempt_at == 1'000'000);
    BOOST_TEST(f.text("SELECT group_concat(state || ':' || attempts || ':' || "
                      "ifnull(first_attempt_at, '-'), ' ') FROM (SELECT * FROM outbox ORDER BY "
                      "id)") ==
               "sending:1:1000000 sending:1:1000000 pending:0:- sending:1:1000000");
    // Held rows are not claimed twice.
    auto again = f.outbox().claim_due(10);
    BOOST_REQUIRE(again);
    BOOST_TEST(again->empty());
    auto next = f.outbox().next_due_at();
    BOOST_REQUIRE(next);
    BOOST_TEST(next->value() == 2'000'000);
}

BOOST_AUTO_TEST_CASE(records_outcomes_with_a_delivery_row_each) {
    Fixture f;
    f.add("a", 1, 0);
    f.add("b", 1, 0);
    f.add("c", 1, 0);
    auto rows = f.outbox().claim_due(10);
    BOOST_REQUIRE(rows && rows->size() == 3);
    auto sent = record((*rows)[0].id, Disposition::sent, "pushed");
    sent.http_status = 200;
    sent.outcome = "sent";
    sent.request_id = "req-1";
    auto retry = record((*rows)[1].id, Disposition::retry, "Internal server error (HTTP 500)");
    retry.retry_at = 1'005'000;
    auto failed = record((*rows)[2].id, Disposition::failed, "LINE refused the message");
    BOOST_REQUIRE(f.outbox().record({sent, retry, failed}));
    BOOST_TEST(f.text("SELECT group_concat(state || ':' || ifnull(reason, '-') || ':' || due_at, "
                      "' | ') FROM (SELECT * FROM outbox ORDER BY id)") ==
               "sent:pushed:0 | pending:Internal server error (HTTP 500):1005000 | "
               "failed:LINE refused the message:0");
    BOOST_TEST(f.text("SELECT group_concat(outbox_id || ':' || ifnull(http_status, '-') || ':' "
                      "|| outcome || ':' || ifnull(request_id, '-'), ' ') FROM deliveries") ==
               "1:200:sent:req-1 2:-:test:- 3:-:test:-");
    // The retried row is due again at its time, counting its earlier attempt.
    f.clock->set(1'005'000);
    auto retried = f.outbox().claim_due(10);
    BOOST_REQUIRE(retried && retried->size() == 1);
    BOOST_TEST(retried->front().attempts == 2);
    BOOST_TEST(retried->front().first_attempt_at == 1'000'000);
    auto counts = f.outbox().counts();
    BOOST_REQUIRE(counts);
    BOOST_TEST(counts->sent == 1);
    BOOST_TEST(counts->sending == 1);
    BOOST_TEST(counts->failed == 1);
}

BOOST_AUTO_TEST_CASE(a_reply_that_went_by_push_is_retried_as_a_push_row) {
    Fixture f;
    NewMessage message;
    message.retry_key = "r";
    message.friend_id = 1;
    message.kind = "reply";
    message.reply_token = "token-1";
    message.reply_until = 50'000;
    message.payload = R"([{"type":"text","text":"r"}])";
    BOOST_REQUIRE(*insert_outbox_row(*f.db, message, 0));
    // The same token for a second message of the same event: written as a push.
    message.retry_key = "r2";
    BOOST_REQUIRE(*insert_outbox_row(*f.db, message, 0));
    BOOST_TEST(f.text("SELECT group_concat(kind || ':' || ifnull(reply_token, '-'), ' ') FROM "
                      "(SELECT * FROM outbox ORDER BY id)") == "reply:token-1 push:-");
    auto rows = f.outbox().claim_due(1);
    BOOST_REQUIRE(rows && rows->size() == 1);
    auto retry = record(rows->front().id, Disposition::retry, "Internal server error (HTTP 500)");
    retry.now_push = true;
    BOOST_REQUIRE(f.outbox().record({retry}));
    BOOST_TEST(f.text("SELECT kind FROM outbox WHERE retry_key = 'r'") == "push");
}

BOOST_AUTO_TEST_CASE(a_final_row_is_never_moved_back) {
    Fixture f;
    f.add("a", 1, 0);
    auto rows = f.outbox().claim_due(10);
    BOOST_REQUIRE(rows && rows->size() == 1);
    BOOST_REQUIRE(f.outbox().record({record(rows->front().id, Disposition::sent, "pushed")}));
    auto late = record(rows->front().id, Disposition::retry, "late");
    BOOST_REQUIRE(f.outbox().record({late}));
    BOOST_TEST(f.text("SELECT state FROM outbox") == "sent");
}

BOOST_AUTO_TEST_CASE(a_released_row_is_pending_again_without_a_counted_attempt) {
    Fixture f;
    f.add("a", 1, 0);
    auto rows = f.outbox().claim_due(10);
    BOOST_REQUIRE(rows && rows->size() == 1);
    BOOST_REQUIRE(f.outbox().record({record(rows->front().id, Disposition::released, "")}));
    BOOST_TEST(f.text("SELECT state || ':' || attempts FROM outbox") == "pending:0");
    BOOST_TEST(f.text("SELECT count(*) FROM deliveries") == "0");
}

BOOST_AUTO_TEST_CASE(rows_a_crash_left_sending_are_due_again_at_start_up) {
    Fixture f;
    f.add("a", 1, 0);
    f.add("b", 1, 0);
    BOOST_REQUIRE(f.outbox().claim_due(10));
    auto requeued = f.outbox().requeue_interrupted();
    BOOST_REQUIRE(requeued);
    BOOST_TEST(*requeued == 2);
    auto rows = f.outbox().claim_due(10);
    BOOST_REQUIRE(rows);
    BOOST_TEST(keys(*rows) == (std::vector<std::string>{"a", "b"}),
               boost::test_tools::per_element());
    BOOST_TEST(rows->front().attempts == 2);
}

BOOST_AUTO_TEST_CASE(claims_use_the_due_index) {
    Fixture f;
    auto plan = f.db->prepare("EXPLAIN QUERY PLAN SELECT o.id FROM outbox o WHERE o.state IN "
                              "('pending', 'sending') AND o.state = 'pending' AND o.due_at <= 1 "
                              "ORDER BY o.due_at, o.id LIMIT 5");
    BOOST_REQUIRE(plan);
    std::string detail;
    while (true) {
        auto row = plan->step();
        BOOST_REQUIRE(row);
        if (!*row) {
            break;
        }
        detail += plan->column_text(3) + "\n";
    }
    BOOST_TEST(detail.find("outbox_due") != std::string::npos, detail);
}

BOOST_AUTO_TEST_SUITE_END()
