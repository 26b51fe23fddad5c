#include <boost/test/unit_test.hpp>

#include "daemon/templates/message_limits.hpp"

using namespace musubi::templates;
using nlohmann::json;

namespace {

// The one violation `messages` has; fails the test when there are none or several.
std::string only_violation(const json& messages) {
    const auto violations = check_message_limits(messages);
    std::string all;
    for (const auto& violation : violations) {
        all += violation.message + "\n";
    }
    BOOST_REQUIRE_MESSAGE(violations.size() == 1, "expected one violation, got:\n" + all);
    return violations.front().message;
}

std::string repeated(const std::string& unit, std::size_t times) {
    std::string out;
    for (std::size_t i = 0; i < times; ++i) {
        out += unit;
    }
    return out;
}

json uri(const std::string& label, const std::string& link) {
    return {{"type", "uri"}, {"label", label}, {"uri", link}};
}

json buttons(json tpl) {
    json message = {{"type", "template"}, {"altText", "お知らせ"}, {"template", tpl}};
    message["template"]["type"] = "buttons";
    if (!tpl.contains("actions")) {
        message["template"]["actions"] = {uri("見る", "https://shop.example/")};
    }
    return json::array({message});
}

json column(const std::string& text, std::size_t actions) {
    json column = {{"text", text}, {"actions", json::array()}};
    for (std::size_t i = 0; i < actions; ++i) {
        column["actions"].push_back(uri("見る", "https://shop.example/"));
    }
    return column;
}

json carousel(const json& columns) {
    return json::array({{{"type", "template"},
                         {"altText", "おすすめ"},
                         {"template", {{"type", "carousel"}, {"columns", columns}}}}});
}

json flex(const json& contents) {
    return json::array({{{"type", "flex"}, {"altText", "お知らせ"}, {"contents", contents}}});
}

json bubble_of_size(std::size_t bytes) {
    json bubble = {
        {"type", "bubble"},
        {"body", {{"type", "box"}, {"layout", "vertical"}, {"contents", json::array()}}}};
    const auto base = bubble.dump().size();
    const json text = {{"type", "text"}, {"text", ""}};
    bubble["body"]["contents"].push_back(text);
    const auto with_text = bubble.dump().size();
    bubble["body"]["contents"][0]["text"] = std::string(bytes - with_text, 'a');
    BOOST_REQUIRE(base < bytes);
    BOOST_REQUIRE_EQUAL(bubble.dump().size(), bytes);
    return bubble;
}

} // namespace

BOOST_AUTO_TEST_SUITE(message_limits)

BOOST_AUTO_TEST_CASE(counts_like_line) {
    BOOST_TEST(utf16_length("田中さん") == 4u);
    BOOST_TEST(utf16_length("😀") == 2u); // outside the BMP: a surrogate pair
    BOOST_TEST(grapheme_count("レビューを書く") == 7u);
    BOOST_TEST(grapheme_count("👨\u200D👩\u200D👧") == 1u); // a ZWJ family
    BOOST_TEST(grapheme_count("🇯🇵🇺🇸") == 2u);            // two flags
    BOOST_TEST(grapheme_count("か\u3099") == 1u);        // combining voiced mark
    BOOST_TEST(grapheme_count("❤\uFE0F") == 1u);         // variation selector
    BOOST_TEST(with_thousands(5012) == "5,012");
    BOOST_TEST(with_thousands(30720) == "30,720");
    BOOST_TEST(with_thousands(1000000) == "1,000,000");
    BOOST_TEST(with_thousands(999) == "999");
}

BOOST_AUTO_TEST_CASE(a_valid_message_passes) {
    BOOST_TEST(
        check_message_limits(json::array({{{"type", "text"}, {"text", "こんにちは"}}})).empty());
    BOOST_TEST(
        check_message_limits(buttons({{"title", "発送"}, {"text", "発送しました"}})).empty());
}

BOOST_AUTO_TEST_CASE(text_limits) {
    const auto at_limit = json::array({{{"type", "text"}, {"text", repeated("😀", 2500)}}});
    BOOST_TEST(check_message_limits(at_limit).empty());
    const auto over = json::array({{{"type", "text"}, {"text", repeated("😀", 2500) + "あ"}}});
    BOOST_TEST(only_violation(over) == "messages[0].text is 5,001 characters; LINE allows 5,000");
    BOOST_TEST(only_violation(json::array({{{"type", "text"}, {"text", ""}}})) ==
               "messages[0].text is empty; LINE requires at least 1 character");
}

BOOST_AUTO_TEST_CASE(one_to_five_messages) {
    const json text = {{"type", "text"}, {"text", "a"}};
    BOOST_TEST(only_violation(json::array({text, text, text, text, text, text})) ==
               "the template makes 6 messages; LINE allows 1 to 5");
    BOOST_TEST(only_violation(json::array()) ==
               "the template makes 0 messages; LINE allows 1 to 5");
}

BOOST_AUTO_TEST_CASE(template_alt_text) {
    auto messages = buttons({{"text", "a"}});
    messages[0]["altText"] = std::string(1501, 'a');
    BOOST_TEST(only_violation(messages) ==
               "messages[0].altText is 1,501 characters; LINE allows 1,500");
    messages[0]["altText"] = "";
    BOOST_TEST(only_violation(messages) ==
               "messages[0].altText is empty; LINE requires at least 1 character");
}

BOOST_AUTO_TEST_CASE(buttons_limits) {
    BOOST_TEST(only_violation(buttons({{"title", std::string(41, 'a')}, {"text", "a"}})) ==
               "messages[0].template.title is 41 characters; LINE allows 40");
    BOOST_TEST(check_message_limits(buttons({{"text", std::string(160, 'a')}})).empty());
    BOOST_TEST(only_violation(buttons({{"text", std::string(161, 'a')}})) ==
               "messages[0].template.text is 161 characters; LINE allows 160");
    BOOST_TEST(only_violation(buttons({{"title", "発送"}, {"text", std::string(61, 'a')}})) ==
               "messages[0].template.text is 61 characters; LINE allows 60 when the buttons have "
               "a title or an image");
    BOOST_TEST(only_violation(buttons({{"thumbnailImageUrl", "https://shop.example/a.jpg"},
                                       {"text", std::string(61, 'a')}})) ==
               "messages[0].template.text is 61 characters; LINE allows 60 when the buttons have "
               "a title or an image");
    json five = json::array();
    for (int i = 0; i < 5; ++i) {
        five.push_back(uri("見る", "https://shop.example/"));
    }
    BOOST_TEST(only_violation(buttons({{"text", "a"}, {"actions", five}})) ==
               "messages[0].template.actions has 5 actions; LINE allows 1 to 4");
    BOOST_TEST(only_violation(buttons({{"text", "a"}, {"actions", json::array()}})) ==
               "messages[0].template.actions has 0 actions; LINE allows 1 to 4");
}

BOOST_AUTO_TEST_CASE(confirm_limits) {
    const json two = {{{"type", "message"}, {"label", "はい"}, {"text", "はい"}},
                      {{"type", "message"}, {"label", "いいえ"}, {"text", "いいえ"}}};
    const auto confirm = [&](const std::string& text, const json& actions) {
        return json::array(
            {{{"type", "template"},
              {"altText", "確認"},
              {"template", {{"type", "confirm"}, {"text", text}, {"actions", actions}}}}});
    };
    BOOST_TEST(check_message_limits(confirm(std::string(240, 'a'), two)).empty());
    BOOST_TEST(only_violation(confirm(std::string(241, 'a'), two)) ==
               "messages[0].template.text is 241 characters; LINE allows 240");
    auto three = two;
    three.push_back(two[0]);
    BOOST_TEST(only_violation(confirm("a", three)) ==
               "messages[0].template.actions has 3 actions; LINE allows 2");
}

BOOST_AUTO_TEST_CASE(action_limits) {
    BOOST_TEST(
        check_message_limits(
            buttons({{"text", "a"}, {"actions", {uri(repeated("あ", 20), "tel:0312345678")}}}))
            .empty());
    BOOST_TEST(
        only_violation(buttons(
            {{"text", "a"}, {"actions", {uri(repeated("あ", 21), "https://a.example/")}}})) ==
        "messages[0].template.actions[0].label is 21 characters; LINE allows 20");
    BOOST_TEST(
        only_violation(buttons({{"text", "a"}, {"actions", {uri("", "https://a.example/")}}})) ==
        "messages[0].template.actions[0].label is empty; LINE requires 1 to 20 characters");
    BOOST_TEST(only_violation(buttons({{"text", "a"}, {"actions", {uri("見る", "")}}})) ==
               "messages[0].template.actions[0].uri is empty; LINE requires a link");
    BOOST_TEST(
        only_violation(buttons({{"text", "a"}, {"actions", {uri("見る", "ftp://a.example/")}}})) ==
        "messages[0].template.actions[0].uri is 'ftp://a.example/'; LINE accepts only links "
        "that start with http://, https://, line:// or tel:");
    BOOST_TEST(
        only_violation(buttons(
            {{"text", "a"},
             {"actions", {uri("見る", "https://a.example/?q=" + std::string(980, 'x'))}}})) ==
        "messages[0].template.actions[0].uri is 1,001 characters; LINE allows 1,000");
    const json postback = {
        {"type", "postback"}, {"label", "選ぶ"}, {"data", std::string(301, 'd')}};
    BOOST_TEST(only_violation(buttons({{"text", "a"}, {"actions", {postback}}})) ==
               "messages[0].template.actions[0].data is 301 characters; LINE allows 300");
}

BOOST_AUTO_TEST_CASE(carousel_limits) {
    json eleven = json::array();
    for (int i = 0; i < 11; ++i) {
        eleven.push_back(column("a", 1));
    }
    BOOST_TEST(only_violation(carousel(eleven)) ==
               "messages[0].template.columns has 11 columns; LINE allows 1 to 10");
    BOOST_TEST(only_violation(carousel(json::array({column(std::string(121, 'a'), 1)}))) ==
               "messages[0].template.columns[0].text is 121 characters; LINE allows 120");
    auto titled = column(std::string(61, 'a'), 1);
    titled["title"] = "おすすめ";
    BOOST_TEST(only_violation(carousel(json::array({titled}))) ==
               "messages[0].template.columns[0].text is 61 characters; LINE allows 60 when the "
               "column has a title or an image");
    BOOST_TEST(only_violation(carousel(json::array({column("a", 4)}))) ==
               "messages[0].template.columns[0].actions has 4 actions; LINE allows 1 to 3");
    BOOST_TEST(only_violation(carousel(json::array({column("a", 2), column("b", 1)}))) ==
               "messages[0].template.columns[1].actions has 1 actions but columns[0] has 2; LINE "
               "requires the same number in every column");
    auto with_title = column("a", 1);
    with_title["title"] = "t";
    BOOST_TEST(only_violation(carousel(json::array({with_title, column("b", 1)}))) ==
               "messages[0].template.columns[1] has no title but columns[0] has one; LINE "
               "requires a title in every column or in none");
    auto with_image = column("b", 1);
    with_image["thumbnailImageUrl"] = "https://shop.example/b.jpg";
    BOOST_TEST(only_violation(carousel(json::array({column("a", 1), with_image}))) ==
               "messages[0].template.columns[1] has an image but columns[0] has none; LINE "
               "requires an image in every column or in none");
}

BOOST_AUTO_TEST_CASE(image_urls_must_be_https) {
    BOOST_TEST(only_violation(
                   buttons({{"thumbnailImageUrl", "http://shop.example/a.jpg"}, {"text", "a"}})) ==
               "messages[0].template.thumbnailImageUrl is 'http://shop.example/a.jpg'; LINE "
               "requires an https:// URL");
    const json image = {{"type", "image"},
                        {"originalContentUrl", "https://shop.example/a.jpg"},
                        {"previewImageUrl", "http://shop.example/a-small.jpg"}};
    BOOST_TEST(only_violation(json::array({image})) ==
               "messages[0].previewImageUrl is 'http://shop.example/a-small.jpg'; LINE requires "
               "an https:// URL");
}

BOOST_AUTO_TEST_CASE(flex_limits) {
    BOOST_TEST(check_message_limits(flex(bubble_of_size(30 * 1024))).empty());
    BOOST_TEST(only_violation(flex(bubble_of_size(30 * 1024 + 1))) ==
               "messages[0].contents is 30,721 bytes of JSON; LINE allows 30 KB (30,720 bytes) "
               "for a bubble");
    auto alt = flex(bubble_of_size(200));
    alt[0]["altText"] = std::string(1501, 'a');
    BOOST_TEST(only_violation(alt) == "messages[0].altText is 1,501 characters; LINE allows 1,500");

    json thirteen = json::array();
    for (int i = 0; i < 13; ++i) {
        thirteen.push_back(bubble_of_size(200));
    }
    BOOST_TEST(only_violation(flex({{"type", "carousel"}, {"contents", thirteen}})) ==
               "messages[0].contents.contents has 13 bubbles; LINE allows 1 to 12");
    json heavy = json::array();
    for (int i = 0; i < 2; ++i) {
        heavy.push_back(bubble_of_size(26 * 1024));
    }
    BOOST_TEST(only_violation(flex({{"type", "carousel"}, {"contents", heavy}}))
                   .starts_with("messages[0].contents is 53,"));
    BOOST_TEST(only_violation(flex({{"type", "carousel"}, {"contents", heavy}}))
                   .ends_with(" bytes of JSON; LINE allows 50 KB (51,200 bytes) for a carousel"));
}

BOOST_AUTO_TEST_SUITE_END()
