#include "daemon/richmenus/menu_config.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <openssl/evp.h>
#include <sstream>

#include "daemon/config/read_context.hpp"
#include "daemon/config/section.hpp"
#include "daemon/config/suggest.hpp"
#include "daemon/config/value_types.hpp"
#include "daemon/config/yaml_file.hpp"
#include "daemon/richmenus/image_info.hpp"
#include "daemon/richmenus/json_positions.hpp"
#include "daemon/templates/message_limits.hpp"

namespace musubi::richmenus {

namespace {

using config::ReadContext;
using nlohmann::json;

const char* const k_size_hint = "use 2500x1686 (large) or 2500x843 (compact); any width 800 to "
                                "2500 works when height is at least 250 and width/height at "
                                "least 1.45";

bool is_name(const std::string& text, std::size_t max) {
    return !text.empty() && text.size() <= max && std::all_of(text.begin(), text.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    });
}

// Characters as LINE counts them in a rich menu's name, chatBarText and labels: grapheme
// clusters (an emoji with a skin tone is one), counted by ICU.
std::size_t characters(std::string_view text) {
    return templates::grapheme_count(text);
}

std::optional<std::string> read_bytes(const std::filesystem::path& file) {
    std::ifstream stream(file, std::ios::binary);
    if (!stream) {
        return std::nullopt;
    }
    std::ostringstream bytes;
    bytes << stream.rdbuf();
    return bytes.str();
}

// A menu name or alias: what LINE allows for an alias id, [a-z0-9_-]{1,32}.
struct IdType {
    using value_type = std::string;
    std::string what; // "menu name", "alias"
    std::string type_name() const { return what; }
    bool read(const YAML::Node& node, std::string& out, const ReadContext& context) const {
        const std::string hint =
            "use 1 to 32 lower-case letters, digits, '_' and '-', e.g. guest or vip-tab2";
        if (!config::expect_scalar(node, context, "a " + what, hint)) {
            return false;
        }
        if (!is_name(node.Scalar(), 32)) {
            context.error(node, "'" + node.Scalar() + "' is not a valid " + what, hint);
            return false;
        }
        out = node.Scalar();
        return true;
    }
    void dump(const std::string& value, YAML::Emitter& out) const { out << value; }
};

// One `- name: ...` item as written.
struct MenuItem {
    std::string name;
    std::filesystem::path definition;
    std::filesystem::path image;
    std::optional<std::string> alias;
    std::optional<std::string> chat_bar_text;
};

const config::Section<MenuItem>& item_section() {
    static const config::Section<MenuItem> section = [] {
        config::Section<MenuItem> s("richmenus");
        s.key("name", &MenuItem::name, IdType{"menu name"}, config::Required{},
              "the menu's name, used by default: and segments:")
            .key("definition", &MenuItem::definition, config::PathType{}, config::Required{},
                 "LINE's rich-menu object (JSON), relative to the templates folder")
            .key("image", &MenuItem::image, config::PathType{}, config::Required{},
                 "the menu's picture (PNG or JPEG), relative to the templates folder")
            .key("alias", &MenuItem::alias, IdType{"alias"}, config::Optional{},
                 "the id richmenuswitch tabs use to switch to this menu")
            .key("chat_bar_text", &MenuItem::chat_bar_text, config::StringType{},
                 config::Optional{}, "the text of the bar that opens the menu (≤ 14 characters)");
        return s;
    }();
    return section;
}

// Checks one definition file against LINE's rules; each mistake at its line:col in the JSON.
class DefinitionChecker {
public:
    DefinitionChecker(std::string file, std::string_view text, const std::set<std::string>& aliases,
                      config::Diagnostics& diagnostics)
        : m_file(std::move(file))
        , m_positions(text)
        , m_aliases(aliases)
        , m_diagnostics(diagnostics) {}

    void error(const std::string& pointer, std::string message, std::string hint) {
        const TextPlace place = m_positions.at(pointer);
        m_diagnostics.add({m_file, place.line, place.column}, std::move(message), std::move(hint));
    }

    // `size` as {width, height} when it is usable for checking the areas.
    std::optional<std::pair<long, long>> size(const json& menu) {
        const auto found = menu.find("size");
        if (found == menu.end() || !found->is_object()) {
            error(found == menu.end() ? "" : "/size", "missing \"size\"",
                  "add \"size\": {\"width\": 2500, \"height\": 1686}, the image's size in pixels");
            return std::nullopt;
        }
        const auto width = whole_number(*found, "/size", "width");
        const auto height = whole_number(*found, "/size", "height");
        if (!width || !height) {
            return std::nullopt;
        }
        bool usable = true;
        if (*width < k_min_width || *width > k_max_width) {
            error("/size/width",
                  "size.width is " + std::to_string(*width) + "; LINE allows 800 to 2500",
                  k_size_hint);
            usable = false;
        }
        if (*height < k_min_height) {
            error("/size/height",
                  "size.height is " + std::to_string(*height) + "; LINE needs at least 250",
                  k_size_hint);
            usable = false;
        }
        if (usable && static_cast<double>(*width) < k_min_ratio * static_cast<double>(*height)) {
            char ratio[16];
            std::snprintf(ratio, sizeof ratio, "%.2f",
                          static_cast<double>(*width) / static_cast<double>(*height));
            error("/size",
                  "size " + std::to_string(*width) + "x" + std::to_string(*height) +
                      " is too tall: width/height is " + ratio + ", LINE needs at least 1.45",
                  k_size_hint);
        }
        if (!usable) {
            return std::nullopt; // the areas and the image are checked against a size LINE takes
        }
        return std::make_pair(*width, *height);
    }

    void text(const json& object, const std::string& pointer, const std::string& key,
              std::size_t max, const std::string& example, bool may_be_empty = false) {
        const auto found = object.find(key);
        if (found == object.end()) {
            return;
        }
        const std::string at = pointer + "/" + key;
        if (!found->is_string() || (found->get<std::string>().empty() && !may_be_empty)) {
            error(at,
                  "\"" + key + "\" must be a text of 1 to " + std::to_string(max) + " characters",
                  "write it in quotes, e.g. \"" + key + "\": \"" + example + "\"");
            return;
        }
        const std::size_t count = characters(found->get<std::string>());
        if (count > max) {
            error(at,
                  "\"" + key + "\" is " + templates::with_thousands(count) +
                      " characters; LINE allows " + templates::with_thousands(max),
                  "shorten it to " + templates::with_thousands(max) + " characters or fewer");
        }
    }

    void areas(const json& menu, const std::optional<std::pair<long, long>>& size) {
        const auto found = menu.find("areas");
        if (found == menu.end() || !found->is_array() || found->empty()) {
            error(found == menu.end() ? "" : "/areas", "\"areas\" must list the menu's buttons",
                  "add \"areas\": [{\"bounds\": {\"x\": 0, \"y\": 0, \"width\": 833, \"height\": "
                  "843}, \"action\": {\"type\": \"message\", \"text\": \"...\"}}]");
            return;
        }
        if (found->size() > k_max_areas) {
            error("/areas",
                  "the menu has " + std::to_string(found->size()) +
                      " areas; LINE allows at most 20",
                  "merge or remove buttons until 20 are left");
        }
        for (std::size_t i = 0; i < found->size(); ++i) {
            area((*found)[i], "/areas/" + std::to_string(i), "areas[" + std::to_string(i) + "]",
                 size);
        }
    }

    void unknown_keys(const json& object, const std::string& pointer,
                      const std::vector<std::string>& valid, const std::string& where) {
        for (const auto& [key, value] : object.items()) {
            if (std::find(valid.begin(), valid.end(), key) == valid.end()) {
                const std::string close = config::closest_match(key, valid);
                error(pointer + "/" + key, "unknown key \"" + key + "\" in " + where,
                      (close.empty() ? "" : "did you mean \"" + close + "\"? ") +
                          "valid keys are: " + config::join(valid));
            }
        }
    }

private:
    std::optional<long> whole_number(const json& object, const std::string& pointer,
                                     const std::string& key) {
        const auto found = object.find(key);
        if (found == object.end() || !found->is_number_integer() || found->get<long>() < 0) {
            error(found == object.end() ? pointer : pointer + "/" + key,
                  (found == object.end() ? "missing \"" : "\"") + key +
                      (found == object.end() ? "\"" : "\" must be a whole number of pixels"),
                  "write \"" + key + "\": followed by a number of pixels, e.g. 0 or 833");
            return std::nullopt;
        }
        return found->get<long>();
    }

    void area(const json& area, const std::string& pointer, const std::string& name,
              const std::optional<std::pair<long, long>>& size) {
        if (!area.is_object()) {
            error(pointer, name + " must be an object with \"bounds\" and \"action\"",
                  "write {\"bounds\": {...}, \"action\": {...}}");
            return;
        }
        unknown_keys(area, pointer, {"bounds", "action"}, name);
        const auto bounds = area.find("bounds");
        if (bounds == area.end() || !bounds->is_object()) {
            error(bounds == area.end() ? pointer : pointer + "/bounds", name + " needs \"bounds\"",
                  "add \"bounds\": {\"x\": 0, \"y\": 0, \"width\": 833, \"height\": 843}");
        } else {
            const auto x = whole_number(*bounds, pointer + "/bounds", "x");
            const auto y = whole_number(*bounds, pointer + "/bounds", "y");
            const auto width = whole_number(*bounds, pointer + "/bounds", "width");
            const auto height = whole_number(*bounds, pointer + "/bounds", "height");
            if (x && y && width && height && size) {
                if (*x + *width > size->first) {
                    error(pointer + "/bounds",
                          name + " reaches x " + std::to_string(*x + *width) +
                              " (x + width), beyond the menu's width " +
                              std::to_string(size->first),
                          "make x + width at most " + std::to_string(size->first));
                }
                if (*y + *height > size->second) {
                    error(pointer + "/bounds",
                          name + " reaches y " + std::to_string(*y + *height) +
                              " (y + height), beyond the menu's height " +
                              std::to_string(size->second),
                          "make y + height at most " + std::to_string(size->second));
                }
            }
        }
        const auto action = area.find("action");
        if (action == area.end() || !action->is_object()) {
            error(action == area.end() ? pointer : pointer + "/action",
                  name + " needs an \"action\"",
                  "add e.g. \"action\": {\"type\": \"uri\", \"uri\": \"https://...\"}");
            return;
        }
        check_action(*action, pointer + "/action", name + ".action");
    }

    void require_text(const json& action, const std::string& pointer, const std::string& key,
                      const std::string& name, std::size_t max, const std::string& example,
                      bool may_be_empty = false) {
        if (!action.contains(key)) {
            error(pointer,
                  name + " of type \"" + action.value("type", "") + "\" needs \"" + key + "\"",
                  "add \"" + key + "\": \"" + example + "\"");
            return;
        }
        text(action, pointer, key, max, example, may_be_empty);
    }

    void check_action(const json& action, const std::string& pointer, const std::string& name) {
        static const std::vector<std::string> types = {"postback", "message", "uri",
                                                       "datetimepicker", "richmenuswitch"};
        const auto type = action.find("type");
        if (type == action.end() || !type->is_string() ||
            std::find(types.begin(), types.end(), type->get<std::string>()) == types.end()) {
            const std::string written = type != action.end() && type->is_string()
                                            ? type->get<std::string>()
                                            : std::string();
            const std::string close = config::closest_match(written, types);
            error(type == action.end() ? pointer : pointer + "/type",
                  written.empty() ? name + " needs a \"type\""
                                  : "\"" + written + "\" is not an action a rich menu can have",
                  (close.empty() ? "" : "did you mean \"" + close + "\"? ") +
                      "use one of: " + config::join(types));
            return;
        }
        text(action, pointer, "label", k_max_label, "クーポン");
        const std::string kind = type->get<std::string>();
        if (kind == "uri") {
            require_text(action, pointer, "uri", name, k_max_uri, "https://example.com/");
            if (action.contains("uri") && action["uri"].is_string()) {
                const std::string uri = action["uri"].get<std::string>();
                const bool allowed = uri.starts_with("https://") || uri.starts_with("http://") ||
                                     uri.starts_with("line://") || uri.starts_with("tel:");
                if (!allowed && !uri.empty()) {
                    error(pointer + "/uri", "\"" + uri + "\" is not a link LINE opens",
                          "start it with https://, http://, line:// or tel:");
                } else if (const auto bad = templates::bad_uri_character(uri); !bad.empty()) {
                    error(pointer + "/uri",
                          "\"" + uri + "\" contains " + bad + ", which a link cannot hold",
                          "percent-encode it (a space is %20)");
                }
            }
        } else if (kind == "message") {
            require_text(action, pointer, "text", name, k_max_text, "よくある質問");
        } else if (kind == "postback") {
            // LINE's specification: a postback's data may be empty (minLength 0).
            require_text(action, pointer, "data", name, k_max_text, "action=coupon", true);
            text(action, pointer, "displayText", k_max_text, "クーポン");
        } else if (kind == "datetimepicker") {
            require_text(action, pointer, "data", name, k_max_text, "action=reserve", true);
            const std::string mode = action.value("mode", json()).is_string()
                                         ? action["mode"].get<std::string>()
                                         : std::string();
            if (mode != "date" && mode != "time" && mode != "datetime") {
                error(action.contains("mode") ? pointer + "/mode" : pointer,
                      name + " needs \"mode\": date, time or datetime", "add \"mode\": \"date\"");
            }
        } else { // richmenuswitch
            require_text(action, pointer, "data", name, k_max_text, "tab=2", true);
            const auto alias = action.find("richMenuAliasId");
            if (alias == action.end() || !alias->is_string()) {
                error(alias == action.end() ? pointer : pointer + "/richMenuAliasId",
                      name + " needs \"richMenuAliasId\", the alias of the menu to switch to",
                      known_aliases_hint());
            } else if (m_aliases.count(alias->get<std::string>()) == 0) {
                const std::string written = alias->get<std::string>();
                const std::vector<std::string> known(m_aliases.begin(), m_aliases.end());
                const std::string close = config::closest_match(written, known);
                error(pointer + "/richMenuAliasId",
                      "no menu in richmenus.yaml has the alias '" + written + "'",
                      (close.empty() ? "" : "did you mean '" + close + "'? ") +
                          known_aliases_hint());
            }
        }
    }

    std::string known_aliases_hint() const {
        if (m_aliases.empty()) {
            return "give the target menu 'alias: <id>' in richmenus.yaml and write that id here";
        }
        return "aliases in richmenus.yaml are: " +
               config::join(std::vector<std::string>(m_aliases.begin(), m_aliases.end()));
    }

    std::string m_file;
    JsonPositions m_positions;
    const std::set<std::string>& m_aliases;
    config::Diagnostics& m_diagnostics;
};

// nlohmann's what() is "[json.exception.parse_error.101] parse error at line 1, column 5: ...";
// keep the part after the position.
std::string json_error_text(const std::string& what) {
    const auto column = what.find("column ");
    const auto colon = what.find(": ", column == std::string::npos ? 0 : column);
    return colon == std::string::npos ? what : what.substr(colon + 2);
}

// Reads and checks one menu's definition and image; false when anything is wrong.
bool read_menu(const MenuItem& item, const YAML::Node& node, const std::set<std::string>& aliases,
               const ReadContext& context, RichMenu& menu) {
    config::Diagnostics& diagnostics = *context.diagnostics;
    const std::size_t before = diagnostics.size();
    const std::string definition_shown = item.definition.string();
    const auto text = read_bytes(item.definition);
    if (!text) {
        context.error(node["definition"],
                      "cannot read the definition " + definition_shown + " (" +
                          std::strerror(errno) + ")",
                      "check the path: it is taken from the templates folder, e.g. "
                      "richmenus/guest.json");
        return false;
    }
    json definition;
    try {
        definition = json::parse(*text);
    } catch (const json::parse_error& error) {
        const TextPlace place =
            place_of(*text, error.byte == 0 ? 0 : static_cast<std::size_t>(error.byte - 1));
        diagnostics.add({definition_shown, place.line, place.column},
                        "this is not valid JSON (" + json_error_text(error.what()) + ")",
                        "check for a missing comma or quote, or a comma after the last item");
        return false;
    } catch (const json::out_of_range&) {
        diagnostics.add({definition_shown, 0, 0}, "this is not valid JSON (a number is too large)",
                        "write numbers as LINE expects them, e.g. a size in pixels");
        return false;
    }
    DefinitionChecker checker(definition_shown, *text, aliases, diagnostics);
    if (!definition.is_object()) {
        checker.error("", "a rich-menu definition must be a JSON object",
                      "start the file with { \"size\": ..., \"areas\": [...] }");
        return false;
    }
    checker.unknown_keys(definition, "", {"size", "selected", "name", "chatBarText", "areas"},
                         "the rich menu");
    const auto size = checker.size(definition);
    if (definition.contains("selected") && !definition["selected"].is_boolean()) {
        checker.error("/selected", "\"selected\" must be true or false",
                      "write \"selected\": false (true opens the menu when the chat opens)");
    }
    definition.emplace("selected", false);
    definition.emplace("name", item.name);
    checker.text(definition, "", "name", k_max_name, item.name);
    if (item.chat_bar_text) {
        const std::size_t count = characters(*item.chat_bar_text);
        if (count > k_max_chat_bar_text) {
            context.error(node["chat_bar_text"],
                          "chat_bar_text is " + std::to_string(count) +
                              " characters; LINE allows 14",
                          "shorten it to 14 characters or fewer, e.g. メニュー");
        }
        definition["chatBarText"] = *item.chat_bar_text;
    } else if (!definition.contains("chatBarText")) {
        checker.error("", "missing \"chatBarText\", the text of the bar that opens the menu",
                      "add \"chatBarText\": \"メニュー\" (at most 14 characters), or "
                      "chat_bar_text: in richmenus.yaml");
    } else {
        checker.text(definition, "", "chatBarText", k_max_chat_bar_text, "メニュー");
    }
    checker.areas(definition, size);

    const std::string image_shown = item.image.string();
    const auto image = read_bytes(item.image);
    if (!image) {
        context.error(node["image"],
                      "cannot read the image " + image_shown + " (" + std::strerror(errno) + ")",
                      "check the path: it is taken from the templates folder, e.g. "
                      "richmenus/guest.png");
        return false;
    }
    if (image->size() > k_max_image_bytes) {
        context.error(node["image"],
                      "the image " + image_shown + " is " +
                          templates::with_thousands(image->size()) +
                          " bytes; LINE allows 1 MB (1,048,576 bytes)",
                      "save it with fewer colours (PNG) or as a JPEG of lower quality");
    }
    const auto info = read_image_info(*image);
    if (!info) {
        context.error(node["image"], "the image " + image_shown + " is not a PNG or JPEG file",
                      "save the picture as PNG or JPEG");
        return false;
    }
    if (info->width < k_min_width || info->width > k_max_width || info->height < k_min_height ||
        static_cast<double>(info->width) < k_min_ratio * static_cast<double>(info->height)) {
        context.error(node["image"],
                      "the image " + image_shown + " is " + std::to_string(info->width) + "x" +
                          std::to_string(info->height) + " pixels, which LINE refuses",
                      k_size_hint);
    } else if (size && (info->width != size->first || info->height != size->second)) {
        context.error(node["image"],
                      "the image " + image_shown + " is " + std::to_string(info->width) + "x" +
                          std::to_string(info->height) + " pixels but the definition's size is " +
                          std::to_string(size->first) + "x" + std::to_string(size->second),
                      "make the picture exactly the definition's size, or change \"size\" in " +
                          definition_shown + " (and the areas) to the picture's");
    }
    if (diagnostics.size() != before) {
        return false;
    }
    menu.name = item.name;
    menu.alias = item.alias;
    menu.definition_file = item.definition;
    menu.image_file = item.image;
    menu.definition = std::move(definition);
    menu.image = *image;
    menu.image_type = info->type;
    menu.content_hash = content_hash(menu.definition, menu.image);
    menu.where = context.at(node);
    return true;
}

void read_segments_map(const YAML::Node& segments, RichMenuSet& set,
                       const std::set<std::string>& names, const ReadContext& context) {
    if (!segments.IsMap()) {
        context.error(segments,
                      std::string("expected 'segments' as a mapping, found ") +
                          config::describe_node(segments),
                      "write one 'segment: menu' per line, e.g. '  vip: vip'");
        return;
    }
    const std::vector<std::string> known(names.begin(), names.end());
    for (const auto& entry : segments) {
        const std::string segment = entry.first.Scalar();
        if (set.segment_menus.count(segment) != 0) {
            context.error(entry.first, "segment '" + segment + "' appears twice in 'segments'",
                          "keep one line per segment");
            continue;
        }
        if (!entry.second.IsScalar() || entry.second.Scalar().empty()) {
            context.error(entry.second, "expected the name of a menu for segment '" + segment + "'",
                          "write e.g. '" + segment + ": " +
                              (known.empty() ? std::string("guest") : known.front()) + "'");
            continue;
        }
        const std::string menu = entry.second.Scalar();
        if (names.count(menu) == 0) {
            const std::string close = config::closest_match(menu, known);
            context.error(entry.second, "no rich menu named '" + menu + "'",
                          (close.empty() ? "" : "did you mean '" + close + "'? ") +
                              "menus are: " + config::join(known));
            continue;
        }
        set.segment_menus.emplace(segment, menu);
        set.segment_written.emplace(segment, context.at(entry.first));
    }
}

} // namespace

const RichMenu* RichMenuSet::find(std::string_view name) const {
    const auto found =
        std::find_if(menus.begin(), menus.end(), [&](const RichMenu& m) { return m.name == name; });
    return found == menus.end() ? nullptr : &*found;
}

std::set<std::string> RichMenuSet::reachable_from(std::string_view name) const {
    std::set<std::string> reached;
    std::vector<std::string> open{std::string(name)};
    while (!open.empty()) {
        const std::string current = open.back();
        open.pop_back();
        const RichMenu* menu = find(current);
        if (menu == nullptr || !reached.insert(current).second) {
            continue;
        }
        for (const auto& area : menu->definition.value("areas", json::array())) {
            const json action = area.value("action", json::object());
            if (action.value("type", "") != "richmenuswitch") {
                continue;
            }
            const std::string alias = action.value("richMenuAliasId", "");
            for (const auto& other : menus) {
                if (other.alias == alias) {
                    open.push_back(other.name);
                }
            }
        }
    }
    return reached;
}

std::string content_hash(const json& definition, std::string_view image) {
    const std::string canonical = definition.dump(); // object keys are kept sorted
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int length = 0;
    EVP_MD_CTX* context = EVP_MD_CTX_new();
    EVP_DigestInit_ex(context, EVP_sha256(), nullptr);
    EVP_DigestUpdate(context, canonical.data(), canonical.size());
    EVP_DigestUpdate(context, image.data(), image.size());
    EVP_DigestFinal_ex(context, digest.data(), &length);
    EVP_MD_CTX_free(context);
    static constexpr char k_hex[] = "0123456789abcdef";
    std::string hex;
    for (unsigned int i = 0; i < length; ++i) {
        hex += k_hex[digest[i] >> 4];
        hex += k_hex[digest[i] & 0xF];
    }
    return hex;
}

RichMenuSet read_rich_menus(const std::filesystem::path& file, const std::string& shown,
                            const std::filesystem::path& templates_dir,
                            config::Diagnostics& diagnostics) {
    RichMenuSet set;
    auto root = config::parse_yaml_file(file, shown, "richmenus", diagnostics);
    if (!root) {
        return set;
    }
    // Paths in the file are taken from the templates folder, where the examples ship.
    const ReadContext context{shown, templates_dir, &diagnostics};
    const std::string start_hint =
        "start the file with 'richmenus:' and list one '- name: ...' with 'definition:' and "
        "'image:' per menu below it";
    if (!root->IsMap()) {
        context.error(*root, "the rich-menu file must be a mapping with 'richmenus:'", start_hint);
        return set;
    }
    const std::vector<std::string> top_keys = {"richmenus", "default", "segments"};
    for (const auto& entry : *root) {
        const std::string key = entry.first.Scalar();
        if (std::find(top_keys.begin(), top_keys.end(), key) == top_keys.end()) {
            const std::string close = config::closest_match(key, top_keys);
            context.error(entry.first, "unknown key '" + key + "'",
                          (close.empty() ? "" : "did you mean '" + close + "'? ") +
                              "valid keys are: " + config::join(top_keys));
        }
    }
    const YAML::Node& top = *root;
    const YAML::Node list = top["richmenus"];
    if (!list.IsDefined()) {
        context.error(*root, "missing 'richmenus:'", start_hint);
        return set;
    }
    if (!list.IsSequence() || list.size() == 0) {
        context.error(list,
                      std::string("expected a list of rich menus, found ") +
                          config::describe_node(list),
                      "write one menu per item, e.g. '  - name: guest'");
        return set;
    }

    // First the entries (names and aliases), so a definition may switch to any alias.
    std::vector<std::pair<MenuItem, YAML::Node>> items;
    std::map<std::string, int> name_lines;
    std::map<std::string, int> alias_lines;
    std::set<std::string> names;
    std::set<std::string> aliases;
    for (const auto& node : list) {
        const std::size_t before = diagnostics.size();
        if (!node.IsMap()) {
            context.error(node,
                          std::string("expected a rich menu, found ") + config::describe_node(node),
                          "write each menu as '- name: <name>' with 'definition:' and 'image:' "
                          "below it");
            continue;
        }
        MenuItem item;
        item_section().read(node, item, context);
        if (diagnostics.size() != before) {
            continue;
        }
        const int line = context.at(node).line;
        if (auto [existing, inserted] = name_lines.emplace(item.name, line); !inserted) {
            context.error(node["name"],
                          "rich menu '" + item.name + "' is already defined on line " +
                              std::to_string(existing->second),
                          "give each menu its own name");
            continue;
        }
        if (item.alias) {
            if (auto [existing, inserted] = alias_lines.emplace(*item.alias, line); !inserted) {
                context.error(node["alias"],
                              "alias '" + *item.alias + "' is already used on line " +
                                  std::to_string(existing->second),
                              "give each menu its own alias");
                continue;
            }
            aliases.insert(*item.alias);
        }
        names.insert(item.name);
        items.emplace_back(std::move(item), node);
    }
    for (const auto& [item, node] : items) {
        RichMenu menu;
        if (read_menu(item, node, aliases, context, menu)) {
            set.menus.push_back(std::move(menu));
        }
    }

    const std::vector<std::string> known(names.begin(), names.end());
    if (const YAML::Node chosen = top["default"]; chosen.IsDefined() && !chosen.IsNull()) {
        if (!chosen.IsScalar() || names.count(chosen.Scalar()) == 0) {
            const std::string written = chosen.IsScalar() ? chosen.Scalar() : std::string();
            const std::string close = config::closest_match(written, known);
            context.error(chosen, "no rich menu named '" + written + "' for 'default'",
                          (close.empty() ? "" : "did you mean '" + close + "'? ") +
                              "menus are: " + config::join(known));
        } else {
            set.default_menu = chosen.Scalar();
        }
    }
    if (const YAML::Node segments = top["segments"]; segments.IsDefined() && !segments.IsNull()) {
        read_segments_map(segments, set, names, context);
    }
    return set;
}

tl::expected<RichMenuSet, config::Diagnostics>
load_rich_menus(const std::filesystem::path& file, const std::string& shown,
                const std::filesystem::path& templates_dir) {
    config::Diagnostics diagnostics;
    auto set = read_rich_menus(file, shown, templates_dir, diagnostics);
    if (!diagnostics.empty()) {
        return tl::unexpected(std::move(diagnostics));
    }
    return set;
}

void check_segment_names(const RichMenuSet& set, const std::vector<std::string>& segment_names,
                         config::Diagnostics& diagnostics) {
    for (const auto& [segment, menu] : set.segment_menus) {
        if (std::find(segment_names.begin(), segment_names.end(), segment) != segment_names.end()) {
            continue;
        }
        const std::string close = config::closest_match(segment, segment_names);
        diagnostics.add(set.segment_written.at(segment),
                        "no segment named '" + segment + "' in the segments file",
                        (close.empty() ? "" : "did you mean '" + close + "'? ") +
                            (segment_names.empty()
                                 ? std::string("no segments are defined")
                                 : "segments are: " + config::join(segment_names)));
    }
}

} // namespace musubi::richmenus
