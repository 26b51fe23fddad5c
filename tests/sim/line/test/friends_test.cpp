// Friends' events as built by the control API (their delivery is covered in process_test).

#include <boost/test/unit_test.hpp>

#include "support.hpp"

using namespace musubi::sim::line::test;
using nlohmann::json;

namespace {

// The webhook is unreachable: these tests look at the event the simulator built.
Sim unreachable_webhook() {
    return Sim(
        std::string("line:\n  webhook_url: http://127.0.0.1:9/\n  friends:\n    - {userId: ") +
        k_user + "}\n");
}

json act(Sim& sim, const std::string& user, const std::string& kind,
         const json& body = json::object()) {
    auto response = sim.control("POST", "/friends/" + user + "/" + kind, body);
    BOOST_REQUIRE_MESSAGE(response.status == 200, response.body);
    return body_of(response);
}

} // namespace

BOOST_AUTO_TEST_SUITE(line_friends)

BOOST_AUTO_TEST_CASE(unreachable_webhook_is_reported_not_hidden) {
    auto sim = unreachable_webhook();
    auto answer = act(sim, k_user, "text", {{"text", "こんにちは"}});
    BOOST_TEST(answer["deliveries"][0]["status"] == 0);
    BOOST_TEST(!answer["deliveries"][0]["error"].get<std::string>().empty());
    auto webhooks = body_of(sim.control("GET", "/webhooks"))["webhooks"];
    BOOST_TEST(webhooks.size() == 1u);
    BOOST_TEST(webhooks[0]["attempts"][0]["status"] == 0);
}

BOOST_AUTO_TEST_CASE(follow_unfollow_follow_tracks_blocking) {
    auto sim = unreachable_webhook();
    auto first = act(sim, k_other, "follow", {{"displayName", "佐藤"}});
    BOOST_TEST(first["event"]["follow"]["isUnblocked"] == false);
    BOOST_TEST(sim.ledger(k_other)["displayName"] == "佐藤");
    auto blocked = act(sim, k_other, "unfollow");
    BOOST_TEST(blocked["event"]["type"] == "unfollow");
    BOOST_TEST(!blocked["event"].contains("replyToken"));
    BOOST_TEST(sim.ledger(k_other)["state"] == "blocked");
    BOOST_TEST(sim.api("GET", "/v2/bot/followers/ids", nullptr).body ==
               json({{"userIds", {k_user}}}).dump());
    auto back = act(sim, k_other, "follow");
    BOOST_TEST(back["event"]["follow"]["isUnblocked"] == true);
    BOOST_TEST(sim.ledger(k_other)["state"] == "friend");
}

BOOST_AUTO_TEST_CASE(events_carry_the_contract_fields) {
    auto sim = unreachable_webhook();
    sim.call("POST", "/_sim/clock", R"({"set": "2026-11-22T10:05:06+0900", "speed": 0})");
    auto answer = act(sim, k_user, "postback", {{"data", "action=coupon"}, {"mode", "standby"}});
    auto event = answer["event"];
    BOOST_TEST(event["type"] == "postback");
    BOOST_TEST(event["mode"] == "standby");
    BOOST_TEST(event["timestamp"] == 1795309506000LL);
    BOOST_TEST(event["source"] == json({{"type", "user"}, {"userId", k_user}}));
    BOOST_TEST(event["deliveryContext"] == json({{"isRedelivery", false}}));
    BOOST_TEST(event["webhookEventId"] == answer["webhookEventId"]);
    BOOST_TEST(event["postback"] == json({{"data", "action=coupon"}}));
    auto older = act(sim, k_user, "text", {{"text", "x"}, {"timestamp_offset_ms", -5000}});
    BOOST_TEST(older["event"]["timestamp"] == 1795309501000LL);
    auto fixed = act(sim, k_user, "text", {{"text", "x"}, {"timestamp", 1700000000000LL}});
    BOOST_TEST(fixed["event"]["timestamp"] == 1700000000000LL);
}

BOOST_AUTO_TEST_CASE(richmenuswitch_tap_reports_whether_the_alias_exists) {
    auto sim = unreachable_webhook();
    auto event = act(sim, k_user, "richmenuswitch",
                     {{"richMenuAliasId", "vip"}, {"data", "to=vip"}})["event"];
    BOOST_TEST(event["postback"] ==
               json({{"data", "to=vip"},
                     {"params",
                      {{"newRichMenuAliasId", "vip"}, {"status", "RICHMENU_ALIAS_ID_NOTFOUND"}}}}));
}

BOOST_AUTO_TEST_CASE(account_link_without_a_token_takes_the_given_result) {
    auto sim = unreachable_webhook();
    auto event = act(sim, k_user, "account_link", {{"nonce", "n"}, {"result", "failed"}})["event"];
    BOOST_TEST(event["link"] == json({{"result", "failed"}, {"nonce", "n"}}));
    BOOST_TEST(!event.contains("replyToken")); // webhook.yml: none when linking failed
    auto ok = act(sim, k_user, "account_link", {{"nonce", "m"}, {"result", "ok"}})["event"];
    BOOST_TEST(ok.contains("replyToken"));
}

BOOST_AUTO_TEST_CASE(bad_friend_actions_are_refused) {
    auto sim = unreachable_webhook();
    BOOST_TEST(sim.control("POST", std::string("/friends/") + k_user + "/dance").status == 404);
    BOOST_TEST(sim.control("POST", "/friends/someone/follow").status == 400);
    BOOST_TEST(sim.control("POST", std::string("/friends/") + k_user + "/text").status == 400);
    BOOST_TEST(sim.control("POST", "/webhooks/01JD0000000000000000000000/redeliver").status == 404);
}

BOOST_AUTO_TEST_CASE(webhook_url_can_be_set_at_run_time) {
    Sim sim;
    BOOST_TEST(sim.control("POST", std::string("/friends/") + k_user + "/follow").status == 409);
    auto set = sim.control("POST", "/config", {{"webhook_url", "http://127.0.0.1:9/hook"}});
    BOOST_TEST(body_of(set) == json({{"webhook_url", "http://127.0.0.1:9/hook"}}));
    BOOST_TEST(sim.control("POST", std::string("/friends/") + k_user + "/follow").status == 200);
    BOOST_TEST(sim.control("POST", "/config", {{"webhook", "x"}}).status == 400);
}

BOOST_AUTO_TEST_SUITE_END()
