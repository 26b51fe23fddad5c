// richmenus.yaml and the definitions and images it names, as store staff write them: the
// shipped files load, and each kind of mistake LINE would refuse is reported with file:line:col
// (in the YAML, or inside the JSON definition) and what to write instead.

#include <string>

#include <boost/test/unit_test.hpp>

#include "daemon/richmenus/image_info.hpp"
#include "daemon/richmenus/json_positions.hpp"
#include "daemon/richmenus/menu_config.hpp"
#include "support/temp_dir.hpp"

using namespace musubi;

namespace {

// The first bytes of a PNG of `width` x `height`: all LINE (and musubi) read of it. `padding`
// bytes follow, to reach a file size.
std::string png(long width, long height, std::size_t padding = 0) {
    std::string bytes = "\x89PNG\r\n\x1a\n";
    bytes += std::string("\0\0\0\x0dIHDR", 8);
    for (long value : {width, height}) {
        for (int shift = 24; shift >= 0; shift -= 8) {
            bytes += static_cast<char>((value >> shift) & 0xFF);
        }
    }
    bytes += std::string("\x08\x02\0\0\0", 5);
    return bytes + std::string(padding, 'x');
}

constexpr const char* k_two_areas = R"({
  "size": {"width": 2500, "height": 843},
  "selected": false,
  "chatBarText": "メニュー",
  "areas": [
    {"bounds": {"x": 0, "y": 0, "width": 1250, "height": 843},
     "action": {"type": "uri", "label": "商品を見る", "uri": "https://example.com/"}},
    {"bounds": {"x": 1250, "y": 0, "width": 1250, "height": 843},
     "action": {"type": "message", "label": "よくある質問", "text": "よくある質問"}}
  ]
}
)";

// A config folder with richmenus.yaml and templates/richmenus/.
struct Folder {
    test::TempDir dir;

    std::string json_file(const std::string& name) const {
        return (dir / ("templates/richmenus/" + name + ".json")).string();
    }
    void definition(const std::string& name, const std::string& text) const {
        dir.write("templates/richmenus/" + name + ".json", text);
    }
    void image(const std::string& name, const std::string& bytes) const {
        dir.write("templates/richmenus/" + name + ".png", bytes);
    }
    // A well-formed menu `name` of 2500x843.
    void menu(const std::string& name) const {
        definition(name, k_two_areas);
        image(name, png(2500, 843));
    }
    tl::expected<richmenus::RichMenuSet, config::Diagnostics> load(const std::string& yaml) const {
        dir.write("richmenus.yaml", yaml);
        return richmenus::load_rich_menus(dir / "richmenus.yaml", "config/richmenus.yaml",
                                          dir / "templates");
    }
    // The diagnostics of loading `yaml`, one per line ("" when it loaded).
    std::string errors(const std::string& yaml) const {
        auto loaded = load(yaml);
        if (loaded) {
            return "";
        }
        std::string text;
        for (const auto& item : loaded.error().items()) {
            text += item.to_string() + "\n";
        }
        return text;
    }
};

std::string one_menu(const std::string& name = "guest") {
    return "richmenus:\n"
           "  - name: " +
           name +
           "\n"
           "    definition: richmenus/" +
           name +
           ".json\n"
           "    image: richmenus/" +
           name + ".png\n";
}

} // namespace

BOOST_AUTO_TEST_SUITE(richmenu_config)

BOOST_AUTO_TEST_CASE(the_shipped_menus_load_with_their_images) {
    const std::filesystem::path source(MUSUBI_SOURCE_DIR);
    auto loaded = richmenus::load_rich_menus(source / "config" / "richmenus.yaml",
                                             "config/richmenus.yaml", source / "templates");
    BOOST_REQUIRE_MESSAGE(loaded, (loaded ? "" : loaded.error().to_string()));
    std::vector<std::string> names;
    for (const auto& menu : loaded->menus) {
        names.push_back(menu.name);
        BOOST_TEST(menu.content_hash.size() == 64u);
        BOOST_TEST(menu.image.size() <= richmenus::k_max_image_bytes);
        BOOST_TEST(menu.definition["size"]["width"] == 2500);
    }
    BOOST_TEST(names == (std::vector<std::string>{"guest", "linked", "vip", "vip-shop"}),
               boost::test_tools::per_element());
    BOOST_TEST(*loaded->default_menu == "guest");
    BOOST_TEST(loaded->segment_menus.at("vip") == "vip");
    BOOST_TEST(loaded->segment_menus.at("linked") == "linked");
    BOOST_TEST(*loaded->find("vip-shop")->alias == "vip-shop");
    BOOST_TEST(loaded->reachable_from("vip") == (std::set<std::string>{"vip", "vip-shop"}),
               boost::test_tools::per_element());
    BOOST_TEST(loaded->reachable_from("guest") == (std::set<std::string>{"guest"}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(the_name_and_chat_bar_text_are_filled_in_from_the_yaml) {
    Folder folder;
    folder.menu("guest");
    auto loaded = folder.load(one_menu() + "    chat_bar_text: タップしてね\n");
    BOOST_REQUIRE(loaded);
    BOOST_TEST(loaded->menus[0].definition["name"] == "guest");
    BOOST_TEST(loaded->menus[0].definition["chatBarText"] == "タップしてね");
}

BOOST_AUTO_TEST_CASE(an_area_outside_the_menu_is_reported_at_its_line_in_the_json) {
    Folder folder;
    folder.menu("guest");
    std::string text = k_two_areas;
    text.replace(text.find("\"x\": 1250"), 9, "\"x\": 1300");
    folder.definition("guest", text);
    BOOST_TEST(folder.errors(one_menu()) ==
               folder.json_file("guest") +
                   ":8:6: areas[1] reaches x 2550 (x + width), beyond the menu's width 2500; "
                   "make x + width at most 2500\n");
}

BOOST_AUTO_TEST_CASE(more_than_twenty_areas_are_refused) {
    Folder folder;
    folder.image("guest", png(2500, 843));
    std::string areas;
    for (int i = 0; i < 21; ++i) {
        areas += std::string(i == 0 ? "" : ",\n") +
                 "{\"bounds\": {\"x\": 0, \"y\": 0, \"width\": 100, \"height\": 100}, "
                 "\"action\": {\"type\": \"message\", \"text\": \"a\"}}";
    }
    folder.definition("guest", "{\"size\": {\"width\": 2500, \"height\": 843},\n"
                               " \"chatBarText\": \"メニュー\",\n"
                               " \"areas\": [\n" +
                                   areas + "]}\n");
    BOOST_TEST(folder.errors(one_menu()) ==
               folder.json_file("guest") +
                   ":3:2: the menu has 21 areas; LINE allows at most 20; merge or remove buttons "
                   "until 20 are left\n");
}

BOOST_AUTO_TEST_CASE(a_size_line_refuses_is_reported_with_the_sizes_that_work) {
    Folder folder;
    folder.image("guest", png(2500, 843));
    std::string wide = k_two_areas;
    wide.replace(wide.find("\"width\": 2500"), 13, "\"width\": 3000");
    folder.definition("guest", wide);
    BOOST_TEST(folder.errors(one_menu()) ==
               folder.json_file("guest") +
                   ":2:12: size.width is 3000; LINE allows 800 to 2500; use 2500x1686 (large) "
                   "or 2500x843 (compact); any width 800 to 2500 works when height is at least "
                   "250 and width/height at least 1.45\n");

    std::string tall = k_two_areas;
    tall.replace(tall.find("\"width\": 2500, \"height\": 843"), 28,
                 "\"width\": 1200, \"height\": 900");
    folder.definition("guest", tall);
    folder.image("guest", png(1200, 900));
    const std::string errors = folder.errors(one_menu());
    BOOST_TEST(errors.find(folder.json_file("guest") +
                           ":2:3: size 1200x900 is too tall: width/height is 1.33, LINE needs "
                           "at least 1.45;") == 0u);
    BOOST_TEST(errors.find("config/richmenus.yaml:4:12: the image " +
                           (folder.dir / "templates/richmenus/guest.png").string() +
                           " is 1200x900 pixels, which LINE refuses;") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(an_image_of_another_size_than_the_definition_is_reported_in_the_yaml) {
    Folder folder;
    folder.definition("guest", k_two_areas);
    folder.image("guest", png(2500, 1686));
    const std::string image = (folder.dir / "templates/richmenus/guest.png").string();
    BOOST_TEST(folder.errors(one_menu()) ==
               "config/richmenus.yaml:4:12: the image " + image +
                   " is 2500x1686 pixels but the definition's size is 2500x843; make the "
                   "picture exactly the definition's size, or change \"size\" in " +
                   folder.json_file("guest") + " (and the areas) to the picture's\n");
}

BOOST_AUTO_TEST_CASE(an_image_over_one_megabyte_or_not_an_image_is_refused) {
    Folder folder;
    folder.definition("guest", k_two_areas);
    folder.image("guest", png(2500, 843, 1024 * 1024));
    const std::string image = (folder.dir / "templates/richmenus/guest.png").string();
    BOOST_TEST(folder.errors(one_menu()) ==
               "config/richmenus.yaml:4:12: the image " + image +
                   " is 1,048,605 bytes; LINE allows 1 MB (1,048,576 bytes); save it with fewer "
                   "colours (PNG) or as a JPEG of lower quality\n");
    folder.image("guest", "GIF89a........................");
    BOOST_TEST(folder.errors(one_menu()) ==
               "config/richmenus.yaml:4:12: the image " + image +
                   " is not a PNG or JPEG file; save the picture as PNG or JPEG\n");
}

BOOST_AUTO_TEST_CASE(actions_are_checked_as_line_checks_them) {
    Folder folder;
    folder.image("guest", png(2500, 843));
    folder.definition("guest", R"({
  "size": {"width": 2500, "height": 843},
  "chatBarText": "とても長いメニューのバーの文字です",
  "areas": [
    {"bounds": {"x": 0, "y": 0, "width": 500, "height": 843},
     "action": {"type": "uri", "uri": "ftp://example.com/"}},
    {"bounds": {"x": 500, "y": 0, "width": 500, "height": 843},
     "action": {"type": "message", "label": "123456789012345678901", "text": "ok"}},
    {"bounds": {"x": 1000, "y": 0, "width": 500, "height": 843},
     "action": {"type": "postbak", "data": "a=1"}},
    {"bounds": {"x": 1500, "y": 0, "width": 500, "height": 843},
     "action": {"type": "richmenuswitch", "richMenuAliasId": "tab-2", "data": "tab=2"}},
    {"bounds": {"x": 2000, "y": 0, "width": 500, "height": 843},
     "action": {"type": "postback"}}
  ]
}
)");
    const std::string file = folder.json_file("guest");
    BOOST_TEST(folder.errors(one_menu()) ==
               file +
                   ":3:3: \"chatBarText\" is 17 characters; LINE allows 14; shorten it to 14 "
                   "characters or fewer\n" +
                   file +
                   ":6:32: \"ftp://example.com/\" is not a link LINE opens; start it with "
                   "https://, http://, line:// or tel:\n" +
                   file +
                   ":8:36: \"label\" is 21 characters; LINE allows 20; shorten it to 20 "
                   "characters or fewer\n" +
                   file +
                   ":10:17: \"postbak\" is not an action a rich menu can have; did you mean "
                   "\"postback\"? use one of: postback, message, uri, datetimepicker, "
                   "richmenuswitch\n" +
                   file +
                   ":12:43: no menu in richmenus.yaml has the alias 'tab-2'; give the target "
                   "menu 'alias: <id>' in richmenus.yaml and write that id here\n" +
                   file +
                   ":14:6: areas[4].action of type \"postback\" needs \"data\"; add \"data\": "
                   "\"action=coupon\"\n");
}

BOOST_AUTO_TEST_CASE(names_and_labels_count_grapheme_clusters_and_postback_data_may_be_empty) {
    // LINE counts chatBarText, name and labels in grapheme clusters: 14 flags (28 code points)
    // fit a chat bar, 20 emoji with a skin tone fit a label; a postback's data may be "".
    Folder folder;
    folder.image("guest", png(2500, 843));
    folder.definition("guest", R"({
  "size": {"width": 2500, "height": 843},
  "chatBarText": "🇯🇵🇯🇵🇯🇵🇯🇵🇯🇵🇯🇵🇯🇵🇯🇵🇯🇵🇯🇵🇯🇵🇯🇵🇯🇵🇯🇵",
  "areas": [
    {"bounds": {"x": 0, "y": 0, "width": 2500, "height": 843},
     "action": {"type": "postback", "data": "",
                "label": "👍🏽👍🏽👍🏽👍🏽👍🏽👍🏽👍🏽👍🏽👍🏽👍🏽👍🏽👍🏽👍🏽👍🏽👍🏽👍🏽👍🏽👍🏽👍🏽👍🏽"}}
  ]
}
)");
    BOOST_TEST(folder.errors(one_menu()) == "");
    folder.definition("guest", R"({
  "size": {"width": 2500, "height": 843},
  "chatBarText": "🇯🇵🇯🇵🇯🇵🇯🇵🇯🇵🇯🇵🇯🇵🇯🇵🇯🇵🇯🇵🇯🇵🇯🇵🇯🇵🇯🇵🇯🇵",
  "areas": [
    {"bounds": {"x": 0, "y": 0, "width": 2500, "height": 843},
     "action": {"type": "postback", "data": ""}}
  ]
}
)");
    BOOST_TEST(folder.errors(one_menu()) ==
               folder.json_file("guest") +
                   ":3:3: \"chatBarText\" is 15 characters; LINE allows 14; shorten it to 14 "
                   "characters or fewer\n");
}

BOOST_AUTO_TEST_CASE(a_tab_may_switch_to_any_alias_in_the_file) {
    Folder folder;
    folder.image("main", png(2500, 843));
    folder.image("more", png(2500, 843));
    const std::string tabbed =
        R"({"size": {"width": 2500, "height": 843}, "chatBarText": "メニュー",
  "areas": [{"bounds": {"x": 0, "y": 0, "width": 2500, "height": 843},
             "action": {"type": "richmenuswitch", "richMenuAliasId": "more-tab", "data": "t"}}]})";
    folder.definition("main", tabbed);
    folder.definition("more", k_two_areas);
    auto loaded = folder.load(one_menu("main") + "    alias: main-tab\n" +
                              one_menu("more").substr(11) + "    alias: more-tab\n");
    BOOST_REQUIRE_MESSAGE(loaded, (loaded ? "" : loaded.error().to_string()));
    BOOST_TEST(loaded->reachable_from("main") == (std::set<std::string>{"main", "more"}),
               boost::test_tools::per_element());
    BOOST_TEST(loaded->reachable_from("more") == (std::set<std::string>{"more"}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(broken_json_is_reported_where_it_breaks) {
    Folder folder;
    folder.image("guest", png(2500, 843));
    folder.definition("guest",
                      "{\n  \"size\": {\"width\": 2500, \"height\": 843}\n  \"areas\": []\n}\n");
    const std::string errors = folder.errors(one_menu());
    BOOST_TEST(errors.find(folder.json_file("guest") + ":3:9: this is not valid JSON (") == 0u,
               errors);
    BOOST_TEST(errors.find("; check for a missing comma or quote") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(mistakes_in_the_yaml_name_the_line_and_the_choices) {
    Folder folder;
    folder.menu("guest");
    folder.menu("vip");
    BOOST_TEST(folder.errors(one_menu() + "default: gest\n") ==
               "config/richmenus.yaml:5:10: no rich menu named 'gest' for 'default'; did you "
               "mean 'guest'? menus are: guest\n");
    BOOST_TEST(folder.errors(one_menu() + "segments:\n  vip: vipp\n") ==
               "config/richmenus.yaml:6:8: no rich menu named 'vipp'; menus are: guest\n");
    BOOST_TEST(folder.errors(one_menu() + "    alias: Guest Tab\n") ==
               "config/richmenus.yaml:5:12: 'Guest Tab' is not a valid alias; use 1 to 32 "
               "lower-case letters, digits, '_' and '-', e.g. guest or vip-tab2\n");
    BOOST_TEST(folder.errors(one_menu() + "    alias: tab\n" + one_menu("vip").substr(11) +
                             "    alias: tab\n") ==
               "config/richmenus.yaml:9:12: alias 'tab' is already used on line 2; give each "
               "menu its own alias\n");
    BOOST_TEST(folder.errors(one_menu() + one_menu().substr(11)) ==
               "config/richmenus.yaml:5:11: rich menu 'guest' is already defined on line 2; "
               "give each menu its own name\n");
    BOOST_TEST(folder.errors(one_menu() + "defaults: guest\n") ==
               "config/richmenus.yaml:5:1: unknown key 'defaults'; did you mean 'default'? "
               "valid keys are: richmenus, default, segments\n");
    BOOST_TEST(folder.errors(one_menu("nothere")) ==
               "config/richmenus.yaml:3:17: cannot read the definition " +
                   folder.json_file("nothere") +
                   " (No such file or directory); check the path: it is taken from the "
                   "templates folder, e.g. richmenus/guest.json\n");
}

BOOST_AUTO_TEST_CASE(segments_named_for_menus_must_exist) {
    Folder folder;
    folder.menu("guest");
    auto loaded = folder.load(one_menu() + "segments:\n  guest: guest\n  vlp: guest\n");
    BOOST_REQUIRE(loaded);
    config::Diagnostics diagnostics;
    richmenus::check_segment_names(*loaded, {"vip", "guest"}, diagnostics);
    BOOST_REQUIRE(diagnostics.size() == 1u);
    BOOST_TEST(diagnostics.items()[0].to_string() ==
               "config/richmenus.yaml:7:3: no segment named 'vlp' in the segments file; did you "
               "mean 'vip'? segments are: vip, guest");
}

BOOST_AUTO_TEST_CASE(the_content_hash_follows_content_not_formatting) {
    const auto definition = nlohmann::json::parse(R"({"b": 1, "a": {"y": 2, "x": 1}})");
    const auto reordered = nlohmann::json::parse("{\"a\": {\"x\": 1,\n \"y\": 2}, \"b\": 1}");
    const std::string image = png(2500, 843);
    BOOST_TEST(richmenus::content_hash(definition, image) ==
               richmenus::content_hash(reordered, image));
    BOOST_TEST(richmenus::content_hash(definition, image) !=
               richmenus::content_hash(definition, image + "x"));
    BOOST_TEST(richmenus::content_hash(definition, image) !=
               richmenus::content_hash(nlohmann::json::parse(R"({"b": 2, "a": {}})"), image));
    // SHA-256 of "{}" alone, as `printf '{}' | sha256sum` prints it.
    BOOST_TEST(richmenus::content_hash(nlohmann::json::object(), "") ==
               "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a");
}

BOOST_AUTO_TEST_CASE(image_sizes_are_read_from_png_and_jpeg_headers) {
    auto info = richmenus::read_image_info(png(2500, 1686));
    BOOST_REQUIRE(info);
    BOOST_TEST(info->width == 2500);
    BOOST_TEST(info->height == 1686);
    // SOI, an APP0 segment of 16 bytes, then SOF0: precision 8, height 843, width 2500.
    std::string jpeg("\xFF\xD8\xFF\xE0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
                     "\xFF\xC0\x00\x11\x08\x03\x4B\x09\xC4\x03\x01\x22\x00",
                     33);
    info = richmenus::read_image_info(jpeg);
    BOOST_REQUIRE(info);
    BOOST_TEST((info->type == line::ImageType::jpeg));
    BOOST_TEST(info->width == 2500);
    BOOST_TEST(info->height == 843);
    BOOST_TEST(!richmenus::read_image_info("not an image at all, really not"));
}

BOOST_AUTO_TEST_CASE(json_positions_count_characters_and_skip_a_byte_order_mark) {
    const std::string text = "\xEF\xBB\xBF{\"名前\": \"あ\", \"b\": [1,\n  {\"c\": 2}]}";
    richmenus::JsonPositions positions(text);
    BOOST_TEST(positions.at("/b").line == 1);
    BOOST_TEST(positions.at("/b").column == 13);
    BOOST_TEST(positions.at("/b/1/c").line == 2);
    BOOST_TEST(positions.at("/b/1/c").column == 4);
    BOOST_TEST(positions.at("/b/1/missing").column == 3); // falls back to the parent
}

BOOST_AUTO_TEST_SUITE_END()
