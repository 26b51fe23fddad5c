#include <boost/test/unit_test.hpp>

#include "daemon/templates/template_set.hpp"
#include "support/temp_dir.hpp"

using musubi::templates::TemplateError;
using musubi::templates::TemplateSet;
using nlohmann::json;

namespace {

TemplateSet load_one(const musubi::test::TempDir& dir, const std::string& file,
                     const std::string& content) {
    dir.write(file, content);
    auto set = TemplateSet::load(dir.path());
    BOOST_REQUIRE_MESSAGE(set.has_value(), (set ? "" : set.error().front().to_string()));
    return std::move(*set);
}

std::vector<TemplateError> load_errors(const musubi::test::TempDir& dir) {
    auto set = TemplateSet::load(dir.path());
    BOOST_REQUIRE(!set.has_value());
    return set.error();
}

// The text of the one text message a template renders to.
std::string rendered_text(const TemplateSet& set, const std::string& name, const json& context) {
    auto messages = set.render(name, context);
    BOOST_REQUIRE_MESSAGE(messages.has_value(), (messages ? "" : messages.error().message));
    BOOST_REQUIRE_EQUAL(messages->size(), 1u);
    BOOST_TEST((*messages)[0]["type"] == "text");
    return (*messages)[0]["text"].get<std::string>();
}

const json k_order_context = {
    {"shop", {{"name", "むすびマルシェ"}}},
    {"friend", {{"display_name", "田中"}}},
    {"order",
     {{"number", "123456-20261122-0000000001"},
      {"total_text", "5,400円"},
      {"items", json::array({{{"name", "有機ほうじ茶 100g"}, {"units", 2}},
                             {{"name", "抹茶どら焼き"}, {"units", 1}}})}}}};

} // namespace

BOOST_AUTO_TEST_SUITE(template_set)

BOOST_AUTO_TEST_CASE(text_template_renders_japanese_and_repeats_items) {
    musubi::test::TempDir dir;
    const auto set =
        load_one(dir, "order_thanks.txt",
                 "{{friend.display_name}}さん、{{shop.name}}でのご注文ありがとうございます。\n"
                 "\n"
                 "ご注文番号: {{order.number}}\n"
                 "{{#order.items}}\n"
                 "・{{name}} × {{units}}\n"
                 "{{/order.items}}\n"
                 "合計: {{order.total_text}}\n\n");
    BOOST_TEST(rendered_text(set, "order_thanks", k_order_context) ==
               "田中さん、むすびマルシェでのご注文ありがとうございます。\n"
               "\n"
               "ご注文番号: 123456-20261122-0000000001\n"
               "・有機ほうじ茶 100g × 2\n"
               "・抹茶どら焼き × 1\n"
               "合計: 5,400円");
}

BOOST_AUTO_TEST_CASE(values_are_inserted_without_html_escaping) {
    musubi::test::TempDir dir;
    const auto set = load_one(dir, "t.txt", "{{friend.display_name}}|{{{friend.display_name}}}");
    const json context = {{"friend", {{"display_name", "<Tom & \"Jerry\">'s"}}}};
    BOOST_TEST(rendered_text(set, "t", context) == "<Tom & \"Jerry\">'s|<Tom & \"Jerry\">'s");
}

BOOST_AUTO_TEST_CASE(json_values_are_escaped_by_construction) {
    musubi::test::TempDir dir;
    const auto set =
        load_one(dir, "t.json", R"({"type": "text", "text": "{{friend.display_name}}さん"})");
    const std::string tricky = "a\"b\\c\nd\", \"type\": \"sticker";
    const auto messages = set.render("t", {{"friend", {{"display_name", tricky}}}});
    BOOST_REQUIRE(messages.has_value());
    BOOST_TEST(messages->dump() == R"([{"text":"a\"b\\c\nd\", \"type\": \"sticker)"
                                   "さん"
                                   R"(","type":"text"}])");
    BOOST_TEST((*messages)[0]["text"] == tricky + "さん");
    BOOST_TEST((*messages)[0]["type"] == "text");
    BOOST_TEST((*messages)[0].size() == 2u);
}

BOOST_AUTO_TEST_CASE(json_template_renders_keys_sections_and_lists_of_messages) {
    musubi::test::TempDir dir;
    const auto set = load_one(dir, "t.json", R"([
      {"type": "text", "text": "{{#order.items}}\n・{{name}}\n{{/order.items}}"},
      {"type": "text", "text": "{{order.number}}", "{{vars.key}}": 1}
    ])");
    const auto context = json{{"order", k_order_context["order"]}, {"vars", {{"key", "k"}}}};
    const auto messages = set.render("t", context);
    BOOST_REQUIRE(messages.has_value());
    BOOST_TEST((*messages)[0]["text"] == "・有機ほうじ茶 100g\n・抹茶どら焼き\n");
    BOOST_TEST((*messages)[1]["text"] == "123456-20261122-0000000001");
    BOOST_TEST((*messages)[1]["k"] == 1);
}

BOOST_AUTO_TEST_CASE(sections_follow_segments_and_linked) {
    musubi::test::TempDir dir;
    const auto set = load_one(dir, "t.txt",
                              "{{#friend.segments.vip}}VIP特典あり{{/friend.segments.vip}}"
                              "{{^friend.linked}}連携してください{{/friend.linked}}"
                              "{{#friend.tags}}[{{.}}]{{/friend.tags}}");
    const json vip = {
        {"friend",
         {{"linked", true}, {"segments", {{"vip", true}}}, {"tags", {"常連", "お茶好き"}}}}};
    BOOST_TEST(rendered_text(set, "t", vip) == "VIP特典あり[常連][お茶好き]");
    const json guest = {{"friend", {{"linked", false}, {"segments", {{"guest", true}}}}}};
    BOOST_TEST(rendered_text(set, "t", guest) == "連携してください");
}

BOOST_AUTO_TEST_CASE(empty_and_missing_values_count_as_false) {
    musubi::test::TempDir dir;
    const auto set = load_one(
        dir, "t.txt",
        "{{#shipping.tracking_url}}{{shipping.tracking_url}}{{/shipping.tracking_url}}"
        "{{^shipping.tracking_url}}https://order.my.rakuten.co.jp/{{/shipping.tracking_url}}");
    BOOST_TEST(rendered_text(set, "t", {{"shipping", {{"tracking_url", ""}}}}) ==
               "https://order.my.rakuten.co.jp/");
    BOOST_TEST(rendered_text(set, "t", json::object()) == "https://order.my.rakuten.co.jp/");
    BOOST_TEST(rendered_text(set, "t", {{"shipping", {{"tracking_url", "https://t.example/1"}}}}) ==
               "https://t.example/1");
}

BOOST_AUTO_TEST_CASE(windows_files_are_read_as_text) {
    musubi::test::TempDir dir;
    const auto set = load_one(dir, "t.txt", "\xEF\xBB\xBFこんにちは\r\n{{shop.name}}です\r\n");
    BOOST_TEST(rendered_text(set, "t", {{"shop", {{"name", "結び"}}}}) == "こんにちは\n結びです");
}

BOOST_AUTO_TEST_CASE(unknown_template_name_suggests_the_closest) {
    musubi::test::TempDir dir;
    const auto set = load_one(dir, "review_coupon.txt", "ありがとうございます");
    BOOST_TEST(!set.contains("review_cupon"));
    const auto result = set.render("review_cupon", json::object());
    BOOST_REQUIRE(!result.has_value());
    BOOST_TEST(result.error().message ==
               "no template 'review_cupon' (looked for review_cupon.txt and review_cupon.json)");
    BOOST_TEST(result.error().hint == "did you mean 'review_coupon'? templates are: review_coupon");
}

BOOST_AUTO_TEST_CASE(broken_json_names_file_line_and_column) {
    musubi::test::TempDir dir;
    const auto file = dir.write("shipping_notice.json", "{\n"
                                                        "  \"type\": \"text\",\n"
                                                        "  \"text\": \"発送しました\",\n"
                                                        "}\n");
    const auto errors = load_errors(dir);
    BOOST_REQUIRE_EQUAL(errors.size(), 1u);
    BOOST_TEST(errors[0].file == file.string());
    BOOST_TEST(errors[0].line == 4);
    BOOST_TEST(errors[0].column == 1);
    BOOST_TEST(errors[0].to_string().starts_with(file.string() + ":4:1: not valid JSON: "));
    BOOST_TEST(errors[0].hint ==
               "remove the comma before this '}': JSON allows no comma after the last item");
}

BOOST_AUTO_TEST_CASE(json_column_counts_characters_not_bytes) {
    musubi::test::TempDir dir;
    dir.write("t.json", "{\"type\": \"text\", \"text\": \"発送\" \"x\": 1}");
    const auto errors = load_errors(dir);
    BOOST_REQUIRE_EQUAL(errors.size(), 1u);
    BOOST_TEST(errors[0].line == 1);
    BOOST_TEST(errors[0].column == 31); // the "x" after 発送's closing quote and a space
    BOOST_TEST(errors[0].hint == "a comma is missing before this item");
}

BOOST_AUTO_TEST_CASE(unclosed_section_names_file_line_and_column) {
    musubi::test::TempDir dir;
    const auto file = dir.write("order_thanks.txt",
                                "ご注文ありがとうございます。\n  {{#order.items}}\n・{{name}}\n");
    const auto errors = load_errors(dir);
    BOOST_REQUIRE_EQUAL(errors.size(), 1u);
    BOOST_TEST(errors[0].to_string() ==
               file.string() +
                   ":2:3: the section {{#order.items}} is never closed; add {{/order.items}} "
                   "where the section ends (sections close in the reverse order they open, with "
                   "exactly the same name)");
}

BOOST_AUTO_TEST_CASE(mustache_error_inside_json_string_is_located) {
    musubi::test::TempDir dir;
    dir.write("t.json", "{\n  \"type\": \"text\",\n  \"text\": \"発送 {{/order.number}}\"\n}\n");
    const auto errors = load_errors(dir);
    BOOST_REQUIRE_EQUAL(errors.size(), 1u);
    BOOST_TEST(errors[0].line == 3);
    BOOST_TEST(errors[0].column == 15);
    BOOST_TEST(errors[0].message == "{{/order.number}} closes a section that was not opened");
}

BOOST_AUTO_TEST_CASE(every_broken_file_is_reported_at_once) {
    musubi::test::TempDir dir;
    dir.write("a.txt", "{{shop.name");
    dir.write("b.json", "\"just text\"");
    dir.write("c.txt", "ok");
    dir.write("c.json", R"({"type": "text", "text": "ok"})");
    dir.write("notes.md", "{{ not a template");
    const auto errors = load_errors(dir);
    BOOST_REQUIRE_EQUAL(errors.size(), 3u);
    BOOST_TEST(errors[0].message == "a tag opened with {{ is never closed with }}");
    BOOST_TEST(errors[1].message == "the file is not a LINE message object or a list of 1 to 5");
    BOOST_TEST(errors[2].message == "both c.txt and c.json exist");
}

BOOST_AUTO_TEST_CASE(missing_folder_is_an_error) {
    musubi::test::TempDir dir;
    const auto set = TemplateSet::load(dir / "nope");
    BOOST_REQUIRE(!set.has_value());
    BOOST_TEST(set.error().front().message == "the templates folder does not exist");
}

BOOST_AUTO_TEST_CASE(render_reports_the_first_broken_limit_with_the_template_file) {
    musubi::test::TempDir dir;
    const auto file = dir.write("long.txt", "{{vars.body}}");
    auto set = TemplateSet::load(dir.path());
    BOOST_REQUIRE(set.has_value());
    const auto result = set->render("long", {{"vars", {{"body", std::string(5012, 'a')}}}});
    BOOST_REQUIRE(!result.has_value());
    BOOST_TEST(result.error().file == file.string());
    BOOST_TEST(result.error().message == "messages[0].text is 5,012 characters; LINE allows 5,000");
    const auto empty = set->render("long", json::object());
    BOOST_REQUIRE(!empty.has_value());
    BOOST_TEST(empty.error().message ==
               "messages[0].text is empty; LINE requires at least 1 character");
}

BOOST_AUTO_TEST_SUITE_END()
