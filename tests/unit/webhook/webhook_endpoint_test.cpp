// The LINE webhook endpoint on a real loopback server with a real SQLite store: what it
// answers LINE for each kind of request, and what ends up in webhook_events. (The signature
// test vector itself is in tests/unit/connectors/line/webhook_signature_test.cpp; here it is
// sent over HTTP.)

#include <atomic>
#include <optional>
#include <sstream>
#include <thread>

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/sinks/ostream_sink.h>

#include "connectors/line/webhook_signature.hpp"
#include "daemon/store/sqlite/sqlite_store.hpp"
#include "daemon/webhook/webhook_endpoint.hpp"
#include "support/temp_dir.hpp"

using namespace musubi;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

// From shared/platform/line-messaging.md.
constexpr const char* k_secret = "8c570fa6dd201bb328f1c1eac23a96d8";
constexpr const char* k_verify_body =
    R"({"destination":"U8e742f61d673b39c7fff3cecb7536ef0","events":[]})";
constexpr const char* k_verify_signature = "GhRKmvmHys4Pi8DxkF4+EayaH0OqtJtaZxgTD9fMDLs=";

struct Answer {
    int status = 0;
    std::string body;
    std::string allow;
};

json text_event(const std::string& id, std::int64_t timestamp, const std::string& text = "hi") {
    return {{"type", "message"},
            {"mode", "active"},
            {"timestamp", timestamp},
            {"source", {{"type", "user"}, {"userId", "U0123456789abcdef0123456789abcdef"}}},
            {"webhookEventId", id},
            {"deliveryContext", {{"isRedelivery", false}}},
            {"replyToken", "token-" + id},
            {"message", {{"type", "text"}, {"id", "1"}, {"text", text}}}};
}

std::string body_of(const std::vector<json>& events) {
    return json{{"destination", "U8e742f61d673b39c7fff3cecb7536ef0"}, {"events", events}}.dump();
}

struct Fixture {
    test::TempDir dir;
    std::unique_ptr<store::sqlite::SqliteStore> store;
    std::optional<webhook::WebhookEndpoint> endpoint;
    std::optional<http::WebServer> server;
    std::atomic<int> woken = 0;

    explicit Fixture(std::size_t max_body = 1 << 20, store::WebhookInbox* inbox = nullptr) {
        auto opened = store::sqlite::SqliteStore::open(dir / "musubi.db", 2000ms);
        BOOST_REQUIRE(opened.has_value());
        store = std::move(*opened);
        webhook::EndpointOptions options;
        options.path = "/webhook/line";
        options.max_body_bytes = max_body;
        options.channel_secret = k_secret;
        endpoint.emplace(inbox != nullptr ? *inbox : store->webhook_inbox(), options);
        endpoint->on_received([this] { ++woken; });
        server.emplace(config::ListenAddress{"127.0.0.1", 0}, "webhook");
        endpoint->add_to(*server);
        BOOST_REQUIRE(server->start().has_value());
    }

    Answer request(const std::string& method, const std::string& body,
                   const std::optional<std::string>& signature,
                   const std::string& content_type = "application/json; charset=utf-8") const {
        Poco::Net::HTTPClientSession session("127.0.0.1",
                                             static_cast<Poco::UInt16>(server->port()));
        Poco::Net::HTTPRequest request(method, "/webhook/line", Poco::Net::HTTPMessage::HTTP_1_1);
        request.setContentType(content_type);
        request.setContentLength64(static_cast<Poco::Int64>(body.size()));
        if (signature) {
            request.set("X-Line-Signature", *signature);
        }
        session.sendRequest(request) << body;
        Poco::Net::HTTPResponse response;
        std::istream& in = session.receiveResponse(response);
        std::stringstream text;
        text << in.rdbuf();
        return {static_cast<int>(response.getStatus()), text.str(), response.get("Allow", "")};
    }
    Answer post(const std::string& body) const {
        return request("POST", body, line::webhook_signature(k_secret, body));
    }

    std::vector<std::string> column(const std::string& sql) const {
        auto db = store::sqlite::Database::open(dir / "musubi.db");
        BOOST_REQUIRE(db);
        auto statement = db->prepare(sql);
        BOOST_REQUIRE(statement);
        std::vector<std::string> values;
        while (*statement->step()) {
            values.push_back(statement->column_text(0));
        }
        return values;
    }
    std::vector<std::string> stored_ids() const {
        return column("SELECT event_id FROM webhook_events ORDER BY event_id");
    }
};

// Captures log lines for one test.
struct CapturedLog {
    std::ostringstream lines;
    CapturedLog() {
        config::LogConfig settings;
        settings.timestamps = config::Timestamps::never;
        settings.level = config::LogLevel::debug;
        log::setup(settings, {std::make_shared<spdlog::sinks::ostream_sink_mt>(lines)});
    }
    ~CapturedLog() { log::setup(config::LogConfig{}); }
};

// The signature refusal lines, from "event=" up to the action (the same in every line).
std::vector<std::string> refusal_lines(const std::string& text) {
    std::istringstream lines(text);
    std::vector<std::string> found;
    for (std::string line; std::getline(lines, line);) {
        const auto event = line.find("event=webhook.signature_refused");
        if (event != std::string::npos) {
            found.push_back(line.substr(event, line.find(" action=") - event));
        }
    }
    return found;
}

class FailingInbox final : public store::WebhookInbox {
public:
    tl::expected<std::size_t, store::StoreError>
    receive(const std::vector<store::InboundEvent>&) override {
        return tl::unexpected(store::StoreError{"database is locked", "try again"});
    }
    tl::expected<std::vector<store::InboundEvent>, store::StoreError>
    pending(std::size_t) override {
        return {};
    }
    tl::expected<std::int64_t, store::StoreError> count_pending() override { return 0; }
};

} // namespace

BOOST_AUTO_TEST_SUITE(webhook_endpoint)

BOOST_AUTO_TEST_CASE(lines_connection_check_with_the_contract_signature_is_200) {
    Fixture f;
    const auto answer = f.request("POST", k_verify_body, k_verify_signature);
    BOOST_TEST(answer.status == 200);
    BOOST_TEST(answer.body == "{}");
    BOOST_TEST(f.stored_ids().empty());
    BOOST_TEST(f.woken == 0);
}

BOOST_AUTO_TEST_CASE(events_are_stored_before_the_200_and_the_processor_is_woken) {
    Fixture f;
    const auto answer = f.post(body_of({text_event("01A", 1000), text_event("01B", 900)}));
    BOOST_TEST(answer.status == 200);
    BOOST_TEST(answer.body == "{}");
    BOOST_TEST(f.stored_ids() == (std::vector<std::string>{"01A", "01B"}));
    BOOST_TEST(f.column("SELECT occurred_at FROM webhook_events WHERE event_id = '01B'").at(0) ==
               "900");
    const auto stored =
        json::parse(f.column("SELECT body FROM webhook_events WHERE event_id = '01A'").at(0));
    BOOST_TEST(stored == text_event("01A", 1000));
    BOOST_TEST(f.woken == 1);
}

BOOST_AUTO_TEST_CASE(forged_and_missing_signatures_are_401_and_store_nothing) {
    Fixture f;
    const auto body = body_of({text_event("01A", 1000)});
    const auto forged = f.request("POST", body, line::webhook_signature("another-secret", body));
    BOOST_TEST(forged.status == 401);
    BOOST_TEST(forged.body == R"({"message":"invalid signature"})");
    BOOST_TEST(f.request("POST", body, std::nullopt).status == 401);
    BOOST_TEST(f.request("POST", body, "").status == 401);
    // Signed body, then one byte changed: the signature covers the raw bytes.
    std::string changed = body;
    changed.replace(changed.find("hi"), 2, "ho");
    BOOST_TEST(f.request("POST", changed, line::webhook_signature(k_secret, body)).status == 401);
    BOOST_TEST(f.stored_ids().empty());
    BOOST_TEST(f.endpoint->counts().signatures_refused == 4);
    BOOST_TEST(f.woken == 0);
}

BOOST_AUTO_TEST_CASE(refusals_are_logged_once_per_interval_without_contents) {
    CapturedLog captured;
    Fixture f;
    const auto body = body_of({text_event("01A", 1000, "secret order text")});
    for (int i = 0; i < 5; ++i) {
        f.request("POST", body, "Zm9yZ2VkIHNpZ25hdHVyZQ==");
    }
    BOOST_TEST(refusal_lines(captured.lines.str()) ==
               (std::vector<std::string>{
                   "event=webhook.signature_refused refused=1 without_signature=0 total=1"}));
    f.endpoint->flush_log();
    BOOST_TEST(refusal_lines(captured.lines.str()).size() == 2u);
    BOOST_TEST(refusal_lines(captured.lines.str()).at(1) ==
               "event=webhook.signature_refused refused=4 without_signature=0 total=5");
    BOOST_TEST(captured.lines.str().find("secret order text") == std::string::npos);
    BOOST_TEST(captured.lines.str().find("Zm9yZ2Vk") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(the_refusal_log_reports_the_count_since_its_last_line) {
    CapturedLog captured;
    auto now = std::chrono::steady_clock::time_point{};
    webhook::RefusalLog refusals(10s, [&] { return now; });
    refusals.refused(false); // first: logged at once
    now += 4s;
    refusals.refused(true);
    refusals.refused(false);
    now += 6s; // 10 s after the first line
    refusals.refused(false);
    refusals.refused(false);
    BOOST_TEST(refusal_lines(captured.lines.str()) ==
               (std::vector<std::string>{
                   "event=webhook.signature_refused refused=1 without_signature=0 total=1",
                   "event=webhook.signature_refused refused=3 without_signature=1 total=4"}));
    BOOST_TEST(refusals.total() == 5);
}

BOOST_AUTO_TEST_CASE(a_body_over_the_limit_is_413_and_not_stored) {
    Fixture f(1024);
    std::vector<json> events;
    for (int i = 0; i < 10; ++i) {
        events.push_back(text_event("01E" + std::to_string(i), 1000));
    }
    const auto body = body_of(events);
    BOOST_REQUIRE(body.size() > 1024);
    BOOST_TEST(f.post(body).status == 413);
    BOOST_TEST(f.stored_ids().empty());
    BOOST_TEST(f.post(body_of({text_event("01A", 1000)})).status == 200);
}

BOOST_AUTO_TEST_CASE(other_methods_are_405) {
    Fixture f;
    const auto answer = f.request("GET", "", std::nullopt);
    BOOST_TEST(answer.status == 405);
    BOOST_TEST(answer.allow == "POST");
    BOOST_TEST(
        f.request("PUT", body_of({}), line::webhook_signature(k_secret, body_of({}))).status ==
        405);
}

BOOST_AUTO_TEST_CASE(a_signed_body_that_is_not_json_content_is_415) {
    Fixture f;
    const auto body = body_of({text_event("01A", 1000)});
    const auto answer =
        f.request("POST", body, line::webhook_signature(k_secret, body), "text/plain");
    BOOST_TEST(answer.status == 415);
    BOOST_TEST(f.stored_ids().empty());
    // A forged one is refused for its signature first: nothing is told without the secret.
    BOOST_TEST(f.request("POST", body, "Zm9yZ2Vk", "text/plain").status == 401);
}

BOOST_AUTO_TEST_CASE(malformed_signed_bodies_are_400_and_store_nothing) {
    Fixture f;
    const auto not_json = f.post("{\"events\": [");
    BOOST_TEST(not_json.status == 400);
    BOOST_TEST(not_json.body == R"({"message":"the body is not valid JSON"})");
    BOOST_TEST(f.post(R"({"destination":"U1","events":{}})").body ==
               R"({"message":"'events' is missing or not an array"})");
    json no_id = text_event("01B", 1000);
    no_id.erase("webhookEventId");
    BOOST_TEST(f.post(body_of({text_event("01A", 1000), no_id})).body ==
               R"({"message":"events[1] has no webhookEventId"})");
    json text_time = text_event("01C", 1000);
    text_time["timestamp"] = "1000";
    BOOST_TEST(f.post(body_of({text_time})).body ==
               R"({"message":"events[0] has no integer timestamp"})");
    BOOST_TEST(f.stored_ids().empty());
    BOOST_TEST(f.endpoint->counts().bodies_refused == 4);
}

BOOST_AUTO_TEST_CASE(duplicates_are_stored_once) {
    Fixture f;
    const auto first = body_of({text_event("01A", 1000), text_event("01B", 1001)});
    BOOST_TEST(f.post(first).status == 200);
    BOOST_TEST(f.post(first).status == 200); // the same body again
    json redelivered = text_event("01B", 1001);
    redelivered["deliveryContext"]["isRedelivery"] = true;
    // The same event in another body, and twice in one body.
    BOOST_TEST(
        f.post(body_of({redelivered, text_event("01C", 1002), text_event("01C", 1002)})).status ==
        200);
    BOOST_TEST(f.stored_ids() == (std::vector<std::string>{"01A", "01B", "01C"}));
    // The first copy is the one kept.
    BOOST_TEST(json::parse(f.column("SELECT body FROM webhook_events WHERE event_id = '01B'")
                               .at(0))["deliveryContext"]["isRedelivery"] == false);
    const auto counts = f.endpoint->counts();
    BOOST_TEST(counts.bodies_accepted == 3);
    BOOST_TEST(counts.events_new == 3);
    BOOST_TEST(counts.events_duplicate == 4);
    BOOST_TEST(f.woken == 2); // not for the body of duplicates only
}

BOOST_AUTO_TEST_CASE(concurrent_bodies_are_all_stored_once_whatever_their_grouping) {
    Fixture f;
    constexpr int k_connections = 6;
    constexpr int k_bodies = 40;
    std::vector<std::thread> clients;
    std::atomic<int> answered_200 = 0;
    for (int c = 0; c < k_connections; ++c) {
        clients.emplace_back([&, c] {
            for (int b = 0; b < k_bodies; ++b) {
                const auto id = "01C" + std::to_string(c) + "-" + std::to_string(b);
                // Every body also carries one event every other body carries.
                if (f.post(body_of({text_event(id, 1000 + b), text_event("01SHARED", 999)}))
                        .status == 200) {
                    ++answered_200;
                }
            }
        });
    }
    for (auto& client : clients) {
        client.join();
    }
    BOOST_TEST(answered_200.load() == k_connections * k_bodies);
    const auto rows = f.stored_ids();
    BOOST_TEST(rows.size() == static_cast<std::size_t>(k_connections * k_bodies + 1));
    const auto counts = f.endpoint->counts();
    BOOST_TEST(counts.events_new == static_cast<std::int64_t>(rows.size()));
    BOOST_TEST(counts.events_new + counts.events_duplicate == 2 * k_connections * k_bodies);
    BOOST_TEST(counts.bodies_accepted == k_connections * k_bodies);
}

BOOST_AUTO_TEST_CASE(a_store_failure_is_500_so_that_line_redelivers) {
    FailingInbox failing;
    Fixture f(1 << 20, &failing);
    const auto answer = f.post(body_of({text_event("01A", 1000)}));
    BOOST_TEST(answer.status == 500);
    BOOST_TEST(f.endpoint->counts().store_failures == 1);
    BOOST_TEST(f.woken == 0);
}

BOOST_AUTO_TEST_CASE(a_reloaded_secret_applies_to_the_next_request) {
    Fixture f;
    const auto body = body_of({text_event("01A", 1000)});
    f.endpoint->set_channel_secret("a-new-channel-secret");
    BOOST_TEST(f.post(body).status == 401);
    BOOST_TEST(
        f.request("POST", body, line::webhook_signature("a-new-channel-secret", body)).status ==
        200);
}

// --- The destination check (issue 17)
BOOST_AUTO_TEST_CASE(a_body_for_another_bot_is_403_logged_and_not_stored) {
    CapturedLog captured;
    Fixture f;
    // Until the bot's user ID is known the check is off.
    BOOST_TEST(f.post(json{{"destination", "U11111111111111111111111111111111"},
                           {"events", {text_event("01A", 1000)}}}
                          .dump())
                   .status == 200);
    f.endpoint->set_bot_user_id("U8e742f61d673b39c7fff3cecb7536ef0");
    const auto other = f.post(json{{"destination", "U11111111111111111111111111111111"},
                                   {"events", {text_event("01B", 1000, "電話 0901234")}}}
                                  .dump());
    BOOST_TEST(other.status == 403);
    BOOST_TEST(other.body == R"({"message":"the body's destination is not this channel's bot"})");
    const auto none = f.post(json{{"events", {text_event("01C", 1000)}}}.dump());
    BOOST_TEST(none.status == 403);
    BOOST_TEST(f.post(body_of({text_event("01D", 1000)})).status == 200);
    BOOST_TEST(f.stored_ids() == (std::vector<std::string>{"01A", "01D"}));
    BOOST_TEST(f.endpoint->counts().destinations_refused == 2);
    const auto lines = captured.lines.str();
    BOOST_TEST(lines.find("event=webhook.destination_refused") != std::string::npos);
    BOOST_TEST(lines.find("destination=U11111111111111111111111111111111") != std::string::npos);
    BOOST_TEST(lines.find("0901234") == std::string::npos); // no contents in the log
}

BOOST_AUTO_TEST_SUITE_END()
