// Stored webhook events become friends rows and facts, in timestamp order, once each.

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "daemon/friends/event_processor.hpp"
#include "daemon/store/sqlite/sqlite_store.hpp"
#include "support/manual_clock.hpp"
#include "support/temp_dir.hpp"

using namespace musubi;

namespace {

constexpr const char* k_user = "U0123456789abcdef0123456789abcdef";

store::InboundEvent event(const std::string& id, const std::string& type, std::int64_t at,
                          nlohmann::json extra = nlohmann::json::object()) {
    nlohmann::json body{{"type", type},         {"mode", "active"},
                        {"timestamp", at},      {"source", {{"type", "user"}, {"userId", k_user}}},
                        {"webhookEventId", id}, {"replyToken", "rt-" + id}};
    body.update(extra);
    return {id, at, body.dump()};
}

struct Fixture {
    test::TempDir dir;
    std::shared_ptr<test::ManualClock> clock =
        std::make_shared<test::ManualClock>(test::jst(0, 10));
    std::unique_ptr<store::sqlite::SqliteStore> store;
    std::vector<std::string> linking_texts;
    bool linking_answers = false;
    int wakes = 0;
    std::unique_ptr<friends::EventProcessor> processor;

    Fixture() {
        auto opened = store::sqlite::SqliteStore::open(dir / "musubi.db",
                                                       std::chrono::milliseconds(2000), clock);
        BOOST_REQUIRE(opened);
        store = std::move(*opened);
        friends::Hooks hooks;
        hooks.chat_linking = [this](const friends::TextMessage& message) {
            linking_texts.push_back(message.text);
            return linking_answers;
        };
        hooks.display_name = [](const std::string&) { return std::optional<std::string>("花子"); };
        hooks.on_facts = [this] { ++wakes; };
        processor = std::make_unique<friends::EventProcessor>(*store, clock, hooks);
    }

    void receive(const std::vector<store::InboundEvent>& events) {
        BOOST_REQUIRE(store->webhook_inbox().receive(events));
        auto done = processor->process_pending(100);
        BOOST_REQUIRE_MESSAGE(done, (done ? "" : done.error().message));
    }

    std::string query(const std::string& sql) {
        auto db = store::sqlite::Database::open(dir / "musubi.db");
        BOOST_REQUIRE(db);
        auto s = db->prepare(sql);
        BOOST_REQUIRE(s);
        std::string out;
        while (*s->step()) {
            out += (out.empty() ? "" : "|") + s->column_text(0);
        }
        return out;
    }
};

} // namespace

BOOST_AUTO_TEST_SUITE(friend_events)

BOOST_FIXTURE_TEST_CASE(events_are_applied_in_timestamp_order_whatever_order_they_came_in,
                        Fixture) {
    // One body with the events out of order: unfollow, message, follow.
    receive({event("e3", "unfollow", 3000),
             event("e2", "message", 2000,
                   {{"message", {{"type", "text"}, {"id", "m1"}, {"text", "こんにちは"}}}}),
             event("e1", "follow", 1000, {{"follow", {{"isUnblocked", false}}}})});
    BOOST_TEST(query("SELECT kind FROM facts ORDER BY id") ==
               "friend.followed|friend.message|friend.unfollowed");
    BOOST_TEST(query("SELECT state || ':' || display_name FROM friends") == "blocked:花子");
    BOOST_TEST(query("SELECT count(*) FROM facts WHERE friend_id IS NULL") == "0");
    BOOST_TEST(query("SELECT count(*) FROM webhook_events WHERE processed_at IS NULL") == "0");
    BOOST_TEST(linking_texts == std::vector<std::string>{"こんにちは"});
    BOOST_TEST(wakes == 1);
    const auto payload =
        nlohmann::json::parse(query("SELECT payload FROM facts WHERE kind = 'friend.message'"));
    BOOST_TEST(payload["text"] == "こんにちは");
    BOOST_TEST(payload["reply_token"] == "rt-e2");
}

BOOST_FIXTURE_TEST_CASE(a_late_older_follow_does_not_undo_a_newer_unfollow, Fixture) {
    receive({event("e1", "follow", 1000), event("e3", "unfollow", 3000)});
    receive({event("e2", "follow", 2000)}); // delivered late
    BOOST_TEST(query("SELECT state FROM friends") == "blocked");
    receive({event("e4", "follow", 4000, {{"follow", {{"isUnblocked", true}}}})});
    BOOST_TEST(query("SELECT state FROM friends") == "following");
    BOOST_TEST(query("SELECT json_extract(payload, '$.unblocked') FROM facts WHERE natural_key = "
                     "'line:event:e4'") == "1");
}

BOOST_FIXTURE_TEST_CASE(a_redelivered_event_is_applied_once, Fixture) {
    receive({event("e1", "follow", 1000)});
    receive({event("e1", "follow", 1000)});
    BOOST_TEST(query("SELECT count(*) FROM facts") == "1");
    BOOST_TEST(query("SELECT count(*) FROM webhook_events") == "1");
}

BOOST_FIXTURE_TEST_CASE(standby_events_are_recorded_but_not_acted_on, Fixture) {
    receive({event("e1", "message", 1000,
                   {{"mode", "standby"}, {"message", {{"type", "text"}, {"text", "送料"}}}})});
    BOOST_TEST(query("SELECT count(*) FROM facts") == "0");
    BOOST_TEST(query("SELECT count(*) FROM friends") == "0");
    BOOST_TEST(linking_texts.empty());
    BOOST_TEST(query("SELECT count(*) FROM webhook_events WHERE processed_at IS NOT NULL") == "1");
}

BOOST_FIXTURE_TEST_CASE(a_message_answered_by_linking_is_no_friend_message_fact, Fixture) {
    linking_answers = true;
    receive({event("e1", "message", 1000,
                   {{"message", {{"type", "text"}, {"text", "123456-20261122-0000000001"}}}})});
    BOOST_TEST(linking_texts.size() == 1u);
    BOOST_TEST(query("SELECT count(*) FROM facts") == "0");
    BOOST_TEST(query("SELECT count(*) FROM friends") == "1"); // known from its first message
    BOOST_TEST(query("SELECT count(*) FROM webhook_events WHERE processed_at IS NULL") == "0");
}

BOOST_FIXTURE_TEST_CASE(postbacks_keep_their_data, Fixture) {
    receive({event("e1", "postback", 1000, {{"postback", {{"data", "reason=price"}}}})});
    BOOST_TEST(query("SELECT kind || ':' || json_extract(payload, '$.data') FROM facts") ==
               "friend.postback:reason=price");
}

BOOST_AUTO_TEST_SUITE_END()
