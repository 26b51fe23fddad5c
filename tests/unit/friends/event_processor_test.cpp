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
    std::vector<friends::ChatMessage> chat_texts; // what reached the group hook
    std::vector<friends::ChatJoin> joins;
    std::vector<store::NewMessage> chat_answer; // what the group hook answers
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
        hooks.chat_message = [this](const friends::ChatMessage& message) {
            chat_texts.push_back(message);
            return chat_answer;
        };
        hooks.chat_joined = [this](const friends::ChatJoin& join) { joins.push_back(join); };
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

BOOST_FIXTURE_TEST_CASE(standby_messages_are_recorded_but_not_acted_on, Fixture) {
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

// --- Groups, rooms, standby and other events (issue 17)

namespace {

constexpr const char* k_group = "C0123456789abcdef0123456789abcdef";

store::InboundEvent group_event(const std::string& id, const std::string& type, std::int64_t at,
                                nlohmann::json extra = nlohmann::json::object()) {
    auto inbound = event(id, type, at, std::move(extra));
    auto body = nlohmann::json::parse(inbound.body);
    body["source"] = {{"type", "group"}, {"groupId", k_group}, {"userId", k_user}};
    inbound.body = body.dump();
    return inbound;
}

} // namespace

BOOST_FIXTURE_TEST_CASE(a_group_message_makes_no_friend_and_never_reaches_linking, Fixture) {
    receive({group_event(
        "g1", "message", 1000,
        {{"message", {{"type", "text"}, {"id", "m1"}, {"text", "123456-20261122-0000000001"}}}})});
    BOOST_TEST(query("SELECT count(*) FROM friends") == "0");
    BOOST_TEST(query("SELECT count(*) FROM facts") == "0");
    BOOST_TEST(linking_texts.empty());
    BOOST_REQUIRE(chat_texts.size() == 1u);
    BOOST_TEST(chat_texts[0].chat_type == "group");
    BOOST_TEST(chat_texts[0].chat_id == k_group);
    BOOST_TEST(chat_texts[0].reply_token == "rt-g1");
    BOOST_TEST(query("SELECT count(*) FROM webhook_events WHERE processed_at IS NULL") == "0");
}

BOOST_FIXTURE_TEST_CASE(a_group_reply_row_has_no_friend_and_commits_with_the_event, Fixture) {
    store::NewMessage reply;
    reply.retry_key = "00000000-0000-8000-8000-000000000001";
    reply.scenario = "faq";
    reply.step = "answer";
    reply.kind = "reply";
    reply.payload = R"([{"type":"text","text":"営業時間は10時から"}])";
    reply.reply_token = "rt-g1";
    reply.reply_until = 51'000;
    chat_answer = {reply};
    const auto text =
        group_event("g1", "message", 1000,
                    {{"message", {{"type", "text"}, {"id", "m1"}, {"text", "営業時間"}}}});
    receive({text});
    receive({text}); // redelivered: nothing more
    BOOST_TEST(query("SELECT kind || ':' || coalesce(friend_id, 'none') || ':' || reply_token "
                     "FROM outbox") == "reply:none:rt-g1");
    BOOST_TEST(query("SELECT count(*) FROM friends") == "0");
}

BOOST_FIXTURE_TEST_CASE(room_events_and_standby_group_messages_reach_no_hook, Fixture) {
    auto room = event("r1", "message", 1000,
                      {{"source", {{"type", "room"}, {"roomId", "R1"}, {"userId", k_user}}},
                       {"message", {{"type", "text"}, {"id", "m1"}, {"text", "こんにちは"}}}});
    receive({room});
    BOOST_TEST(chat_texts.size() == 1u);
    BOOST_TEST(chat_texts[0].chat_type == "room");
    receive({group_event(
        "g2", "message", 2000,
        {{"mode", "standby"}, {"message", {{"type", "text"}, {"id", "m2"}, {"text", "送料"}}}})});
    BOOST_TEST(chat_texts.size() == 1u);
    BOOST_TEST(query("SELECT count(*) FROM friends") == "0");
}

BOOST_FIXTURE_TEST_CASE(a_join_is_reported_once_and_in_standby_not_at_all, Fixture) {
    auto join = group_event("j1", "join", 1000);
    receive({join});
    receive({join});
    auto standby = group_event("j2", "join", 2000, {{"mode", "standby"}});
    receive({standby});
    BOOST_REQUIRE(joins.size() == 1u);
    BOOST_TEST(joins[0].chat_id == k_group);
    BOOST_TEST(query("SELECT count(*) FROM friends") == "0");
    BOOST_TEST(query("SELECT count(*) FROM webhook_events WHERE processed_at IS NULL") == "0");
}

BOOST_FIXTURE_TEST_CASE(every_other_event_type_is_recorded_and_makes_no_friend, Fixture) {
    const std::vector<std::pair<std::string, nlohmann::json>> others{
        {"videoPlayComplete", {{"videoPlayComplete", {{"trackingId", "t"}}}}},
        {"beacon", {{"beacon", {{"hwid", "d41d8cd98f"}, {"type", "enter"}}}}},
        {"membership", {{"membership", {{"type", "joined"}, {"membershipId", 1}}}}},
        {"memberJoined", {{"joined", {{"members", {{{"type", "user"}, {"userId", k_user}}}}}}}},
        {"memberLeft", {{"left", {{"members", {{{"type", "user"}, {"userId", k_user}}}}}}}},
        {"leave", nlohmann::json::object()},
        {"things", {{"things", {{"deviceId", "t"}, {"type", "link"}}}}},
        {"module", {{"module", {{"type", "attached"}, {"botId", "U1"}, {"scopes", {"a"}}}}}},
        {"activated", {{"chatControl", {{"expireAt", 1}}}}},
        {"deactivated", nlohmann::json::object()},
        {"botSuspended", nlohmann::json::object()},
        {"botResumed", nlohmann::json::object()},
        {"delivery", {{"delivery", {{"data", "x"}}}}},
        {"somethingNew", nlohmann::json::object()}};
    std::vector<store::InboundEvent> events;
    std::int64_t at = 1000;
    for (const auto& [type, extra] : others) {
        events.push_back(event("o" + std::to_string(at), type, at, extra));
        at += 1000;
    }
    receive(events);
    BOOST_TEST(query("SELECT count(*) FROM friends") == "0");
    BOOST_TEST(query("SELECT count(*) FROM facts") == "0");
    BOOST_TEST(query("SELECT count(*) FROM webhook_events WHERE processed_at IS NULL") == "0");
}

BOOST_FIXTURE_TEST_CASE(standby_follow_and_unfollow_change_the_state_but_make_no_fact, Fixture) {
    receive(
        {event("s1", "follow", 1000, {{"mode", "standby"}, {"follow", {{"isUnblocked", false}}}})});
    BOOST_TEST(query("SELECT state || ':' || display_name FROM friends") == "following:花子");
    receive({event("s2", "unfollow", 2000, {{"mode", "standby"}})});
    BOOST_TEST(query("SELECT state FROM friends") == "blocked");
    BOOST_TEST(query("SELECT count(*) FROM facts") == "0");
    receive(
        {event("s3", "postback", 3000, {{"mode", "standby"}, {"postback", {{"data", "a=1"}}}})});
    BOOST_TEST(query("SELECT count(*) FROM facts") == "0");
}

BOOST_FIXTURE_TEST_CASE(unsend_blanks_the_stored_text_and_makes_no_friend, Fixture) {
    // The message is stored and becomes a fact; the unsend blanks both texts.
    receive({event("u1", "message", 1000,
                   {{"message", {{"type", "text"}, {"id", "m77"}, {"text", "電話は090-1234"}}}})});
    BOOST_TEST(query("SELECT json_extract(payload, '$.text') FROM facts") == "電話は090-1234");
    auto unsend = event("u2", "unsend", 2000, {{"unsend", {{"messageId", "m77"}}}});
    auto body = nlohmann::json::parse(unsend.body);
    body.erase("replyToken");
    unsend.body = body.dump();
    receive({unsend});
    BOOST_TEST(query("SELECT json_extract(payload, '$.text') FROM facts") == "");
    BOOST_TEST(query("SELECT json_extract(body, '$.message.text') FROM webhook_events WHERE "
                     "event_id = 'u1'") == "");
    BOOST_TEST(query("SELECT count(*) FROM webhook_events WHERE body LIKE '%090-1234%'") == "0");
    BOOST_TEST(query("SELECT count(*) FROM friends") == "1"); // from the message, not the unsend
    BOOST_TEST(query("SELECT count(*) FROM facts") == "1");
    // An unsend by someone musubi never heard from makes no friend either.
    auto stranger = nlohmann::json::parse(
        event("u3", "unsend", 3000, {{"unsend", {{"messageId", "m78"}}}}).body);
    stranger["source"]["userId"] = "U1111111111abcdef0123456789abcdef";
    receive({{"u3", 3000, stranger.dump()}});
    BOOST_TEST(query("SELECT count(*) FROM friends") == "1");
}

BOOST_FIXTURE_TEST_CASE(a_group_unsend_blanks_the_group_text, Fixture) {
    receive({group_event("g1", "message", 1000,
                         {{"message", {{"type", "text"}, {"id", "m5"}, {"text", "秘密"}}}})});
    receive({group_event("g2", "unsend", 2000, {{"unsend", {{"messageId", "m5"}}}})});
    BOOST_TEST(query("SELECT json_extract(body, '$.message.text') FROM webhook_events WHERE "
                     "event_id = 'g1'") == "");
    BOOST_TEST(query("SELECT count(*) FROM friends") == "0");
}

BOOST_AUTO_TEST_SUITE_END()
