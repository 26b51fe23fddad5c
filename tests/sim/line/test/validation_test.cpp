// Message objects as LINE judges them: the specification's schemas (required members, enums,
// types, discriminated subtypes, maxItems, format: uri) and the contract page's limits, each
// refusal with LINE's 400 shape and the exact property path.

#include <boost/test/unit_test.hpp>

#include "line/line_rules.hpp"
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

// The one refused property of a body, or "ok".
std::string refused_at(Sim& sim, const json& message) {
    auto body = validate(sim, {message});
    if (body == "ok") {
        return "ok";
    }
    std::string properties;
    for (const auto& detail : body["details"]) {
        properties += (properties.empty() ? "" : " ") + detail["property"].get<std::string>();
    }
    return properties;
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

json buttons_with(const json& first_action) {
    return {{"type", "template"},
            {"altText", "alt"},
            {"template", {{"type", "buttons"}, {"text", "t"}, {"actions", {first_action}}}}};
}

json image_carousel(const json& column_action) {
    return {
        {"type", "template"},
        {"altText", "alt"},
        {"template",
         {{"type", "image_carousel"},
          {"columns", {{{"imageUrl", "https://shop.example/a.jpg"}, {"action", column_action}}}}}}};
}

// nlohmann::json reads `{x}` as x itself, not as [x]: one component or item is wrapped here.
json listed(const json& items) {
    return items.is_array() ? items : json::array({items});
}

json flex_bubble(const json& body_contents) {
    return {{"type", "flex"},
            {"altText", "ご注文"},
            {"contents",
             {{"type", "bubble"},
              {"body",
               {{"type", "box"}, {"layout", "vertical"}, {"contents", listed(body_contents)}}}}}};
}

json flex_button(const json& button_action) {
    return {{"type", "button"}, {"action", button_action}};
}

json with_quick_reply(const json& items) {
    auto message = text("どれにしますか");
    message["quickReply"] = {{"items", listed(items)}};
    return message;
}

json quick_item(const json& item_action) {
    return {{"type", "action"}, {"action", item_action}};
}

} // namespace

BOOST_AUTO_TEST_SUITE(line_validation)

// --- Text: UTF-16 code units (contract) ---------------------------------------------------

BOOST_AUTO_TEST_CASE(text_over_5000_utf16_units_is_refused) {
    Sim sim;
    BOOST_TEST(validate(sim, {text(repeat("あ", 5000))}) == "ok");
    // 2,500 emoji are 2,500 characters but 5,000 UTF-16 units; one more unit is over.
    BOOST_TEST(validate(sim, {text(repeat("😀", 2500))}) == "ok");
    BOOST_TEST(validate(sim, {text(repeat("😀", 2499) + "ab")}) == "ok");
    BOOST_TEST(validate(sim, {text(repeat("😀", 2500) + "a")}) ==
               one_error("Length must be between 0 and 5000", "messages[0].text"));
    BOOST_TEST(validate(sim, {text(repeat("あ", 4999) + "𠮷")}) ==
               one_error("Length must be between 0 and 5000", "messages[0].text"));
    BOOST_TEST(validate(sim, {{{"type", "text"}}}) ==
               one_error("must be specified", "messages[0].text"));
    BOOST_TEST(validate(sim, {text("")}) == one_error("must be specified", "messages[0].text"));
    BOOST_TEST(validate(sim, {{{"type", "text"}, {"text", 5}}}) ==
               one_error("must be a string", "messages[0].text"));
    auto emojis = text("$");
    emojis["emojis"] = json::array();
    for (int i = 0; i < 21; ++i) {
        emojis["emojis"].push_back(
            {{"index", 0}, {"productId", "5ac1bfd5040ab15980c9b435"}, {"emojiId", "001"}});
    }
    BOOST_TEST(validate(sim, {emojis}) ==
               one_error("Size must be between 0 and 20", "messages[0].emojis"));
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

// --- Request and Message (spec: ValidateMessageRequest, Message discriminator) -------------

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
    auto not_array = sim.api("POST", "/v2/bot/message/validate/push", {{"messages", "hi"}});
    BOOST_TEST(body_of(not_array) == one_error("must be an array", "messages"));
}

BOOST_AUTO_TEST_CASE(an_unknown_or_missing_type_is_refused) {
    Sim sim;
    BOOST_TEST(validate(sim, {{{"type", "bogus"}, {"text", "a"}}}) ==
               one_error("must be one of the following values: [audio, coupon, flex, image, "
                         "imagemap, location, sticker, template, text, textV2, video]",
                         "messages[0].type"));
    BOOST_TEST(validate(sim, {{{"text", "a"}}}) ==
               one_error("must be specified", "messages[0].type"));
    BOOST_TEST(validate(sim, {"text"}) == one_error("must be an object", "messages[0]"));
}

BOOST_AUTO_TEST_CASE(several_errors_are_all_reported) {
    Sim sim;
    auto body = validate(sim, {text(""), {{"type", "bogus"}}});
    BOOST_TEST(body["message"] == "The request body has 2 error(s)");
    BOOST_TEST(body["details"][0]["property"] == "messages[0].text");
    BOOST_TEST(body["details"][1]["property"] == "messages[1].type");
}

BOOST_AUTO_TEST_CASE(missing_required_subtype_fields_are_refused) {
    Sim sim;
    BOOST_TEST(
        refused_at(sim, {{"type", "image"}, {"originalContentUrl", "https://a.example/i"}}) ==
        "messages[0].previewImageUrl");
    BOOST_TEST(refused_at(sim, {{"type", "sticker"}, {"packageId", "446"}}) ==
               "messages[0].stickerId");
    BOOST_TEST(refused_at(sim, {{"type", "location"},
                                {"title", "店舗"},
                                {"address", "東京都"},
                                {"latitude", 35.6}}) == "messages[0].longitude");
    BOOST_TEST(
        refused_at(sim, {{"type", "audio"}, {"originalContentUrl", "https://a.example/a"}}) ==
        "messages[0].duration");
    BOOST_TEST(refused_at(sim, {{"type", "imagemap"},
                                {"baseUrl", "https://a.example/map"},
                                {"altText", "地図"}}) ==
               "messages[0].baseSize messages[0].actions");
    BOOST_TEST(refused_at(sim, {{"type", "template"}, {"altText", "a"}}) == "messages[0].template");
    BOOST_TEST(refused_at(sim, {{"type", "flex"}, {"altText", "a"}}) == "messages[0].contents");
    BOOST_TEST(refused_at(sim, {{"type", "coupon"}}) == "messages[0].couponId");
    BOOST_TEST(refused_at(sim, {{"type", "location"},
                                {"title", "店舗"},
                                {"address", "東京都"},
                                {"latitude", "35.6"},
                                {"longitude", 139.7}}) == "messages[0].latitude");
}

BOOST_AUTO_TEST_CASE(images_need_https_uris) {
    Sim sim;
    json image = {{"type", "image"},
                  {"originalContentUrl", "http://example.com/a.jpg"},
                  {"previewImageUrl", "https://example.com/p.jpg"}};
    BOOST_TEST(validate(sim, {image}) ==
               one_error("must be a valid HTTPS URL", "messages[0].originalContentUrl"));
    image["originalContentUrl"] = "https://example.com/商品.jpg"; // not percent-encoded
    BOOST_TEST(validate(sim, {image}) ==
               one_error("must be a valid URI", "messages[0].originalContentUrl"));
    image["originalContentUrl"] = "https://example.com/%E5%95%86.jpg";
    BOOST_TEST(validate(sim, {image}) == "ok");
}

// --- Templates (spec: Template discriminator; contract: counts and sizes) -----------------

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
    // Titles and texts count grapheme clusters: 40 family emoji are a 40-character title.
    long_text["template"]["columns"][0]["text"] = repeat("👨‍👩‍👧", 60);
    long_text["template"]["columns"][0]["title"] = repeat("👍🏽", 40);
    BOOST_TEST(validate(sim, {long_text}) == "ok");
    long_text["template"]["columns"][0]["title"] = repeat("👍🏽", 41);
    BOOST_TEST(validate(sim, {long_text}) == one_error("Length must be between 0 and 40",
                                                       "messages[0].template.columns[0].title"));
}

BOOST_AUTO_TEST_CASE(labels_count_grapheme_clusters_up_to_20) {
    Sim sim;
    auto twenty = carousel({1});
    twenty["template"]["columns"][0]["actions"][0] =
        action(repeat("👨‍👩‍👧‍👦", 20));
    BOOST_TEST(validate(sim, {twenty}) == "ok");
    twenty["template"]["columns"][0]["actions"][0] = action(repeat("👍🏿", 20));
    BOOST_TEST(validate(sim, {twenty}) == "ok");
    twenty["template"]["columns"][0]["actions"][0] = action(repeat("か\u3099", 20));
    BOOST_TEST(validate(sim, {twenty}) == "ok");
    twenty["template"]["columns"][0]["actions"][0] = action(repeat("a", 21));
    BOOST_TEST(validate(sim, {twenty}) ==
               one_error("Length must be between 1 and 20",
                         "messages[0].template.columns[0].actions[0].label"));
    twenty["template"]["columns"][0]["actions"][0].erase("label");
    BOOST_TEST(validate(sim, {twenty}) ==
               one_error("must be specified", "messages[0].template.columns[0].actions[0].label"));
}

BOOST_AUTO_TEST_CASE(image_carousel_labels_up_to_12) {
    Sim sim;
    BOOST_TEST(validate(sim, {image_carousel(action(repeat("あ", 12)))}) == "ok");
    BOOST_TEST(validate(sim, {image_carousel(action(repeat("👩‍👩‍👦", 12)))}) == "ok");
    BOOST_TEST(validate(sim, {image_carousel(action(repeat("あ", 13)))}) ==
               one_error("Length must be between 0 and 12",
                         "messages[0].template.columns[0].action.label"));
    auto no_image = image_carousel(action("a"));
    no_image["template"]["columns"][0].erase("imageUrl");
    BOOST_TEST(validate(sim, {no_image}) ==
               one_error("must be specified", "messages[0].template.columns[0].imageUrl"));
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
    buttons["template"]["text"] = "t";
    buttons["template"]["imageAspectRatio"] = "wide";
    BOOST_TEST(validate(sim, {buttons}) == "ok"); // the specification has no enum on it here
    buttons["template"]["type"] = "list";
    BOOST_TEST(validate(sim, {buttons}) ==
               one_error("must be one of the following values: [buttons, carousel, confirm, "
                         "image_carousel]",
                         "messages[0].template.type"));
    json confirm = {{"type", "template"},
                    {"altText", "alt"},
                    {"template", {{"type", "confirm"}, {"text", "t"}, {"actions", {action("a")}}}}};
    BOOST_TEST(validate(sim, {confirm}) ==
               one_error("Size must be between 2 and 2", "messages[0].template.actions"));
    confirm["template"]["actions"].push_back(action("b"));
    confirm["template"]["text"] = repeat("👍🏻", 240);
    BOOST_TEST(validate(sim, {confirm}) == "ok");
    confirm["template"].erase("text");
    BOOST_TEST(validate(sim, {confirm}) ==
               one_error("must be specified", "messages[0].template.text"));
}

// --- Actions (spec: Action discriminator, PostbackAction, URIAction; contract: where) -------

BOOST_AUTO_TEST_CASE(actions_are_checked) {
    Sim sim;
    auto message = carousel({1});
    auto& slot = message["template"]["columns"][0]["actions"][0];
    const std::string at = "messages[0].template.columns[0].actions[0]";
    slot = {{"type", "uri"}, {"label", "開く"}, {"uri", "ftp://example.com"}};
    BOOST_TEST(validate(sim, {message}) == one_error("invalid uri scheme", at + ".uri"));
    slot["uri"] = "tel:0312345678";
    BOOST_TEST(validate(sim, {message}) == "ok");
    slot["uri"] = "";
    BOOST_TEST(validate(sim, {message}) == one_error("must be a valid URI", at + ".uri"));
    slot.erase("uri");
    BOOST_TEST(validate(sim, {message}) == one_error("must be specified", at + ".uri"));
    slot = {{"type", "postback"}, {"label", "押す"}, {"data", repeat("d", 301)}};
    BOOST_TEST(validate(sim, {message}) ==
               one_error("Length must be between 0 and 300", at + ".data"));
    slot["data"] = ""; // a postback's data may be empty
    BOOST_TEST(validate(sim, {message}) == "ok");
    slot.erase("data");
    BOOST_TEST(validate(sim, {message}) == one_error("must be specified", at + ".data"));
    slot = {{"type", "postback"}, {"label", "押す"}, {"data", "d"}, {"displayText", ""}};
    BOOST_TEST(validate(sim, {message}) ==
               one_error("Length must be between 1 and 300", at + ".displayText"));
    slot = {{"type", "postback"}, {"label", "押す"}, {"data", "d"}, {"inputOption", "sing"}};
    BOOST_TEST(validate(sim, {message}) ==
               one_error("must be one of the following values: [closeRichMenu, openRichMenu, "
                         "openKeyboard, openVoice]",
                         at + ".inputOption"));
    slot = {{"type", "message"}, {"label", "送る"}};
    BOOST_TEST(validate(sim, {message}) == one_error("must be specified", at + ".text"));
    slot = {{"type", "datetimepicker"}, {"label", "日付"}, {"data", "d"}, {"mode", "week"}};
    BOOST_TEST(
        validate(sim, {message}) ==
        one_error("must be one of the following values: [date, time, datetime]", at + ".mode"));
    slot = {{"type", "clipboard"}, {"label", "コピー"}, {"clipboardText", ""}};
    BOOST_TEST(validate(sim, {message}) ==
               one_error("Length must be between 1 and 1000", at + ".clipboardText"));
    slot = {{"type", "richmenuswitch"}, {"label", "切替"}, {"richMenuAliasId", "a"}, {"data", "d"}};
    BOOST_TEST(validate(sim, {message}) ==
               one_error("richmenuswitch action can only be used in a rich menu", at + ".type"));
    slot = {{"type", "share"}, {"label", "共有"}};
    BOOST_TEST(validate(sim, {message}) ==
               one_error("must be one of the following values: [camera, cameraRoll, clipboard, "
                         "datetimepicker, location, message, postback, richmenuswitch, uri]",
                         at + ".type"));
    slot = {{"label", "共有"}};
    BOOST_TEST(validate(sim, {message}) == one_error("must be specified", at + ".type"));
}

BOOST_AUTO_TEST_CASE(camera_camera_roll_and_location_only_in_quick_replies) {
    Sim sim;
    for (const char* type : {"camera", "cameraRoll", "location"}) {
        BOOST_TEST_CONTEXT(type) {
            json tap = {{"type", type}, {"label", "送る"}};
            BOOST_TEST(validate(sim, {buttons_with(tap)}) ==
                       one_error(std::string(type) + " action can only be used in a quick reply",
                                 "messages[0].template.actions[0].type"));
            BOOST_TEST(validate(sim, {with_quick_reply({quick_item(tap)})}) == "ok");
        }
    }
}

// --- Quick replies (spec: QuickReply maxItems 13; contract: items with a label) -------------

BOOST_AUTO_TEST_CASE(quick_reply_items) {
    Sim sim;
    json thirteen = json::array();
    for (int i = 0; i < 13; ++i) {
        thirteen.push_back(quick_item(action("はい")));
    }
    BOOST_TEST(validate(sim, {with_quick_reply(thirteen)}) == "ok");
    thirteen.push_back(quick_item(action("いいえ")));
    BOOST_TEST(validate(sim, {with_quick_reply(thirteen)}) ==
               one_error("Size must be between 0 and 13", "messages[0].quickReply.items"));
    json unlabelled = {{"type", "message"}, {"text", "a"}};
    BOOST_TEST(validate(sim, {with_quick_reply({quick_item(unlabelled)})}) ==
               one_error("must be specified", "messages[0].quickReply.items[0].action.label"));
    BOOST_TEST(validate(sim, {with_quick_reply({{{"type", "button"}, {"action", action("a")}}})}) ==
               one_error("must be one of the following values: [action]",
                         "messages[0].quickReply.items[0].type"));
    BOOST_TEST(validate(sim, {with_quick_reply({{{"type", "action"}}})}) ==
               one_error("must be specified", "messages[0].quickReply.items[0].action"));
    auto icon = quick_item(action("はい"));
    icon["imageUrl"] = "icon.png";
    BOOST_TEST(validate(sim, {with_quick_reply({icon})}) ==
               one_error("must be a valid URI", "messages[0].quickReply.items[0].imageUrl"));
}

// --- Flex (spec: FlexContainer/FlexComponent discriminators, FlexBox, FlexButton) ----------

BOOST_AUTO_TEST_CASE(flex_buttons_need_a_valid_action) {
    Sim sim;
    const std::string at = "messages[0].contents.body.contents[0]";
    json open = {{"type", "uri"}, {"label", "注文を見る"}, {"uri", "https://shop.example/o/1"}};
    BOOST_TEST(validate(sim, {flex_bubble({flex_button(open)})}) == "ok");
    open["uri"] = "";
    BOOST_TEST(validate(sim, {flex_bubble({flex_button(open)})}) ==
               one_error("must be a valid URI", at + ".action.uri"));
    open["uri"] = "https://shop.example/o/1";
    open["label"] = "";
    BOOST_TEST(validate(sim, {flex_bubble({flex_button(open)})}) ==
               one_error("must not be empty", at + ".action.label"));
    BOOST_TEST(validate(sim, {flex_bubble({{{"type", "button"}}})}) ==
               one_error("must be specified", at + ".action"));
    json camera = {{"type", "camera"}, {"label", "撮る"}};
    BOOST_TEST(validate(sim, {flex_bubble({flex_button(camera)})}) ==
               one_error("camera action can only be used in a quick reply", at + ".action.type"));
}

BOOST_AUTO_TEST_CASE(flex_components_follow_the_specification) {
    Sim sim;
    const std::string at = "messages[0].contents.body.contents[0]";
    BOOST_TEST(validate(sim, {flex_bubble({{{"type", "text"},
                                            {"text", "ご注文ありがとうございます"}}})}) == "ok");
    BOOST_TEST(validate(sim, {flex_bubble({{{"type", "text"}, {"text", ""}}})}) ==
               one_error("must not be empty", at + ".text"));
    BOOST_TEST(validate(sim, {flex_bubble({{{"type", "text"}}})}) ==
               one_error("must be specified", at + ".text"));
    BOOST_TEST(
        validate(sim, {flex_bubble({{{"type", "text"},
                                     {"contents", {{{"type", "span"}, {"text", "太字"}}}}}})}) ==
        "ok");
    BOOST_TEST(
        validate(sim, {flex_bubble({{{"type", "text"}, {"text", "a"}, {"weight", "heavy"}}})}) ==
        one_error("must be one of the following values: [regular, bold]", at + ".weight"));
    BOOST_TEST(validate(sim, {flex_bubble({{{"type", "table"}}})}) ==
               one_error("must be one of the following values: [box, button, filler, icon, "
                         "image, separator, span, text, video]",
                         at + ".type"));
    BOOST_TEST(validate(sim, {flex_bubble({{{"type", "box"}, {"contents", json::array()}}})}) ==
               one_error("must be specified", at + ".layout"));
    BOOST_TEST(validate(sim, {flex_bubble({{{"type", "image"}}})}) ==
               one_error("must be specified", at + ".url"));
    auto bubble = flex_bubble({{{"type", "text"}, {"text", "a"}}});
    bubble["contents"]["size"] = "huge";
    BOOST_TEST(validate(sim, {bubble}) ==
               one_error("must be one of the following values: [nano, micro, deca, hecto, kilo, "
                         "mega, giga]",
                         "messages[0].contents.size"));
    bubble["contents"] = {{"type", "card"}};
    BOOST_TEST(validate(sim, {bubble}) ==
               one_error("must be one of the following values: [bubble, carousel]",
                         "messages[0].contents.type"));
}

BOOST_AUTO_TEST_CASE(flex_sizes) {
    Sim sim;
    json bubbles = json::array();
    for (int i = 0; i < 13; ++i) {
        bubbles.push_back({{"type", "bubble"}});
    }
    json flex = {{"type", "flex"},
                 {"altText", "alt"},
                 {"contents", {{"type", "carousel"}, {"contents", bubbles}}}};
    BOOST_TEST(validate(sim, {flex}) ==
               one_error("Size must be between 1 and 12", "messages[0].contents.contents"));
    flex = flex_bubble({{{"type", "text"}, {"text", repeat("x", 31000)}}});
    BOOST_TEST(validate(sim, {flex}) ==
               one_error("The JSON size of a bubble must be at most 30KB", "messages[0].contents"));
    flex["altText"] = "";
    flex["contents"]["body"]["contents"][0]["text"] = "x";
    BOOST_TEST(validate(sim, {flex}) ==
               one_error("Length must be between 1 and 1500", "messages[0].altText"));
}

// --- Imagemap (spec: ImagemapMessage, ImagemapAction discriminator) -----------------------

BOOST_AUTO_TEST_CASE(imagemap_actions) {
    Sim sim;
    json area = {{"x", 0}, {"y", 0}, {"width", 520}, {"height", 1040}};
    json map = {
        {"type", "imagemap"},
        {"baseUrl", "https://shop.example/map"},
        {"altText", "地図"},
        {"baseSize", {{"width", 1040}, {"height", 1040}}},
        {"actions", {{{"type", "uri"}, {"linkUri", "https://shop.example/"}, {"area", area}}}}};
    BOOST_TEST(validate(sim, {map}) == "ok");
    map["actions"][0]["type"] = "postback";
    BOOST_TEST(validate(sim, {map}) ==
               one_error("must be one of the following values: [clipboard, message, uri]",
                         "messages[0].actions[0].type"));
    map["actions"][0] = {{"type", "message"}, {"area", area}};
    BOOST_TEST(validate(sim, {map}) ==
               one_error("must be specified", "messages[0].actions[0].text"));
    map["actions"][0] = {{"type", "message"}, {"text", "a"}, {"area", {{"x", 0}}}};
    auto body = validate(sim, {map});
    BOOST_TEST(body["message"] == "The request body has 3 error(s)");
    BOOST_TEST(body["details"][0]["property"] == "messages[0].actions[0].area.y");
    map["actions"][0] = {{"type", "message"}, {"text", "a"}, {"area", area}};
    map["baseSize"].erase("height");
    BOOST_TEST(validate(sim, {map}) ==
               one_error("must be specified", "messages[0].baseSize.height"));
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

BOOST_AUTO_TEST_CASE(the_interface_checks_request_schemas_by_name) {
    auto details =
        check_request({{"to", "U1"}, {"messages", {text("a")}}, {"notificationDisabled", 1}},
                      "PushMessageRequest");
    BOOST_REQUIRE(details.size() == 1u);
    BOOST_TEST(details[0].property == "notificationDisabled");
    BOOST_TEST(details[0].message == "must be a boolean");
    details = check_request({{"to", json::array()}, {"messages", {text("a")}}}, "MulticastRequest");
    BOOST_REQUIRE(details.size() == 1u);
    BOOST_TEST(details[0].property == "to");
    BOOST_TEST(details[0].message == "Size must be between 1 and 500");
}

BOOST_AUTO_TEST_SUITE_END()
