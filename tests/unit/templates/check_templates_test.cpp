#include <boost/test/unit_test.hpp>

#include "daemon/templates/check_templates.hpp"
#include "support/temp_dir.hpp"

using musubi::templates::check_templates;
using musubi::templates::TemplateSet;
using nlohmann::json;

namespace {

const std::filesystem::path k_shipped = std::filesystem::path(MUSUBI_SOURCE_DIR) / "templates";

TemplateSet shipped() {
    auto set = TemplateSet::load(k_shipped);
    BOOST_REQUIRE_MESSAGE(set.has_value(), (set ? "" : set.error().front().to_string()));
    return std::move(*set);
}

} // namespace

BOOST_AUTO_TEST_SUITE(check_templates_suite)

BOOST_AUTO_TEST_CASE(shipped_templates_render_within_lines_limits) {
    const auto set = shipped();
    for (const char* name :
         {"greeting", "keyword_reply", "link_thanks", "order_thanks", "review_coupon",
          "review_request", "shipping_notice", "link_ask_phone", "link_done", "link_failed",
          "link_taken", "link_cooldown", "link_expired", "unlink_done", "unlink_not_linked"}) {
        BOOST_TEST(set.contains(name), name);
    }
    const auto errors = check_templates(set);
    for (const auto& error : errors) {
        BOOST_ERROR(error.to_string());
    }
    BOOST_TEST(errors.empty());
}

BOOST_AUTO_TEST_CASE(shipped_templates_use_only_documented_values) {
    // Every {{…}} in the shipped templates has a value in the sample context: nothing renders
    // as an empty gap, so a renamed or undocumented member shows up here.
    const auto set = shipped();
    const auto sample = TemplateSet::sample_context();
    const auto order_thanks = set.render("order_thanks", sample);
    BOOST_REQUIRE(order_thanks.has_value());
    BOOST_TEST((*order_thanks)[0]["text"] ==
               "田中さん、むすびマルシェでのご注文ありがとうございます。\n"
               "\n"
               "ご注文番号: 123456-20261122-0000000001\n"
               "・有機ほうじ茶 100g × 2\n"
               "・抹茶どら焼き 5個入り × 1\n"
               "合計: 5,400円\n"
               "\n"
               "発送の準備ができましたら、こちらでお知らせします。");
    const auto shipping = set.render("shipping_notice", sample);
    BOOST_REQUIRE(shipping.has_value());
    const auto& tpl = (*shipping)[0]["template"];
    BOOST_TEST((*shipping)[0]["altText"] == "ご注文の商品を発送しました（ヤマト運輸）");
    BOOST_TEST(tpl["text"] == "【発送のお知らせ】\nご注文 123456-20261122-0000000001 "
                              "の商品をヤマト運輸で発送しました。\n伝票番号: 123456789012");
    BOOST_TEST(tpl["actions"][0]["uri"] == sample["shipping"]["tracking_url"]);
    const auto review = set.render("review_request", sample);
    BOOST_REQUIRE(review.has_value());
    BOOST_TEST((*review)[0]["template"]["actions"][0]["uri"] == sample["order"]["review_url"]);
    const auto ask = set.render("link_ask_phone", sample);
    BOOST_REQUIRE(ask.has_value());
    BOOST_TEST((*ask)[0]["text"].get<std::string>().starts_with(
        "ご注文番号 123456-20261122-0000000001 を確認しています。"));
}

BOOST_AUTO_TEST_CASE(shipping_notice_without_tracking_page_still_renders) {
    const auto set = shipped();
    auto context = TemplateSet::sample_context();
    context["shipping"] = {
        {"carrier_name", "その他"}, {"tracking_number", ""}, {"tracking_url", ""}};
    const auto shipping = set.render("shipping_notice", context);
    BOOST_REQUIRE_MESSAGE(shipping.has_value(), (shipping ? "" : shipping.error().message));
    const auto& tpl = (*shipping)[0]["template"];
    BOOST_TEST(tpl["text"] == "【発送のお知らせ】\nご注文 123456-20261122-0000000001 "
                              "の商品をその他で発送しました。");
    BOOST_TEST(tpl["actions"][0]["uri"] == "https://order.my.rakuten.co.jp/");
}

BOOST_AUTO_TEST_CASE(shipped_templates_fit_the_longest_display_name) {
    // LINE display names are up to 20 characters; the buttons texts must still fit.
    const auto set = shipped();
    auto context = TemplateSet::sample_context();
    context["friend"]["display_name"] = "長い名前長い名前長い名前長い名前長い名前";
    for (const auto& name : set.names()) {
        const auto rendered = set.render(name, context);
        BOOST_TEST(rendered.has_value(),
                   name << ": " << (rendered ? "" : rendered.error().message));
    }
}

BOOST_AUTO_TEST_CASE(reports_each_template_that_breaks_a_limit) {
    musubi::test::TempDir dir;
    dir.write("fine.txt", "{{friend.display_name}}さん、こんにちは");
    const auto file = dir.write("coupon.json", R"({
      "type": "template", "altText": "クーポン",
      "template": {"type": "buttons", "text": "クーポンです",
        "actions": [{"type": "uri", "label": "クーポンを受け取る", "uri": "{{vars.coupon_link}}"}]}
    })");
    auto set = TemplateSet::load(dir.path());
    BOOST_REQUIRE(set.has_value());
    const auto errors = check_templates(*set);
    BOOST_REQUIRE_EQUAL(errors.size(), 1u);
    BOOST_TEST(errors[0].to_string().starts_with(
        file.string() +
        ":4:59: messages[0].template.actions[0].uri is empty; LINE requires a link; the "
        "variable"));
}

BOOST_AUTO_TEST_CASE(reports_names_musubi_does_not_fill_in) {
    musubi::test::TempDir dir;
    const auto file = dir.write("thanks.txt", "{{friend.display_nam}}さん、ありがとうございます");
    auto set = TemplateSet::load(dir.path());
    BOOST_REQUIRE(set.has_value());
    const auto errors = check_templates(*set);
    BOOST_REQUIRE_EQUAL(errors.size(), 1u);
    BOOST_TEST(errors[0].to_string() ==
               file.string() +
                   ": {{friend.display_nam}} is not a value musubi fills in; did you mean "
                   "{{friend.display_name}}? the values are listed in README.md in the templates "
                   "folder");
}

BOOST_AUTO_TEST_CASE(a_button_whose_link_renders_empty_for_some_friends_is_placed) {
    // {{shipping.tracking_url}} is "" when the carrier has no tracking page: the sample with
    // the optional values left empty finds the empty URI, at the line and column of "uri".
    musubi::test::TempDir dir;
    const auto file = dir.write("tracking.json", R"({
  "type": "flex",
  "altText": "発送しました",
  "contents": {
    "type": "bubble",
    "body": {"type": "box", "layout": "vertical",
      "contents": [{"type": "text", "text": "{{order.number}} を発送しました"}]},
    "footer": {"type": "box", "layout": "vertical", "contents": [
      {"type": "separator"},
      {"type": "button", "action": {"type": "uri", "label": "配送状況",
        "uri": "{{shipping.tracking_url}}"}}
    ]}
  }
})");
    auto set = TemplateSet::load(dir.path());
    BOOST_REQUIRE(set.has_value());
    const auto errors = check_templates(*set);
    BOOST_REQUIRE_EQUAL(errors.size(), 1u);
    BOOST_TEST(errors[0].to_string() ==
               file.string() +
                   ":11:9: messages[0].contents.footer.contents[1].action.uri is empty; LINE "
                   "requires a link (when {{shipping.tracking_url}} is empty); the variable that "
                   "makes the link (e.g. {{shipping.tracking_url}}) is empty for this message; "
                   "give a fallback link with {{^name}}https://…{{/name}}");
}

BOOST_AUTO_TEST_CASE(an_empty_flex_text_and_label_are_reported_with_their_place) {
    musubi::test::TempDir dir;
    const auto file = dir.write("list.json", R"([
  {"type": "text", "text": "こんにちは"},
  {"type": "flex", "altText": "a", "contents": {"type": "bubble",
    "body": {"type": "box", "layout": "vertical", "contents": [
      {"type": "text", "text": "{{buyer.given_name}}"},
      {"type": "button", "action": {"type": "postback", "label": "{{friend.segment}}", "data": ""}}
    ]}}}
])");
    auto set = TemplateSet::load(dir.path());
    BOOST_REQUIRE(set.has_value());
    const auto errors = check_templates(*set);
    BOOST_REQUIRE_EQUAL(errors.size(), 2u);
    BOOST_TEST(errors[0].to_string().starts_with(
        file.string() +
        ":5:24: messages[1].contents.body.contents[0].text is empty; LINE requires at least 1 "
        "character (when {{buyer.given_name}} is empty); "));
    BOOST_TEST(errors[1].to_string().starts_with(
        file.string() +
        ":6:57: messages[1].contents.body.contents[1].action.label is empty; LINE requires 1 to "
        "20 characters (when {{friend.segment}} is empty); "));
}

BOOST_AUTO_TEST_CASE(the_sparse_sample_leaves_optional_values_empty) {
    const auto sparse = TemplateSet::sparse_sample_context();
    BOOST_TEST(sparse["shipping"]["tracking_url"] == "");
    BOOST_TEST(sparse["buyer"]["given_name"] == "");
    BOOST_TEST(sparse["order"]["total"].is_null());
    BOOST_TEST(sparse["friend"]["linked"] == false);
    // What is always there stays: the order number, the shop, the link page.
    BOOST_TEST(sparse["order"]["number"] == TemplateSet::sample_context()["order"]["number"]);
    BOOST_TEST(sparse["link"]["url"] == TemplateSet::sample_context()["link"]["url"]);
}

BOOST_AUTO_TEST_SUITE_END()
