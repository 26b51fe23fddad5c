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

BOOST_AUTO_TEST_CASE(labels_and_titles_count_grapheme_clusters) {
    // 20 family emoji (each 8 code points, 11 UTF-16 units) are 20 characters for a label.
    BOOST_TEST(
        check_message_limits(
            buttons({{"text", "a"},
                     {"actions",
                      {uri(repeated("👨‍👩‍👧‍👦", 20), "https://a.example/")}}}))
            .empty());
    BOOST_TEST(
        only_violation(buttons(
            {{"text", "a"}, {"actions", {uri(repeated("👍🏽", 21), "https://a.example/")}}})) ==
        "messages[0].template.actions[0].label is 21 characters; LINE allows 20");
    BOOST_TEST(
        check_message_limits(buttons({{"title", repeated("🇯🇵", 40)}, {"text", "a"}})).empty());
    // A text message counts UTF-16 units: 2,500 emoji are 5,000.
    BOOST_TEST(
        check_message_limits(json::array({{{"type", "text"}, {"text", repeated("😀", 2500)}}}))
            .empty());
    BOOST_TEST(
        only_violation(json::array({{{"type", "text"}, {"text", repeated("😀", 2500) + "a"}}})) ==
        "messages[0].text is 5,001 characters; LINE allows 5,000");
}

BOOST_AUTO_TEST_CASE(postback_data_may_be_empty) {
    const json empty_data = {{"type", "postback"}, {"label", "選ぶ"}, {"data", ""}};
    BOOST_TEST(check_message_limits(buttons({{"text", "a"}, {"actions", {empty_data}}})).empty());
    const json no_data = {{"type", "postback"}, {"label", "選ぶ"}};
    BOOST_TEST(only_violation(buttons({{"text", "a"}, {"actions", {no_data}}})) ==
               "messages[0].template.actions[0].data is missing; LINE requires it");
    const json empty_display = {
        {"type", "postback"}, {"label", "選ぶ"}, {"data", "x"}, {"displayText", ""}};
    BOOST_TEST(only_violation(buttons({{"text", "a"}, {"actions", {empty_display}}})) ==
               "messages[0].template.actions[0].displayText is empty; LINE requires at least 1 "
               "character");
}

BOOST_AUTO_TEST_CASE(links_must_be_uris) {
    BOOST_TEST(only_violation(
                   buttons({{"text", "a"}, {"actions", {uri("見る", "https://a.example/a b")}}})) ==
               "messages[0].template.actions[0].uri contains a space, which a link cannot hold");
    BOOST_TEST(only_violation(buttons(
                   {{"text", "a"}, {"actions", {uri("見る", "https://a.example/商品")}}})) ==
               "messages[0].template.actions[0].uri contains '商', which a link cannot hold");
    BOOST_TEST(check_message_limits(
                   buttons({{"text", "a"}, {"actions", {uri("見る", "line://ti/p/@shop")}}}))
                   .empty());
}

namespace {

json footer_button(const json& action) {
    return {{"type", "bubble"},
            {"body",
             {{"type", "box"},
              {"layout", "vertical"},
              {"contents", json::array({{{"type", "text"}, {"text", "発送しました"}}})}}},
            {"footer",
             {{"type", "box"},
              {"layout", "vertical"},
              {"contents",
               json::array({{{"type", "separator"}}, {{"type", "button"}, {"action", action}}})}}}};
}

} // namespace

BOOST_AUTO_TEST_CASE(flex_components) {
    BOOST_TEST(
        check_message_limits(flex(footer_button(uri("追跡", "https://a.example/")))).empty());
    BOOST_TEST(only_violation(flex(footer_button(uri("追跡", "")))) ==
               "messages[0].contents.footer.contents[1].action.uri is empty; LINE requires a link");
    BOOST_TEST(only_violation(flex(footer_button(uri("", "https://a.example/")))) ==
               "messages[0].contents.footer.contents[1].action.label is empty; LINE requires 1 to "
               "20 characters");
    BOOST_TEST(
        only_violation(flex(footer_button({{"type", "uri"}, {"uri", "https://a.example/"}}))) ==
        "messages[0].contents.footer.contents[1].action.label is missing; LINE requires it");
    BOOST_TEST(only_violation(flex(footer_button({{"type", "camera"}, {"label", "撮る"}}))) ==
               "messages[0].contents.footer.contents[1].action.type camera works only in a quick "
               "reply");
    auto no_action = footer_button(uri("追跡", "https://a.example/"));
    no_action["footer"]["contents"][1].erase("action");
    BOOST_TEST(only_violation(flex(no_action)) ==
               "messages[0].contents.footer.contents[1].action is missing; LINE requires it");
    auto empty_text = footer_button(uri("追跡", "https://a.example/"));
    empty_text["body"]["contents"][0]["text"] = "";
    BOOST_TEST(only_violation(flex(empty_text)) ==
               "messages[0].contents.body.contents[0].text is empty; LINE requires at least 1 "
               "character");
    auto spans = footer_button(uri("追跡", "https://a.example/"));
    spans["body"]["contents"][0] = {{"type", "text"},
                                    {"contents", json::array({{{"type", "span"}, {"text", "a"}},
                                                              {{"type", "span"}, {"text", ""}}})}};
    BOOST_TEST(only_violation(flex(spans)) ==
               "messages[0].contents.body.contents[0].contents[1].text is empty; LINE requires at "
               "least 1 character");
    auto unknown = footer_button(uri("追跡", "https://a.example/"));
    unknown["body"]["contents"][0] = {{"type", "label"}, {"text", "a"}};
    BOOST_TEST(only_violation(flex(unknown)) ==
               "messages[0].contents.body.contents[0].type 'label' is not a flex component type");
    auto image = footer_button(uri("追跡", "https://a.example/"));
    image["hero"] = {{"type", "image"}, {"url", "http://a.example/a.png"}};
    BOOST_TEST(only_violation(flex(image)) ==
               "messages[0].contents.hero.url is 'http://a.example/a.png'; LINE requires an "
               "https:// URL");
    auto not_box = footer_button(uri("追跡", "https://a.example/"));
    not_box["header"] = {{"type", "text"}, {"text", "a"}};
    BOOST_TEST(only_violation(flex(not_box)) == "messages[0].contents.header must be a box");
    auto no_layout = footer_button(uri("追跡", "https://a.example/"));
    no_layout["body"].erase("layout");
    BOOST_TEST(only_violation(flex(no_layout)) ==
               "messages[0].contents.body.layout is missing; LINE requires it");
    // In a carousel, each bubble is checked.
    const json carousel_of = {
        {"type", "carousel"},
        {"contents", json::array({footer_button(uri("a", "https://a.example/")),
                                  footer_button(uri("b", "{{x}}"))})}};
    BOOST_TEST(only_violation(flex(carousel_of)) ==
               "messages[0].contents.contents[1].footer.contents[1].action.uri is '{{x}}'; LINE "
               "accepts only links that start with http://, https://, line:// or tel:");
}

BOOST_AUTO_TEST_CASE(quick_reply_items) {
    const auto with_items = [](const json& items) {
        return json::array(
            {{{"type", "text"}, {"text", "どれにしますか"}, {"quickReply", {{"items", items}}}}});
    };
    const json camera = {{"type", "action"}, {"action", {{"type", "camera"}, {"label", "撮る"}}}};
    const json location = {{"type", "action"},
                           {"action", {{"type", "location"}, {"label", "送る"}}}};
    BOOST_TEST(check_message_limits(with_items(json::array({camera, location}))).empty());
    json fourteen = json::array();
    for (int i = 0; i < 14; ++i) {
        fourteen.push_back(camera);
    }
    BOOST_TEST(only_violation(with_items(fourteen)) ==
               "messages[0].quickReply.items has 14 buttons; LINE allows 1 to 13");
    BOOST_TEST(only_violation(with_items(json::array({{{"action", camera["action"]}}}))) ==
               "messages[0].quickReply.items[0].type is missing; LINE requires \"action\"");
    BOOST_TEST(only_violation(with_items(json::array({{{"type", "action"}}}))) ==
               "messages[0].quickReply.items[0].action is missing; LINE requires it");
    BOOST_TEST(only_violation(with_items(
                   json::array({{{"type", "action"}, {"action", {{"type", "cameraRoll"}}}}}))) ==
               "messages[0].quickReply.items[0].action.label is missing; LINE requires it");
    // camera, cameraRoll and location outside a quick reply:
    BOOST_TEST(only_violation(buttons(
                   {{"text", "a"}, {"actions", {{{"type", "location"}, {"label", "送る"}}}}})) ==
               "messages[0].template.actions[0].type location works only in a quick reply");
}

BOOST_AUTO_TEST_CASE(image_carousel_labels_are_12) {
    const auto image_carousel = [](const std::string& label) {
        return json::array(
            {{{"type", "template"},
              {"altText", "おすすめ"},
              {"template",
               {{"type", "image_carousel"},
                {"columns", json::array({{{"imageUrl", "https://a.example/a.jpg"},
                                          {"action", uri(label, "https://a.example/")}}})}}}}});
    };
    BOOST_TEST(check_message_limits(image_carousel(repeated("あ", 12))).empty());
    BOOST_TEST(only_violation(image_carousel(repeated("あ", 13))) ==
               "messages[0].template.columns[0].action.label is 13 characters; LINE allows 12 in "
               "an image carousel");
}

BOOST_AUTO_TEST_CASE(imagemap_and_location_fields) {
    json imagemap = {
        {"type", "imagemap"},
        {"baseUrl", "https://a.example/map"},
        {"altText", "地図"},
        {"baseSize", {{"width", 1040}, {"height", 1040}}},
        {"actions",
         json::array({{{"type", "uri"},
                       {"linkUri", "https://a.example/"},
                       {"area", {{"x", 0}, {"y", 0}, {"width", 520}, {"height", 1040}}}},
                      {{"type", "message"},
                       {"text", "右"},
                       {"area", {{"x", 520}, {"y", 0}, {"width", 520}, {"height", 1040}}}}})}};
    BOOST_TEST(check_message_limits(json::array({imagemap})).empty());
    auto no_size = imagemap;
    no_size.erase("baseSize");
    BOOST_TEST(only_violation(json::array({no_size})) ==
               "messages[0].baseSize is missing; LINE requires it");
    auto empty_link = imagemap;
    empty_link["actions"][0]["linkUri"] = "";
    BOOST_TEST(only_violation(json::array({empty_link})) ==
               "messages[0].actions[0].linkUri is empty; LINE requires a link");
    auto no_area = imagemap;
    no_area["actions"][1].erase("area");
    BOOST_TEST(only_violation(json::array({no_area})) ==
               "messages[0].actions[1].area is missing; LINE requires it");
    auto no_actions = imagemap;
    no_actions.erase("actions");
    BOOST_TEST(only_violation(json::array({no_actions})) ==
               "messages[0].actions is missing; LINE requires it");

    json location = {{"type", "location"},
                     {"title", "むすびマルシェ"},
                     {"address", "東京都千代田区"},
                     {"latitude", 35.681},
                     {"longitude", 139.767}};
    BOOST_TEST(check_message_limits(json::array({location})).empty());
    location.erase("latitude");
    BOOST_TEST(only_violation(json::array({location})) ==
               "messages[0].latitude is missing; LINE requires it");
    location["latitude"] = "35.681";
    BOOST_TEST(only_violation(json::array({location})) ==
               "messages[0].latitude is '35.681'; LINE requires a number");
}

BOOST_AUTO_TEST_CASE(pointers_of_paths) {
    BOOST_TEST(pointer_of("messages[0].contents.footer.contents[1].action.uri") ==
               "/0/contents/footer/contents/1/action/uri");
    BOOST_TEST(pointer_of("areas[2].action.uri") == "/areas/2/action/uri");
    BOOST_TEST(pointer_of("messages[1]") == "/1");
}

BOOST_AUTO_TEST_SUITE_END()
