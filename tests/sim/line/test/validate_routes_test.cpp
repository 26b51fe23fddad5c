// LINE's validate endpoints: /v2/bot/message/validate/{push,reply,multicast,narrowcast,broadcast}
// take {messages} and /v2/bot/richmenu/validate a rich-menu object; each answers 200 {} or 400
// with LINE's error body, and sends or creates nothing.

#include <boost/test/unit_test.hpp>

#include "support.hpp"

using namespace musubi::sim::line::test;
using nlohmann::json;

namespace {

json good_menu() {
    return {{"size", {{"width", 2500}, {"height", 843}}},
            {"selected", false},
            {"name", "会員メニュー"},
            {"chatBarText", "メニュー"},
            {"areas",
             {{{"bounds", {{"x", 0}, {"y", 0}, {"width", 1250}, {"height", 843}}},
               {"action", {{"type", "uri"}, {"label", "お店"}, {"uri", "https://shop.example/"}}}},
              {{"bounds", {{"x", 1250}, {"y", 0}, {"width", 1250}, {"height", 843}}},
               {"action", {{"type", "postback"}, {"data", ""}}}}}}};
}

} // namespace

BOOST_AUTO_TEST_SUITE(line_validate_routes)

BOOST_AUTO_TEST_CASE(every_message_validate_route_answers_like_line) {
    Sim sim(std::string("line:\n  friends:\n    - {userId: ") + k_user + "}\n");
    for (const char* kind : {"push", "reply", "multicast", "narrowcast", "broadcast"}) {
        auto path = std::string("/v2/bot/message/validate/") + kind;
        BOOST_TEST_CONTEXT(path) {
            auto ok = sim.api("POST", path, {{"messages", {text("こんにちは")}}});
            BOOST_TEST(ok.status == 200);
            BOOST_TEST(body_of(ok) == json::object());
            auto refused =
                sim.api("POST", path, {{"messages", {{{"type", "text"}, {"text", ""}}}}});
            BOOST_TEST(refused.status == 400);
            BOOST_TEST(
                body_of(refused) ==
                json({{"message", "The request body has 1 error(s)"},
                      {"details",
                       {{{"message", "must be specified"}, {"property", "messages[0].text"}}}}}));
        }
    }
    BOOST_TEST(sim.ledger(k_user)["deliveries"].empty());
}

BOOST_AUTO_TEST_CASE(a_validate_route_without_a_token_is_401) {
    Sim sim;
    auto response =
        sim.call("POST", "/v2/bot/message/validate/push", json({{"messages", {text("a")}}}).dump(),
                 {{"Content-Type", "application/json"}});
    BOOST_TEST(response.status == 401);
}

BOOST_AUTO_TEST_CASE(rich_menu_validate_checks_like_create_and_creates_nothing) {
    Sim sim;
    auto ok = sim.api("POST", "/v2/bot/richmenu/validate", good_menu());
    BOOST_TEST(ok.status == 200);
    BOOST_TEST(body_of(ok) == json::object());
    auto bad = good_menu();
    bad["areas"][0]["action"]["uri"] = "";
    bad["chatBarText"] = "";
    auto refused = sim.api("POST", "/v2/bot/richmenu/validate", bad);
    BOOST_TEST(refused.status == 400);
    BOOST_TEST(
        body_of(refused) ==
        json({{"message", "The request body has 2 error(s)"},
              {"details",
               {{{"message", "must be a valid URI"}, {"property", "areas[0].action.uri"}},
                {{"message", "Length must be between 1 and 14"}, {"property", "chatBarText"}}}}}));
    auto list = body_of(sim.api("GET", "/v2/bot/richmenu/list", nullptr));
    BOOST_TEST(list["richmenus"].empty());
}

BOOST_AUTO_TEST_CASE(validate_routes_over_http) {
    SimProcess process;
    Headers headers = {{"Authorization", std::string("Bearer ") + k_token},
                       {"Content-Type", "application/json"}};
    auto ok = process.request("POST", "/v2/bot/message/validate/push",
                              json({{"messages", {text("a")}}}).dump(), headers);
    BOOST_TEST(ok.status == 200);
    BOOST_TEST(ok.body == "{}");
    auto refused = process.request("POST", "/v2/bot/richmenu/validate",
                                   json({{"selected", true}}).dump(), headers);
    BOOST_TEST(refused.status == 400);
    auto body = json::parse(refused.body);
    BOOST_TEST(body["message"] == "The request body has 4 error(s)");
    BOOST_TEST(body["details"][0]["property"] == "size");
}

BOOST_AUTO_TEST_SUITE_END()
