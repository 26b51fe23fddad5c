#include <chrono>
#include <sstream>

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "daemon/ctl/format.hpp"
#include "daemon/ctl/musubictl.hpp"
#include "daemon/outbox/retry_key.hpp"
#include "daemon/store/sqlite/sqlite_store.hpp"
#include "support/temp_dir.hpp"

using namespace musubi;
using musubi::test::TempDir;

namespace {

constexpr const char* k_config = R"(shop:
  id: test-shop
  name: テスト商店
store:
  path: data/musubi.db
log:
  level: warn
privacy:
  hashing_key: 0123456789abcdef0123456789abcdef-hashing
line:
  channel_secret: line-channel-secret-value
  channel_access_token: line-access-token-value
admin:
  token: admin-token-value
templates: templates
scenarios: scenarios/*.yaml
)";

constexpr const char* k_user = "U0123456789abcdef0123456789abcdef";
constexpr const char* k_user2 = "U00000000000000000000000000000002";
constexpr const char* k_user3 = "U00000000000000000000000000000003";
constexpr std::int64_t k_t0 = 1763800000000; // 2025-11-22 17:26:40 JST
constexpr std::int64_t k_hour = 3600 * 1000;
constexpr const char* k_refused = "LINE refused the message (HTTP 400): bad";

std::int64_t system_now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// A shop's installation: configuration, templates, and a store with three friends (the
// first linked, the third blocked), orders, an enrollment and outbox rows in every final state.
struct Installation {
    Installation() {
        dir.write("musubi.yaml", k_config);
        dir.write("scenarios/link-thanks.yaml",
                  "scenario: link-thanks\ntrigger: friend.linked\nsteps:\n  - send: link_thanks\n");
        dir.write("templates/link_thanks.txt", "ありがとうございます");
        dir.write("templates/hello.txt", "{{shop.name}}からのテストです");
        auto store = store::sqlite::SqliteStore::open(dir / "data/musubi.db",
                                                      std::chrono::milliseconds(2000));
        BOOST_REQUIRE(store);
        const auto t = [](std::int64_t ms) { return std::to_string(ms); };
        exec("INSERT INTO friends (id, line_user_id, display_name, state, followed_at, "
             "inflow_source, created_at, updated_at) VALUES "
             "(1, '" +
             std::string(k_user) + "', '山田太郎', 'following', " + t(k_t0) +
             ", 'qr-shop', 1, 1), "
             "(2, '" +
             k_user2 + "', 'Taro', 'following', " + t(k_t0) +
             ", NULL, 1, 1), "
             "(3, '" +
             k_user3 + "', 'Blocked', 'blocked', " + t(k_t0) +
             ", NULL, 1, 1);"
             "INSERT INTO friend_tags VALUES (1, 'vip', 1);"
             "INSERT INTO buyers (id, buyer_key, phone_last4_hash, given_name, created_at) VALUES "
             "(1, 'k', 'secret-hash-1', 'Hanako', 1), (2, 'k2', 'secret-hash-2', 'Jiro', 1);"
             "INSERT INTO links (friend_id, buyer_id, method, linked_at) VALUES (1, 1, 'chat', " +
             t(k_t0) +
             ");"
             "INSERT INTO orders (source, order_number, buyer_id, total, ordered_at, "
             "cancelled_at, updated_at) VALUES "
             "('rakuten', '123456-20251101-0000000001', 1, 5400, " +
             t(k_t0 - 10 * k_hour) +
             ", NULL, 1), ('rakuten', '123456-20251102-0000000002', 1, 3000, " +
             t(k_t0 - 5 * k_hour) +
             ", NULL, 1), ('rakuten', '123456-20251103-0000000003', 1, "
             "1000, " +
             t(k_t0 - 1 * k_hour) + ", " + t(k_t0) +
             ", 1), "
             "('rakuten', '123456-20251104-0000000004', 2, 2000, " +
             t(k_t0) +
             ", NULL, 1);"
             "INSERT INTO enrollments (id, scenario, friend_id, subject, state, step, next_at, "
             "started_at) VALUES (1, 'order-thanks', 1, '123456-20251102-0000000002', 'active', "
             "'thanks', " +
             t(k_t0 + k_hour) + ", " + t(k_t0) + ");");
        add_row(1, 1, "sent", k_t0, "order-thanks", std::nullopt, "{\"text\":\"ok\"}");
        exec("INSERT INTO deliveries (outbox_id, attempted_at, http_status, outcome, request_id, "
             "detail) VALUES (1, " +
             t(k_t0) + ", 200, 'sent', 'req-1', 'pushed')");
        add_row(2, 1, "failed", now - k_hour, "order-thanks", k_refused, "[]");
        exec("INSERT INTO deliveries (outbox_id, attempted_at, http_status, outcome, request_id, "
             "detail) VALUES (2, " +
             t(now - k_hour) + ", 400, 'refused', 'req-2', '" + k_refused + "')");
        add_row(3, 2, "failed", now - 2 * k_hour, "review", k_refused, "[]");
        add_row(4, 1, "pending", now - k_hour, "order-thanks", std::nullopt, "[]");
        add_row(5, 3, "skipped", now - k_hour, "review", "blocked", "[]");
        add_row(6, 2, "expired", now - 30 * k_hour, "review", "too old", "[]");
        add_row(7, 2, "failed", now - 3 * k_hour, "review", "template x: missing", "[]");
    }

    void exec(const std::string& sql) {
        auto db = store::sqlite::Database::open(dir / "data/musubi.db");
        BOOST_REQUIRE(db);
        auto done = db->exec(sql);
        BOOST_REQUIRE_MESSAGE(done, sql + ": " + (done ? "" : done.error().message));
    }

    void add_row(int id, int friend_id, const std::string& state, std::int64_t updated_at,
                 const std::string& scenario, const std::optional<std::string>& reason,
                 const std::string& payload) {
        const std::string due = std::to_string(state == "pending" ? now + k_hour : updated_at);
        exec("INSERT INTO outbox (id, retry_key, friend_id, scenario, step, payload, state, "
             "due_at, attempts, reason, created_at, updated_at) VALUES (" +
             std::to_string(id) + ", 'key-" + std::to_string(id) + "', " +
             std::to_string(friend_id) + ", '" + scenario + "', 'step', '" + payload + "', '" +
             state + "', " + due + ", 1, " + (reason ? "'" + *reason + "'" : "NULL") + ", " +
             std::to_string(updated_at) + ", " + std::to_string(updated_at) + ")");
    }

    int run(std::vector<std::string> args) {
        out.str("");
        err.str("");
        args.push_back("--config");
        args.push_back((dir / "musubi.yaml").string());
        return ctl::run_musubictl(args, out, err);
    }

    nlohmann::json json(std::vector<std::string> args, int expected_exit = 0) {
        args.push_back("--json");
        const int code = run(args);
        BOOST_TEST(code == expected_exit, err.str());
        return nlohmann::json::parse(out.str());
    }

    std::string query(const std::string& sql) {
        auto db = store::sqlite::Database::open(dir / "data/musubi.db");
        BOOST_REQUIRE(db);
        auto value = db->pragma_text(sql);
        BOOST_REQUIRE(value);
        return *value;
    }

    // The lines of the last output.
    std::vector<std::string> lines() const {
        std::vector<std::string> all;
        std::istringstream text(out.str());
        for (std::string line; std::getline(text, line);) {
            all.push_back(line);
        }
        return all;
    }

    bool said(const std::string& text) const {
        return out.str().find(text) != std::string::npos ||
               err.str().find(text) != std::string::npos;
    }

    const std::int64_t now = system_now_ms();
    TempDir dir;
    std::ostringstream out;
    std::ostringstream err;
};

// A stand-in for musubid's admin server: /healthz answers "ok".
class HealthServer {
public:
    HealthServer()
        : m_server(new Factory, Poco::Net::ServerSocket(Poco::Net::SocketAddress("127.0.0.1", 0)),
                   new Poco::Net::HTTPServerParams) {
        m_server.start();
    }
    ~HealthServer() { m_server.stopAll(true); }
    std::string address() const { return "127.0.0.1:" + std::to_string(m_server.port()); }

private:
    struct Ok : Poco::Net::HTTPRequestHandler {
        void handleRequest(Poco::Net::HTTPServerRequest&,
                           Poco::Net::HTTPServerResponse& response) override {
            response.setContentType("text/plain");
            response.send() << "ok";
        }
    };
    struct Factory : Poco::Net::HTTPRequestHandlerFactory {
        Poco::Net::HTTPRequestHandler*
        createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
            return new Ok;
        }
    };
    Poco::Net::HTTPServer m_server;
};

} // namespace

BOOST_AUTO_TEST_SUITE(ctl_musubictl)

BOOST_AUTO_TEST_CASE(names_are_masked_and_times_shown_in_jst) {
    BOOST_TEST(ctl::mask_name("山田太郎") == "山***");
    BOOST_TEST(ctl::mask_name("Taro") == "T***");
    BOOST_TEST(ctl::mask_name("山") == "山*");
    BOOST_TEST(ctl::mask_name("") == "");
    BOOST_TEST(ctl::jst_time(0) == "1970-01-01 09:00:00 JST");
    BOOST_TEST(ctl::jst_time(k_t0) == "2025-11-22 17:26:40 JST");
    BOOST_TEST(ctl::yen(1234567) == "1,234,567円");
    BOOST_TEST(ctl::yen(400) == "400円");
}

BOOST_FIXTURE_TEST_CASE(help_lists_the_commands_and_exit_codes, Installation) {
    BOOST_TEST(run({"--help"}) == 0);
    for (const char* text : {"musubictl status [--admin HOST:PORT]", "musubictl outbox retry <id>",
                             "musubictl friend show <userId>", "musubictl config check",
                             "  5  (status) musubid does not answer on admin.listen"}) {
        BOOST_TEST(said(text), text);
    }
}

BOOST_FIXTURE_TEST_CASE(unknown_commands_are_usage_errors_with_a_suggestion, Installation) {
    BOOST_TEST(run({"stauts"}) == 2);
    BOOST_TEST(
        err.str().rfind("musubictl: unknown command 'stauts'; did you mean 'status'?\n", 0) == 0);
    BOOST_TEST(run({"outbox", "lst"}) == 2);
    BOOST_TEST(err.str().rfind("musubictl: unknown command 'outbox lst'; did you mean 'outbox "
                               "list'?\n",
                               0) == 0);
    BOOST_TEST(run({"outbox"}) == 2);
    BOOST_TEST(said("'outbox' needs one of: list, show, failed, retry"));
    BOOST_TEST(run({"outbox", "list", "--stat", "failed"}) == 2);
    BOOST_TEST(said("outbox list has no option --stat; did you mean --state?"));
    BOOST_TEST(run({"outbox", "list", "--state", "faild"}) == 2);
    BOOST_TEST(said("there is no outbox state 'faild'; did you mean 'failed'?"));
    BOOST_TEST(run({}) == 2);
}

BOOST_FIXTURE_TEST_CASE(status_counts_the_store_and_says_musubid_is_down, Installation) {
    BOOST_TEST(run({"status", "--admin", "127.0.0.1:1"}) == 5);
    const auto text = lines();
    BOOST_TEST_REQUIRE(text.size() == 7u, out.str());
    BOOST_TEST(text[0] == "musubi status: test-shop (テスト商店)");
    BOOST_TEST(text[1] == "  store:     " + (dir / "data/musubi.db").string() +
                              " (sqlite, schema version " + query("PRAGMA user_version") + ")");
    BOOST_TEST(text[2] == "  friends:   2 following, 1 blocked, 1 linked");
    BOOST_TEST(text[3] ==
               "  outbox:    pending 1, sending 0, sent 1, failed 3, skipped 1, expired 1");
    BOOST_TEST(text[4] == "  failed:    3 in the last 24 h (see: musubictl outbox failed)");
    BOOST_TEST(text[5] == "  next due:  " + ctl::jst_time(now + k_hour));
    BOOST_TEST(text[6].rfind("  musubid:   NOT answering at http://127.0.0.1:1/healthz (", 0) == 0);
}

BOOST_FIXTURE_TEST_CASE(status_is_0_when_musubid_answers, Installation) {
    HealthServer health;
    const auto status = json({"status", "--admin", health.address()});
    BOOST_TEST(status["musubid"]["running"] == true);
    BOOST_TEST(status["musubid"]["url"] == "http://" + health.address() + "/healthz");
    BOOST_TEST(status["friends"]["following"] == 2);
    BOOST_TEST(status["outbox"]["failed"] == 3);
    BOOST_TEST(status["failed_last_24h"] == 3);
    BOOST_TEST(status["next_due_at"] == now + k_hour);
    BOOST_TEST(status["store"]["backend"] == "sqlite");
}

BOOST_FIXTURE_TEST_CASE(outbox_list_filters_newest_first, Installation) {
    auto listed = json({"outbox", "list", "--state", "failed"});
    BOOST_TEST_REQUIRE(listed["rows"].size() == 3u);
    BOOST_TEST(listed["rows"][0]["id"] == 7);
    BOOST_TEST(listed["rows"][2]["id"] == 2);
    listed = json({"outbox", "list", "--friend", std::string(k_user2) + "," + k_user3});
    BOOST_TEST(listed["rows"].size() == 4u);
    listed = json({"outbox", "list", "--scenario", "order-thanks", "--limit", "2"});
    BOOST_TEST_REQUIRE(listed["rows"].size() == 2u);
    BOOST_TEST(listed["rows"][0]["id"] == 4);
    BOOST_TEST(listed["rows"][0]["line_user_id"] == k_user);

    BOOST_TEST(run({"outbox", "list", "--state", "skipped"}) == 0);
    const auto text = lines();
    BOOST_TEST_REQUIRE(text.size() == 2u, out.str());
    BOOST_TEST(text[1] == "  #5  skipped  " + ctl::jst_time(now - k_hour) + "  " + k_user3 +
                              "  review/step  1 attempt  blocked");
    BOOST_TEST(run({"outbox", "list", "--limit", "zero"}) == 2);
}

BOOST_FIXTURE_TEST_CASE(outbox_show_has_the_payload_and_every_attempt, Installation) {
    BOOST_TEST(run({"outbox", "show", "2"}) == 0, err.str());
    BOOST_TEST(said("outbox #2: failed\n"));
    BOOST_TEST(said("  friend:     " + std::string(k_user) + " (friend #1)\n"));
    BOOST_TEST(said("  reason:     " + std::string(k_refused) + "\n"));
    BOOST_TEST(said("    " + ctl::jst_time(now - k_hour) +
                    "  HTTP 400  refused  request id req-2  " + k_refused + "\n"));
    const auto shown = json({"outbox", "show", "1"});
    BOOST_TEST(shown["payload"]["text"] == "ok");
    BOOST_TEST_REQUIRE(shown["deliveries"].size() == 1u);
    BOOST_TEST(shown["deliveries"][0]["request_id"] == "req-1");
    BOOST_TEST(shown["deliveries"][0]["http_status"] == 200);
    BOOST_TEST(run({"outbox", "show", "99"}) == 1);
    BOOST_TEST(err.str() == "musubictl: no outbox row #99\n");
    BOOST_TEST(run({"outbox", "show", "abc"}) == 2);
}

BOOST_FIXTURE_TEST_CASE(outbox_failed_counts_reasons_since_a_time, Installation) {
    BOOST_TEST(run({"outbox", "failed"}) == 0, err.str());
    const auto text = lines();
    BOOST_TEST_REQUIRE(text.size() >= 4u, out.str());
    BOOST_TEST(text[0].rfind("3 failed messages since ", 0) == 0);
    BOOST_TEST(text[0].find("(last 1d)") != std::string::npos);
    BOOST_TEST(text[1] == "by reason:");
    BOOST_TEST(text[2] == "  2  " + std::string(k_refused));
    BOOST_TEST(text[3] == "  1  template x: missing");
    const auto recent = json({"outbox", "failed", "--since", "90m"});
    BOOST_TEST(recent["failed"] == 1);
    BOOST_TEST(recent["rows"][0]["id"] == 2);
    BOOST_TEST(run({"outbox", "failed", "--since", "yesterday"}) == 2);
}

BOOST_FIXTURE_TEST_CASE(retry_writes_a_new_row_with_a_new_key_and_keeps_the_old, Installation) {
    BOOST_TEST(run({"outbox", "retry", "2"}) == 0, err.str());
    const std::string new_key = outbox::derive_retry_key("key-2:retry:1");
    BOOST_TEST(lines().at(0) ==
               "retried outbox #2 as #8 (pending, new retry key " + new_key + "); #2 stays failed");
    BOOST_TEST(query("SELECT retry_key || ' ' || state || ' ' || friend_id || ' ' || retry_of || "
                     "' ' || scenario || ' ' || payload FROM outbox WHERE id = 8") ==
               new_key + " pending 1 2 order-thanks []");
    BOOST_TEST(query("SELECT reason FROM outbox WHERE id = 8") ==
               "retried by operator (musubictl outbox retry 2, was failed)");
    BOOST_TEST(
        query("SELECT state || ' ' || retry_key || ' ' || reason FROM outbox WHERE id = 2") ==
        "failed key-2 " + std::string(k_refused));

    // Once per row: a second retry would send it twice.
    BOOST_TEST(run({"outbox", "retry", "2"}) == 1);
    BOOST_TEST(err.str() == "musubictl: #2 was retried before as #8 (pending); if that one "
                            "failed too, retry #8 instead\n");
    BOOST_TEST(query("SELECT count(*) FROM outbox") == "8");
}

BOOST_FIXTURE_TEST_CASE(retry_refuses_what_was_sent_or_is_still_pending, Installation) {
    BOOST_TEST(run({"outbox", "retry", "1"}) == 1);
    BOOST_TEST(err.str() == "musubictl: #1 was sent at " + ctl::jst_time(k_t0) +
                                "; retrying would send it twice\n");
    BOOST_TEST(run({"outbox", "retry", "4"}) == 1);
    BOOST_TEST(err.str() == "musubictl: #4 is pending (due " + ctl::jst_time(now + k_hour) +
                                "): musubid still sends it; retrying now would send it twice\n");
    BOOST_TEST(run({"outbox", "retry", "5"}) == 1);
    BOOST_TEST(said("was skipped because the friend blocked the shop's account, and they still "
                    "do"));
    BOOST_TEST(run({"outbox", "retry", "99"}) == 1);
    BOOST_TEST(query("SELECT count(*) FROM outbox") == "7");

    // An expired row may be retried, with a warning that it may have arrived.
    const auto retried = json({"outbox", "retry", "6"});
    BOOST_TEST(retried["retry"]["retry_of"] == 6);
    BOOST_TEST(retried["may_have_been_delivered"] == true);
    // A skipped row of a friend who follows again may be retried too.
    exec("UPDATE friends SET state = 'following' WHERE id = 3");
    BOOST_TEST(run({"outbox", "retry", "5"}) == 0, err.str());
    BOOST_TEST(
        query("SELECT count(*) FROM outbox WHERE state = 'pending' AND retry_of IN (5, 6)") == "2");
}

BOOST_FIXTURE_TEST_CASE(friend_show_masks_personal_data, Installation) {
    BOOST_TEST(run({"friend", "show", k_user}) == 0, err.str());
    const auto text = lines();
    BOOST_TEST_REQUIRE(text.size() >= 9u, out.str());
    BOOST_TEST(text[0] == "friend " + std::string(k_user) + " (#1)");
    BOOST_TEST(text[1] == "  name:        山*** (masked)");
    BOOST_TEST(text[2] ==
               "  state:       following (followed " + ctl::jst_time(k_t0) + ", blocked -)");
    BOOST_TEST(text[3] == "  tags:        vip");
    BOOST_TEST(text[4] == "  inflow:      qr-shop");
    BOOST_TEST(text[5] == "  link:        chat since " + ctl::jst_time(k_t0) +
                              " (link #1, buyer #1, given name H*****)");
    BOOST_TEST(text[6] ==
               "  orders:      3, 8,400円 in total, last 123456-20251103-0000000003 on " +
                   ctl::jst_time(k_t0 - k_hour));
    BOOST_TEST(text[8] == "    order-thanks  step thanks  active  next " +
                              ctl::jst_time(k_t0 + k_hour) + "  (123456-20251102-0000000002)");
    for (const char* secret : {"山田", "Hanako", "secret-hash"}) {
        BOOST_TEST(!said(secret), secret);
    }
    const auto shown = json({"friend", "show", k_user});
    BOOST_TEST(shown["display_name"] == "山***");
    BOOST_TEST(shown["link"]["given_name"] == "H*****");
    BOOST_TEST(shown["link"]["total_spent"] == 8400);
    BOOST_TEST(shown["recent_messages"].size() == 3u);
    for (const char* secret : {"山田", "Hanako", "secret-hash"}) {
        BOOST_TEST(!said(secret), secret);
    }
    BOOST_TEST(run({"friend", "show", "Unobody"}) == 1);
}

BOOST_FIXTURE_TEST_CASE(link_writes_the_same_fact_as_a_chat_link, Installation) {
    BOOST_TEST(run({"link", k_user2, "123456-20251104-0000000004"}) == 0, err.str());
    BOOST_TEST(out.str() == "linked " + std::string(k_user2) +
                                " to the buyer of order 123456-20251104-0000000004 (link #2, "
                                "method cli); scenarios on friend.linked run as for a chat link\n");
    BOOST_TEST(query("SELECT buyer_id || ' ' || method FROM links WHERE friend_id = 2 AND "
                     "unlinked_at IS NULL") == "2 cli");
    BOOST_TEST(query("SELECT subject || ' ' || (payload ->> 'method') || ' ' || (payload ->> "
                     "'order_number') FROM facts WHERE kind = 'friend.linked' AND friend_id = 2") ==
               "2 cli 123456-20251104-0000000004");
    BOOST_TEST(run({"link", k_user2, "123456-20251104-0000000004"}) == 0);
    BOOST_TEST(said("is already linked to the buyer of order"));

    // The buyer of order …0001 is friend 1's: refused, nothing changed.
    BOOST_TEST(run({"link", k_user3, "123456-20251101-0000000001"}) == 1);
    BOOST_TEST(said("is linked to another friend (#1); unlink that friend first"));
    BOOST_TEST(run({"link", k_user3, "999999-20251101-0000000009"}) == 1);
    BOOST_TEST(said("no order 999999-20251101-0000000009 with a buyer in the store"));
    BOOST_TEST(query("SELECT count(*) FROM links") == "2");
    BOOST_TEST(query("SELECT count(*) FROM facts WHERE kind = 'friend.linked'") == "1");
}

BOOST_FIXTURE_TEST_CASE(unlink_ends_the_link_and_keeps_it_as_history, Installation) {
    BOOST_TEST_REQUIRE(run({"unlink", k_user}) == 0, err.str());
    BOOST_TEST(out.str() == std::string("unlinked ") + k_user + " (the link is kept as history)\n");
    BOOST_TEST(query("SELECT count(*) FROM links WHERE unlinked_at IS NOT NULL") == "1");
    BOOST_TEST(query("SELECT count(*) FROM facts WHERE kind = 'friend.unlinked' AND friend_id = 1 "
                     "AND payload ->> 'method' = 'cli'") == "1");

    BOOST_TEST(run({"unlink", k_user}) == 0);
    BOOST_TEST(out.str() == std::string(k_user) + " was not linked; nothing to do\n");
    BOOST_TEST(run({"unlink", "Unobody"}) == 1);
    BOOST_TEST(err.str().find("no friend with LINE userId Unobody") != std::string::npos);
    BOOST_TEST(run({"unlink"}) == 2);
    BOOST_TEST(err.str().rfind("usage: musubictl unlink <userId>", 0) == 0);
}

BOOST_FIXTURE_TEST_CASE(test_send_writes_one_push_row, Installation) {
    BOOST_TEST(run({"test-send", k_user2, "--text", "テスト送信です", "--wait", "0"}) == 0,
               err.str());
    BOOST_TEST(lines().at(0) == "queued test message as outbox #8 for " + std::string(k_user2));
    BOOST_TEST(
        query("SELECT friend_id || ' ' || kind || ' ' || state || ' ' || scenario || ' ' "
              "|| step || ' ' || payload FROM outbox WHERE id = 8") ==
        "2 push pending musubictl test-send [{\"text\":\"テスト送信です\",\"type\":\"text\"}]");
    const auto templated = json({"test-send", k_user2, "--template", "hello", "--wait", "0"});
    BOOST_TEST(templated["payload"][0]["text"] == "テスト商店からのテストです");
    BOOST_TEST(templated["retry_key"] != query("SELECT retry_key FROM outbox WHERE id = 8"));

    BOOST_TEST(run({"test-send", k_user3, "--text", "x"}) == 1);
    BOOST_TEST(said("blocks the shop's account"));
    BOOST_TEST(run({"test-send", k_user2}) == 2);
    BOOST_TEST(run({"test-send", k_user2, "--text", "x", "--template", "hello"}) == 2);
    BOOST_TEST(run({"test-send", k_user2, "--template", "nosuch", "--wait", "0"}) == 1);
    BOOST_TEST(query("SELECT count(*) FROM outbox WHERE scenario = 'musubictl'") == "2");
}

BOOST_FIXTURE_TEST_CASE(test_send_without_musubid_says_it_is_still_pending, Installation) {
    BOOST_TEST(run({"test-send", k_user2, "--text", "x", "--wait", "1"}) == 1);
    BOOST_TEST(lines().at(1).rfind("still pending after 1 s: is musubid running", 0) == 0);
}

BOOST_FIXTURE_TEST_CASE(config_check_reports_like_musubid, Installation) {
    BOOST_TEST(run({"config", "check"}) == 0, err.str());
    BOOST_TEST(out.str() ==
               "OK: " + (dir / "musubi.yaml").string() + " (shop test-shop, 1 scenario)\n");
    dir.write("musubi.yaml", std::string(k_config) + "bogus: 1\n");
    BOOST_TEST(run({"config", "check"}) == 3);
    BOOST_TEST(said("1 error in the configuration; nothing was changed or started\n"));
    BOOST_TEST(said((dir / "musubi.yaml").string() + ":17:1: "));
    // Every other command stops at an invalid configuration with 3, too.
    BOOST_TEST(run({"status"}) == 3);
    const auto checked = json({"config", "check"}, 3);
    BOOST_TEST(checked["valid"] == false);
    BOOST_TEST(checked["errors"].size() == 1u);
}

BOOST_FIXTURE_TEST_CASE(a_missing_store_is_exit_4_and_is_not_created, Installation) {
    std::filesystem::remove_all(dir / "data");
    BOOST_TEST(run({"status"}) == 4);
    BOOST_TEST(said("no store at "));
    BOOST_TEST(!std::filesystem::exists(dir / "data/musubi.db"));
    const auto failed = json({"outbox", "list"}, 4);
    BOOST_TEST(failed["exit_code"] == 4);
}

BOOST_FIXTURE_TEST_CASE(import_reviews_records_each_review_once, Installation) {
    const auto csv = dir.write(
        "reviews.csv",
        "レビュータイプ,商品名,レビュー詳細URL,評価,投稿時間,タイトル,レビュー本文,フラグ,注文番号,"
        "未対応フラグ\r\n"
        "商品レビュー,煎茶,https://review.rakuten.co.jp/item/1/123456_1001/abcd-efgh-ijkl/,5,"
        "2026/11/22 8:12:37,おいしい,\"また買います\",0,123456-20261120-0000000001,1\r\n");
    BOOST_TEST_REQUIRE(run({"import-reviews", csv.string()}) == 0, err.str());
    BOOST_TEST(query("SELECT count(*) FROM facts WHERE kind = 'review.posted' AND subject = "
                     "'123456-20261120-0000000001'") == "1");
    BOOST_TEST_REQUIRE(run({"import-reviews", csv.string()}) == 0, err.str());
    BOOST_TEST(query("SELECT count(*) FROM facts WHERE kind = 'review.posted'") == "1");
}

BOOST_AUTO_TEST_SUITE_END()
