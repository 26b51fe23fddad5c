// Sending: auth, push/multicast/reply, retry keys, blocked friends, the ledger.

#include <boost/test/unit_test.hpp>

#include "support.hpp"

using namespace musubi::sim::line::test;
using nlohmann::json;

namespace {

constexpr const char* k_key = "123e4567-e89b-12d3-a456-426614174000";
constexpr const char* k_other_key = "123e4567-e89b-12d3-a456-426614174001";

Sim with_friends() {
    return Sim(std::string("line:\n  friends:\n    - {userId: ") + k_user +
               ", displayName: 田中}\n    - {userId: " + k_other + ", displayName: 佐藤}\n");
}

} // namespace

BOOST_AUTO_TEST_SUITE(line_messaging)

BOOST_AUTO_TEST_CASE(missing_or_wrong_token_is_401) {
    Sim sim;
    auto missing = sim.call("POST", "/v2/bot/message/push", "{}");
    BOOST_TEST(missing.status == 401);
    BOOST_TEST(body_of(missing)["message"] ==
               "Authorization header required. Must follow the scheme, 'Authorization: Bearer "
               "<ACCESS TOKEN>'");
    auto wrong = sim.call("POST", "/v2/bot/message/push", "{}", {{"Authorization", "Bearer nope"}});
    BOOST_TEST(wrong.status == 401);
    BOOST_TEST(body_of(wrong)["message"] ==
               "Authentication failed due to the following reason: invalid token. Confirm that "
               "the access token in the authorization header is valid.");
    BOOST_TEST(!header_of(wrong, "X-Line-Request-Id").empty());
}

BOOST_AUTO_TEST_CASE(stateless_token_is_accepted_for_fifteen_minutes) {
    Sim sim;
    auto bad = sim.call("POST", "/oauth2/v3/token",
                        "grant_type=client_credentials&client_id=2000000000&client_secret=x");
    BOOST_TEST(bad.status == 400);
    BOOST_TEST(body_of(bad)["error"] == "invalid_client");
    auto issued = sim.call("POST", "/oauth2/v3/token",
                           "grant_type=client_credentials&client_id=2000000000&client_secret="
                           "8c570fa6dd201bb328f1c1eac23a96d8");
    BOOST_TEST(issued.status == 200);
    auto token = body_of(issued)["access_token"].get<std::string>();
    BOOST_TEST(body_of(issued)["expires_in"] == 900);
    Headers auth{{"Authorization", "Bearer " + token}};
    BOOST_TEST(sim.call("GET", "/v2/bot/message/quota", "", auth).status == 200);
    sim.clock.advance(std::chrono::minutes(16));
    BOOST_TEST(sim.call("GET", "/v2/bot/message/quota", "", auth).status == 401);
}

BOOST_AUTO_TEST_CASE(push_delivers_and_the_ledger_records_it) {
    auto sim = with_friends();
    auto response = sim.push(k_user, {text("ご注文ありがとうございます")}, k_key);
    BOOST_TEST(response.status == 200);
    auto sent = body_of(response)["sentMessages"];
    BOOST_TEST(sent.size() == 1u);
    BOOST_TEST(sent[0]["id"].is_string());
    auto ledger = sim.ledger(k_user);
    BOOST_TEST(ledger["deliveries"].size() == 1u);
    auto delivery = ledger["deliveries"][0];
    BOOST_TEST(delivery["endpoint"] == "push");
    BOOST_TEST(delivery["message"] == text("ご注文ありがとうございます"));
    BOOST_TEST(delivery["retry_key"] == k_key);
    BOOST_TEST(delivery["request_id"] == header_of(response, "X-Line-Request-Id"));
    BOOST_TEST(delivery["message_id"] == sent[0]["id"]);
    BOOST_TEST(delivery["at"].get<std::string>().ends_with("+0900"));
}

BOOST_AUTO_TEST_CASE(repeated_retry_key_is_409_with_the_accepted_request_id) {
    auto sim = with_friends();
    auto first = sim.push(k_user, {text("a")}, k_key);
    auto again = sim.push(k_user, {text("a")}, k_key);
    BOOST_TEST(again.status == 409);
    BOOST_TEST(header_of(again, "X-Line-Accepted-Request-Id") ==
               header_of(first, "X-Line-Request-Id"));
    BOOST_TEST(body_of(again) == json({{"message", "The retry key is already accepted"},
                                       {"sentMessages", body_of(first)["sentMessages"]}}));
    BOOST_TEST(sim.ledger(k_user)["deliveries"].size() == 1u);
    auto all = json::parse(sim.control("GET", "/ledger").body);
    BOOST_TEST(all["counters"]["retry_key_conflicts"] == 1);
    BOOST_TEST(all["counters"]["refused_total"] == 0);
}

BOOST_AUTO_TEST_CASE(retry_key_is_forgotten_after_24_hours) {
    auto sim = with_friends();
    BOOST_TEST(sim.push(k_user, {text("a")}, k_key).status == 200);
    sim.clock.advance(std::chrono::hours(23));
    BOOST_TEST(sim.push(k_user, {text("a")}, k_key).status == 409);
    sim.clock.advance(std::chrono::hours(1));
    BOOST_TEST(sim.push(k_user, {text("a")}, k_key).status == 200);
    auto all = json::parse(sim.control("GET", "/ledger").body);
    BOOST_TEST(all["counters"]["same_retry_key_deliveries"] == 1);
    BOOST_TEST(all["counters"]["duplicate_deliveries"] == 1);
}

BOOST_AUTO_TEST_CASE(same_content_under_two_keys_counts_as_a_duplicate) {
    auto sim = with_friends();
    sim.push(k_user, {text("発送しました")}, k_key);
    sim.push(k_user, {text("発送しました")}, k_other_key);
    sim.push(k_user, {text("別の内容")}, "");
    auto ledger = sim.ledger(k_user);
    BOOST_TEST(ledger["duplicate_deliveries"] == 1);
    BOOST_TEST(ledger["duplicates"].size() == 1u);
    BOOST_TEST(ledger["duplicates"][0]["count"] == 2);
    BOOST_TEST(ledger["deliveries"].size() == 3u);
}

BOOST_AUTO_TEST_CASE(retry_key_is_refused_where_it_is_not_supported_or_malformed) {
    auto sim = with_friends();
    auto malformed = sim.push(k_user, {text("a")}, "not-a-uuid");
    BOOST_TEST(malformed.status == 400);
    BOOST_TEST(body_of(malformed)["message"] ==
               "The value for the 'X-Line-Retry-Key' header is invalid");
    auto on_reply =
        sim.api("POST", "/v2/bot/message/reply", {{"replyToken", "x"}, {"messages", {text("a")}}},
                {{"X-Line-Retry-Key", k_key}});
    BOOST_TEST(on_reply.status == 400);
    BOOST_TEST(body_of(on_reply)["message"] ==
               "X-Line-Retry-Key header is not supported for this endpoint");
}

BOOST_AUTO_TEST_CASE(blocked_or_unknown_user_gets_200_and_nothing) {
    auto sim = with_friends();
    sim.control("POST", "/friends", {{"userId", k_user}, {"blocked", true}});
    auto response = sim.push(k_user, {text("a")});
    BOOST_TEST(response.status == 200);
    BOOST_TEST(body_of(response)["sentMessages"].size() == 1u);
    auto ledger = sim.ledger(k_user);
    BOOST_TEST(ledger["deliveries"].empty());
    BOOST_TEST(ledger["undelivered"] == 1);
    BOOST_TEST(ledger["state"] == "blocked");
    BOOST_TEST(sim.push("U00000000000000000000000000000000", {text("a")}).status == 200);
    auto all = json::parse(sim.control("GET", "/ledger").body);
    BOOST_TEST(all["counters"]["undelivered"]["blocked"] == 1);
    BOOST_TEST(all["counters"]["undelivered"]["not_friend"] == 1);
    BOOST_TEST(sim.api("GET", std::string("/v2/bot/profile/") + k_user, nullptr).status == 404);
    BOOST_TEST(body_of(sim.api("GET", std::string("/v2/bot/profile/") + k_other, nullptr)) ==
               json({{"displayName", "佐藤"}, {"userId", k_other}, {"language", "ja"}}));
}

BOOST_AUTO_TEST_CASE(push_with_an_invalid_to_is_400) {
    auto sim = with_friends();
    auto response = sim.push("someone", {text("a")});
    BOOST_TEST(response.status == 400);
    BOOST_TEST(body_of(response)["message"] ==
               "The property, 'to', in the request body is invalid (line: -, column: -)");
    auto all = json::parse(sim.control("GET", "/ledger").body);
    BOOST_TEST(all["refused"][0]["status"] == 400);
    BOOST_TEST(all["refused"][0]["count"] == 1);
}

BOOST_AUTO_TEST_CASE(multicast_delivers_to_each_friend_and_checks_to) {
    auto sim = with_friends();
    auto response = sim.api("POST", "/v2/bot/message/multicast",
                            {{"to", {k_user, k_other}}, {"messages", {text("セール")}}},
                            {{"X-Line-Retry-Key", k_key}});
    BOOST_TEST(response.status == 200);
    BOOST_TEST(response.body == "{}");
    BOOST_TEST(sim.ledger(k_user)["deliveries"][0]["endpoint"] == "multicast");
    BOOST_TEST(sim.ledger(k_other)["deliveries"].size() == 1u);
    auto again = sim.api("POST", "/v2/bot/message/multicast",
                         {{"to", {k_user, k_other}}, {"messages", {text("セール")}}},
                         {{"X-Line-Retry-Key", k_key}});
    BOOST_TEST(again.status == 409);
    BOOST_TEST(body_of(again) == json({{"message", "The retry key is already accepted"}}));
    json too_many = json::array();
    for (int i = 0; i < 501; ++i) {
        too_many.push_back(k_user);
    }
    auto refused =
        sim.api("POST", "/v2/bot/message/multicast", {{"to", too_many}, {"messages", {text("a")}}});
    BOOST_TEST(refused.status == 400);
    BOOST_TEST(
        body_of(refused) ==
        json({{"message", "The request body has 1 error(s)"},
              {"details", {{{"message", "Size must be between 1 and 500"}, {"property", "to"}}}}}));
    auto consumption = sim.api("GET", "/v2/bot/message/quota/consumption", nullptr);
    BOOST_TEST(body_of(consumption) == json({{"totalUsage", 2}}));
}

BOOST_AUTO_TEST_CASE(quota_is_reported_and_monthly_limit_refuses) {
    auto sim = with_friends();
    BOOST_TEST(body_of(sim.api("GET", "/v2/bot/message/quota", nullptr)) ==
               json({{"type", "none"}}));
    sim.control("POST", "/quota", {{"type", "limited"}, {"value", 1}});
    BOOST_TEST(body_of(sim.api("GET", "/v2/bot/message/quota", nullptr)) ==
               json({{"type", "limited"}, {"value", 1}}));
    BOOST_TEST(sim.push(k_user, {text("a")}).status == 200);
    auto over = sim.push(k_user, {text("b")});
    BOOST_TEST(over.status == 429);
    BOOST_TEST(body_of(over) == json({{"message", "You have reached your monthly limit."}}));
    auto ledger = sim.ledger(k_user);
    BOOST_TEST(ledger["refused"][0]["message"] == "You have reached your monthly limit.");
    BOOST_TEST(ledger["refused"][0]["status"] == 429);
}

BOOST_AUTO_TEST_CASE(reply_token_works_once_within_a_minute) {
    auto sim = with_friends();
    sim.control("POST", "/config", {{"webhook_url", "http://127.0.0.1:9/unreachable"}});
    auto event = body_of(
        sim.control("POST", std::string("/friends/") + k_user + "/text", {{"text", "1234-5678"}}));
    auto token = event["event"]["replyToken"].get<std::string>();
    auto reply = [&] {
        return sim.api("POST", "/v2/bot/message/reply",
                       {{"replyToken", token}, {"messages", {text("ありがとう")}}});
    };
    BOOST_TEST(reply().status == 200);
    auto used = reply();
    BOOST_TEST(used.status == 400);
    BOOST_TEST(body_of(used) == json({{"message", "Invalid reply token"}}));
    BOOST_TEST(sim.ledger(k_user)["deliveries"][0]["endpoint"] == "reply");
    auto late = body_of(sim.control("POST", std::string("/friends/") + k_user + "/postback",
                                    {{"data", "action=menu"}}))["event"]["replyToken"];
    token = late.get<std::string>();
    sim.clock.advance(std::chrono::seconds(61));
    BOOST_TEST(reply().status == 400);
    // Replies are free.
    BOOST_TEST(body_of(sim.api("GET", "/v2/bot/message/quota/consumption", nullptr)) ==
               json({{"totalUsage", 0}}));
}

BOOST_AUTO_TEST_CASE(link_token_is_issued_for_a_friend) {
    auto sim = with_friends();
    auto issued = sim.api("POST", std::string("/v2/bot/user/") + k_user + "/linkToken", nullptr);
    BOOST_TEST(issued.status == 200);
    BOOST_TEST(body_of(issued)["linkToken"].get<std::string>().size() == 32u);
    BOOST_TEST(sim.api("POST", "/v2/bot/user/U99999999999999999999999999999999/linkToken", nullptr)
                   .status == 404);
}

BOOST_AUTO_TEST_CASE(reset_forgets_deliveries_and_keys) {
    auto sim = with_friends();
    sim.push(k_user, {text("a")}, k_key);
    BOOST_TEST(sim.control("POST", "/reset").status == 200);
    BOOST_TEST(sim.ledger(k_user)["deliveries"].empty());
    BOOST_TEST(sim.push(k_user, {text("a")}, k_key).status == 200);
}

BOOST_AUTO_TEST_CASE(unknown_api_path_is_404) {
    Sim sim;
    auto response = sim.api("GET", "/v2/bot/nothing", nullptr);
    BOOST_TEST(response.status == 404);
    BOOST_TEST(body_of(response) == json({{"message", "Not found"}}));
}

BOOST_AUTO_TEST_SUITE_END()
