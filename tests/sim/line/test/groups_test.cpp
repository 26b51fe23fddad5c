// Groups and rooms with friends in them, the other webhook event types, the bot's own info and
// leaving a chat (webhook.yml, messaging-api.yml).

#include <boost/test/unit_test.hpp>

#include "support.hpp"

using namespace musubi::sim::line::test;
using nlohmann::json;

namespace {

Sim unreachable_webhook() {
    return Sim(
        std::string("line:\n  webhook_url: http://127.0.0.1:9/\n  friends:\n    - {userId: ") +
        k_user + "}\n    - {userId: " + k_other + "}\n");
}

json ok(const musubi::sim::Response& response) {
    BOOST_REQUIRE_MESSAGE(response.status == 200, response.body);
    return body_of(response);
}

} // namespace

BOOST_AUTO_TEST_SUITE(line_groups)

BOOST_AUTO_TEST_CASE(a_group_with_friends_sends_group_sourced_events_and_replies_go_there) {
    auto sim = unreachable_webhook();
    auto made = ok(sim.control("POST", "/chats", {{"members", {k_user, k_other}}}));
    const std::string group = made["chatId"];
    BOOST_TEST(group.size() == 33u);
    BOOST_TEST(group[0] == 'C');
    BOOST_TEST(made["event"]["type"] == "join");
    BOOST_TEST(made["event"]["source"] == json({{"type", "group"}, {"groupId", group}}));
    BOOST_TEST(made["event"].contains("replyToken"));

    auto written =
        ok(sim.control("POST", "/chats/" + group + "/text",
                       {{"userId", k_user}, {"text", "注文番号 123456-20261122-0000000001"}}));
    const auto& event = written["event"];
    BOOST_TEST(event["source"] ==
               json({{"type", "group"}, {"groupId", group}, {"userId", k_user}}));
    BOOST_TEST(event["message"]["type"] == "text");
    const std::string token = event["replyToken"];
    auto replied =
        sim.api("POST", "/v2/bot/message/reply",
                {{"replyToken", token}, {"messages", json::array({text("営業時間は10時から")})}});
    BOOST_TEST(replied.status == 200);
    auto chat = ok(sim.control("GET", "/chats"))["chats"][group];
    BOOST_REQUIRE(chat["deliveries"].size() == 1u);
    BOOST_TEST(chat["deliveries"][0]["endpoint"] == "reply");
    BOOST_TEST(chat["deliveries"][0]["message"]["text"] == "営業時間は10時から");
    BOOST_TEST(sim.ledger(k_user)["deliveries"].empty()); // the group got it, not the writer
    BOOST_TEST(body_of(sim.call("GET", "/_sim/line/ledger"))["chats"][group]["deliveries"].size() ==
               1u);
    // A push to the group's id is recorded there too, for tests that must show none.
    BOOST_TEST(sim.push(group, json::array({text("x")})).status == 200);
    BOOST_TEST(ok(sim.control("GET", "/chats"))["chats"][group]["deliveries"][1]["endpoint"] ==
               "push");
    // Only members write; a stranger is refused.
    BOOST_TEST(sim.control("POST", "/chats/" + group + "/text",
                           {{"userId", "U2222222222abcdef0123456789abcdef"}, {"text", "x"}})
                   .status == 400);
}

BOOST_AUTO_TEST_CASE(rooms_members_unsend_and_leave_events_have_their_schema_fields) {
    auto sim = unreachable_webhook();
    const std::string room =
        ok(sim.control("POST", "/chats", {{"type", "room"}, {"members", {k_user}}}))["chatId"];
    BOOST_TEST(room[0] == 'R');
    auto joined = ok(sim.control("POST", "/chats/" + room + "/member_joined",
                                 {{"userIds", {k_other}}}))["event"];
    BOOST_TEST(joined["type"] == "memberJoined");
    BOOST_TEST(joined["source"] == json({{"type", "room"}, {"roomId", room}}));
    BOOST_TEST(joined["joined"]["members"][0] == json({{"type", "user"}, {"userId", k_other}}));
    BOOST_TEST(joined.contains("replyToken"));
    auto unsend =
        ok(sim.control("POST", "/chats/" + room + "/unsend",
                       {{"userId", k_other}, {"messageId", "600000000000000001"}}))["event"];
    BOOST_TEST(unsend["unsend"]["messageId"] == "600000000000000001");
    BOOST_TEST(!unsend.contains("replyToken"));
    auto left = ok(
        sim.control("POST", "/chats/" + room + "/member_left", {{"userIds", {k_other}}}))["event"];
    BOOST_TEST(left["type"] == "memberLeft");
    BOOST_TEST(!left.contains("replyToken"));
    auto removed = ok(sim.control("POST", "/chats/" + room + "/leave"))["event"];
    BOOST_TEST(removed["type"] == "leave");
    BOOST_TEST(sim.control("POST", "/chats/" + room + "/text", {{"userId", k_user}, {"text", "x"}})
                   .status == 409); // the account is no longer there
    auto standby = ok(sim.control("POST", "/friends/" + std::string(k_user) + "/unsend",
                                  {{"messageId", "1"}, {"mode", "standby"}}))["event"];
    BOOST_TEST(standby["type"] == "unsend");
    BOOST_TEST(standby["mode"] == "standby");
}

BOOST_AUTO_TEST_CASE(any_event_type_is_completed_with_the_common_fields) {
    auto sim = unreachable_webhook();
    auto beacon =
        ok(sim.control("POST", "/events",
                       {{"event",
                         {{"type", "beacon"},
                          {"source", {{"type", "user"}, {"userId", k_user}}},
                          {"beacon", {{"hwid", "d41d8cd98f"}, {"type", "enter"}}}}}}))["event"];
    BOOST_TEST(beacon["mode"] == "active");
    BOOST_TEST(beacon["deliveryContext"] == json({{"isRedelivery", false}}));
    BOOST_TEST(beacon.contains("webhookEventId"));
    BOOST_TEST(beacon.contains("replyToken"));
    auto suspended = ok(sim.control(
        "POST", "/events", {{"event", {{"type", "botSuspended"}}}, {"mode", "standby"}}))["event"];
    BOOST_TEST(!suspended.contains("replyToken"));
    BOOST_TEST(suspended["mode"] == "standby");
    BOOST_TEST(sim.control("POST", "/events", {{"event", {{"no", "type"}}}}).status == 400);
}

BOOST_AUTO_TEST_CASE(the_bot_leaves_a_group_and_reads_its_own_user_id) {
    auto sim = unreachable_webhook();
    const std::string group = ok(sim.control("POST", "/chats", {{"members", {k_user}}}))["chatId"];
    BOOST_TEST(sim.api("POST", "/v2/bot/room/" + group + "/leave", nullptr).status == 404);
    BOOST_TEST(sim.api("POST", "/v2/bot/group/" + group + "/leave", nullptr).status == 200);
    BOOST_TEST(sim.api("POST", "/v2/bot/group/" + group + "/leave", nullptr).status == 404);
    auto chat = ok(sim.control("GET", "/chats"))["chats"][group];
    BOOST_TEST(chat["in_chat"] == false);
    BOOST_TEST(chat["leave_calls"] == 1);

    auto info = sim.api("GET", "/v2/bot/info", nullptr);
    BOOST_TEST(info.status == 200);
    BOOST_TEST(body_of(info)["userId"] == "U8e742f61d673b39c7fff3cecb7536ef0");
    ok(sim.control("POST", "/bot_info", {{"available", false}}));
    BOOST_TEST(sim.api("GET", "/v2/bot/info", nullptr).status == 500);
}

BOOST_AUTO_TEST_CASE(updating_a_missing_alias_is_400_as_the_specification_says) {
    auto sim = unreachable_webhook();
    auto missing =
        sim.api("POST", "/v2/bot/richmenu/alias/nowhere", {{"richMenuId", "richmenu-1"}});
    BOOST_TEST(missing.status == 400);
    BOOST_TEST(body_of(missing) == json({{"message", "richmenu alias not found"}}));
    BOOST_TEST(sim.api("GET", "/v2/bot/richmenu/alias/nowhere", nullptr).status == 404);
}

BOOST_AUTO_TEST_SUITE_END()
