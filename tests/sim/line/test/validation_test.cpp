// Message objects: every limit of the contract's "Message objects" section, LINE's 400 shape.

#include <boost/test/unit_test.hpp>

#include "line/message_validator.hpp"
#include "line/text_length.hpp"
#include "support.hpp"

using namespace musubi::sim::line;
using namespace musubi::sim::line::test;
using nlohmann::json;

namespace {

json one_error(const std::string& message, const std::string& property) {
    return {{"message", "The request body has 1 error(s)"},
            {"details", {{{"message", message}, {"property", property}}}}};
}

json validate(Sim& sim, const json& messages) {
    auto list = messages.is_array() ? messages : json::array({messages});
    auto response = sim.api("POST", "/v2/bot/message/validate/push", {{"messages", list}});
    return response.status == 200 ? json("ok") : body_of(response);
}

std::string repeat(const std::string& unit, int times) {
    std::string text;
    for (int i = 0; i < times; ++i) {
        text += unit;
    }
    return text;
}

json action(const std::string& label) {
    return {{"type", "message"}, {"label", label}, {"text", "t"}};
}

json carousel(std::vector<int> actions_per_column) {
    json columns = json::array();
    for (int count : actions_per_column) {
        json actions = json::array();
        for (int i = 0; i < count; ++i) {
            actions.push_back(action("選ぶ"));
        }
        columns.push_back({{"text", "商品"}, {"actions", actions}});
    }
    return {{"type", "template"},
            {"altText", "おすすめ"},
            {"template", {{"type", "carousel"}, {"columns", columns}}}};
}

} // namespace

BOOST_AUTO_TEST_SUITE(line_validation)

BOOST_AUTO_TEST_CASE(text_length_counts_utf16_code_units) {
    BOOST_TEST(utf16_length("abc") == 3u);
    BOOST_TEST(utf16_length("こんにちは") == 5u);
    BOOST_TEST(utf16_length("😀") == 2u);
    BOOST_TEST(grapheme_count("😀") == 1u);
    BOOST_TEST(grapheme_count("👨‍👩‍👧") == 1u);
    BOOST_TEST(grapheme_count("🇯🇵🇯🇵") == 2u);
    BOOST_TEST(grapheme_count("が") == 1u);
    BOOST_TEST(grapheme_count("か\xe3\x82\x99") == 1u);
}

BOOST_AUTO_TEST_CASE(text_over_5000_utf16_units_is_refused) {
    Sim sim;
    BOOST_TEST(validate(sim, {text(repeat("あ", 5000))}) == "ok");
    // 2,500 emoji are 2,500 characters but 5,000 UTF-16 units; one more is over.
    BOOST_TEST(validate(sim, {text(repeat("😀", 2500))}) == "ok");
    BOOST_TEST(validate(sim, {text(repeat("😀", 2500) + "a")}) ==
               one_error("Length must be between 0 and 5000", "messages[0].text"));
    BOOST_TEST(validate(sim, {{{"type", "text"}}}) ==
               one_error("must be specified", "messages[0].text"));
}

BOOST_AUTO_TEST_CASE(push_refuses_what_validate_refuses_and_delivers_nothing) {
    Sim sim(std::string("line:\n  friends:\n    - {userId: ") + k_user + "}\n");
    auto response = sim.push(k_user, {text("ok"), text(repeat("a", 5001))});
    BOOST_TEST(response.status == 400);
    BOOST_TEST(body_of(response) ==
               one_error("Length must be between 0 and 5000", "messages[1].text"));
    BOOST_TEST(sim.ledger(k_user)["deliveries"].empty());
    BOOST_TEST(sim.ledger(k_user)["refused"][0]["message"] == "The request body has 1 error(s)");
}

BOOST_AUTO_TEST_CASE(between_one_and_five_messages) {
    Sim sim;
    json six = json::array();
    for (int i = 0; i < 6; ++i) {
        six.push_back(text("a"));
    }
    BOOST_TEST(validate(sim, six) == one_error("Size must be between 1 and 5", "messages"));
    BOOST_TEST(validate(sim, json::array()) ==
               one_error("Size must be between 1 and 5", "messages"));
    auto none = sim.api("POST", "/v2/bot/message/validate/push", json::object());
    BOOST_TEST(body_of(none) == one_error("must be specified", "messages"));
}

BOOST_AUTO_TEST_CASE(several_errors_are_all_reported) {
    Sim sim;
    auto body = validate(sim, {text(""), {{"type", "bogus"}}});
    BOOST_TEST(body["message"] == "The request body has 2 error(s)");
    BOOST_TEST(body["details"][0]["property"] == "messages[0].text");
    BOOST_TEST(body["details"][1]["property"] == "messages[1].type");
}

BOOST_AUTO_TEST_CASE(carousel_limits) {
    Sim sim;
    BOOST_TEST(validate(sim, {carousel({2, 2, 2})}) == "ok");
    BOOST_TEST(validate(sim, {carousel(std::vector<int>(10, 1))}) == "ok");
    BOOST_TEST(validate(sim, {carousel(std::vector<int>(11, 1))}) ==
               one_error("Size must be between 1 and 10", "messages[0].template.columns"));
    BOOST_TEST(validate(sim, {carousel({2, 1})}) ==
               one_error("must have the same number of actions as the other columns",
                         "messages[0].template.columns[1].actions"));
    BOOST_TEST(
        validate(sim, {carousel({4})}) ==
        one_error("Size must be between 1 and 3", "messages[0].template.columns[0].actions"));
    auto mixed = carousel({1, 1});
    mixed["template"]["columns"][1]["thumbnailImageUrl"] = "https://example.com/a.png";
    BOOST_TEST(validate(sim, {mixed}) ==
               one_error("must be specified in all columns or in none",
                         "messages[0].template.columns[1].thumbnailImageUrl"));
    auto long_text = carousel({1});
    long_text["template"]["columns"][0]["text"] = repeat("a", 121);
    BOOST_TEST(validate(sim, {long_text}) == one_error("Length must be between 1 and 120",
                                                       "messages[0].template.columns[0].text"));
    long_text["template"]["columns"][0]["title"] = "title";
    long_text["template"]["columns"][0]["text"] = repeat("a", 61);
    BOOST_TEST(validate(sim, {long_text}) == one_error("Length must be between 1 and 60",
                                                       "messages[0].template.columns[0].text"));
}

BOOST_AUTO_TEST_CASE(labels_count_grapheme_clusters_up_to_20) {
    Sim sim;
    auto twenty = carousel({1});
    twenty["template"]["columns"][0]["actions"][0] = action(repeat("👨‍👩‍👧", 20));
    BOOST_TEST(validate(sim, {twenty}) == "ok");
    twenty["template"]["columns"][0]["actions"][0] = action(repeat("a", 21));
    BOOST_TEST(validate(sim, {twenty}) ==
               one_error("Length must be between 1 and 20",
                         "messages[0].template.columns[0].actions[0].label"));
}

BOOST_AUTO_TEST_CASE(alt_text_and_buttons_and_confirm) {
    Sim sim;
    json buttons = {{"type", "template"},
                    {"altText", repeat("a", 1501)},
                    {"template", {{"type", "buttons"}, {"text", "t"}, {"actions", {action("a")}}}}};
    BOOST_TEST(validate(sim, {buttons}) ==
               one_error("Length must be between 1 and 1500", "messages[0].altText"));
    buttons["altText"] = "alt";
    buttons["template"]["actions"] = {action("a"), action("b"), action("c"), action("d"),
                                      action("e")};
    BOOST_TEST(validate(sim, {buttons}) ==
               one_error("Size must be between 1 and 4", "messages[0].template.actions"));
    buttons["template"]["actions"] = {action("a")};
    buttons["template"]["text"] = repeat("a", 161);
    BOOST_TEST(validate(sim, {buttons}) ==
               one_error("Length must be between 1 and 160", "messages[0].template.text"));
    json confirm = {{"type", "template"},
                    {"altText", "alt"},
                    {"template", {{"type", "confirm"}, {"text", "t"}, {"actions", {action("a")}}}}};
    BOOST_TEST(validate(sim, {confirm}) ==
               one_error("Size must be between 2 and 2", "messages[0].template.actions"));
}

BOOST_AUTO_TEST_CASE(actions_are_checked) {
    Sim sim;
    auto message = carousel({1});
    auto& slot = message["template"]["columns"][0]["actions"][0];
    slot = {{"type", "uri"}, {"label", "開く"}, {"uri", "ftp://example.com"}};
    BOOST_TEST(validate(sim, {message}) ==
               one_error("invalid uri scheme", "messages[0].template.columns[0].actions[0].uri"));
    slot = {{"type", "postback"}, {"label", "押す"}, {"data", repeat("d", 301)}};
    BOOST_TEST(validate(sim, {message}) ==
               one_error("Length must be between 1 and 300",
                         "messages[0].template.columns[0].actions[0].data"));
    slot = {{"type", "richmenuswitch"}, {"label", "切替"}, {"richMenuAliasId", "a"}, {"data", "d"}};
    BOOST_TEST(validate(sim, {message}) ==
               one_error("richmenuswitch action can only be used in a rich menu",
                         "messages[0].template.columns[0].actions[0].type"));
}

BOOST_AUTO_TEST_CASE(image_and_flex) {
    Sim sim;
    json image = {{"type", "image"},
                  {"originalContentUrl", "http://example.com/a.jpg"},
                  {"previewImageUrl", "https://example.com/p.jpg"}};
    BOOST_TEST(validate(sim, {image}) ==
               one_error("must be a valid HTTPS URL", "messages[0].originalContentUrl"));
    json bubbles = json::array();
    for (int i = 0; i < 13; ++i) {
        bubbles.push_back({{"type", "bubble"}});
    }
    json flex = {{"type", "flex"},
                 {"altText", "alt"},
                 {"contents", {{"type", "carousel"}, {"contents", bubbles}}}};
    BOOST_TEST(validate(sim, {flex}) ==
               one_error("Size must be between 1 and 12", "messages[0].contents.contents"));
    flex["contents"] = {{"type", "bubble"},
                        {"body", {{"type", "box"}, {"text", repeat("x", 31000)}}}};
    BOOST_TEST(validate(sim, {flex}) ==
               one_error("The JSON size of a bubble must be at most 30KB", "messages[0].contents"));
}

BOOST_AUTO_TEST_CASE(body_over_2mb_is_413) {
    Sim sim(std::string("line:\n  friends:\n    - {userId: ") + k_user + "}\n");
    auto response = sim.push(k_user, {text(repeat("a", 2 * 1024 * 1024))});
    BOOST_TEST(response.status == 413);
    BOOST_TEST(body_of(response) == json({{"message", "Request Entity Too Large"}}));
}

BOOST_AUTO_TEST_CASE(malformed_json_is_400) {
    Sim sim;
    auto response = sim.call("POST", "/v2/bot/message/push", "{not json",
                             {{"Authorization", std::string("Bearer ") + k_token}});
    BOOST_TEST(response.status == 400);
}

BOOST_AUTO_TEST_SUITE_END()
