// The contract page's rules on top of the specification. "Contract" below is
// shared/platform/line-messaging.md, "Message objects" and "Rich menus"; the specification
// (messaging-api.yml) has no length or label limits, so every limit here comes from the page,
// and every count uses the page's unit ("How LINE counts").

#include "line_rules.hpp"

#include <array>
#include <set>

#include "unicode_count.hpp"

namespace musubi::sim::line {

namespace {

using nlohmann::json;

constexpr const char* k_required = "must be specified";

enum class Unit { code_points, utf16, graphemes };

std::size_t count(Unit unit, const std::string& text) {
    switch (unit) {
    case Unit::utf16:
        return unicode::utf16_units(text);
    case Unit::graphemes:
        return unicode::grapheme_clusters(text);
    case Unit::code_points:
        break;
    }
    return unicode::code_points(text);
}

const std::set<std::string> k_actions = {
    "CameraAction",         "CameraRollAction",     "ClipboardAction",
    "DatetimePickerAction", "LocationAction",       "MessageAction",
    "PostbackAction",       "RichMenuSwitchAction", "URIAction"};

// Contract, "How LINE counts": which strings are counted in grapheme clusters or UTF-16 units.
Unit unit_of(const std::string& schema, const std::string& property) {
    if (property == "label" && k_actions.contains(schema)) {
        return Unit::graphemes;
    }
    static const std::set<std::pair<std::string, std::string>> k_graphemes = {
        {"MessageAction", "text"},   {"PostbackAction", "displayText"},
        {"PostbackAction", "text"},  {"ButtonsTemplate", "title"},
        {"ButtonsTemplate", "text"}, {"CarouselColumn", "title"},
        {"CarouselColumn", "text"},  {"ConfirmTemplate", "text"},
        {"RichMenuRequest", "name"}, {"RichMenuRequest", "chatBarText"}};
    if (k_graphemes.contains({schema, property})) {
        return Unit::graphemes;
    }
    if ((schema == "TextMessage" || schema == "TextMessageV2") && property == "text") {
        return Unit::utf16;
    }
    // Where the page names no unit, JSON Schema's: code points.
    return Unit::code_points;
}

struct Check {
    const Visit& visit;
    Findings& findings;

    std::string at(const std::string& key) const { return property_path(visit.path, key); }

    const json* member(const std::string& key) const {
        auto it = visit.value.find(key);
        return it == visit.value.end() || it->is_null() ? nullptr : &*it;
    }

    void require(const std::string& key) const {
        if (!member(key)) {
            findings.add(k_required, at(key));
        }
    }

    // A string member's length in the page's unit for it; `required` adds "must be specified".
    // Returns whether the member is there.
    bool length(const std::string& key, std::size_t low, std::size_t high,
                bool required = false) const {
        const auto* value = member(key);
        if (!value) {
            if (required) {
                findings.add(k_required, at(key));
            }
            return false;
        }
        if (!value->is_string()) {
            return true; // the specification's type check has reported it
        }
        auto n = count(unit_of(visit.schema, key), value->get_ref<const std::string&>());
        if (n < low || n > high) {
            findings.add("Length must be between " + std::to_string(low) + " and " +
                             std::to_string(high),
                         at(key));
        }
        return true;
    }

    // A string member that must not be empty (no length limit on the page).
    void non_empty(const std::string& key) const {
        const auto* value = member(key);
        if (!value) {
            findings.add(k_required, at(key));
        } else if (value->is_string() && value->get_ref<const std::string&>().empty()) {
            findings.add("must not be empty", at(key));
        }
    }

    // An array member's size; returns the size, or -1 when absent or not an array.
    long size(const std::string& key, std::size_t low, std::size_t high) const {
        const auto* value = member(key);
        if (!value || !value->is_array()) {
            return -1;
        }
        if (value->size() < low || value->size() > high) {
            findings.add("Size must be between " + std::to_string(low) + " and " +
                             std::to_string(high),
                         at(key));
        }
        return static_cast<long>(value->size());
    }

    const std::string& parent() const {
        static const std::string k_none;
        return visit.parents.empty() ? k_none : visit.parents.back();
    }

    // The action sits in a template's "actions" array (not its defaultAction).
    bool in_actions_array() const {
        return visit.path.ends_with("]") &&
               visit.path.substr(0, visit.path.rfind('[')).ends_with(".actions");
    }
};

void action(const Check& c) {
    const auto& schema = c.visit.schema;
    const auto& parent = c.parent();
    bool quick_reply = parent == "QuickReplyItem";
    bool rich_menu = parent == "RichMenuArea";
    bool image_carousel = parent == "ImageCarouselColumn";
    bool template_button = (parent == "ButtonsTemplate" || parent == "ConfirmTemplate" ||
                            parent == "CarouselColumn") &&
                           c.in_actions_array();
    bool flex_button = parent == "FlexButton";

    // Contract: "`camera`, `cameraRoll` and `location` actions only in quick replies".
    if ((schema == "CameraAction" || schema == "CameraRollAction" || schema == "LocationAction") &&
        !quick_reply) {
        c.findings.add(c.visit.value["type"].get<std::string>() +
                           " action can only be used in a quick reply",
                       c.at("type"));
        return;
    }
    // Contract: "`richmenuswitch` (rich menus only: `richMenuAliasId` + `data`)".
    if (schema == "RichMenuSwitchAction" && !rich_menu) {
        c.findings.add("richmenuswitch action can only be used in a rich menu", c.at("type"));
        return;
    }

    // Contract: "Labels ≤ 20 (grapheme clusters); in an image carousel ≤ 12"; a template's
    // and a quick reply's buttons show their label, so it is required there ("quick reply: …
    // each {type:"action", action} with a label"); a flex button shows it too and an empty one
    // is refused (issue 17: "an empty flex text and label").
    bool label_required = template_button || quick_reply || flex_button;
    std::size_t label_max = image_carousel ? 12 : 20;
    if (flex_button) {
        c.non_empty("label"); // the page sets no number for a flex button's label
    } else {
        c.length("label", label_required ? 1 : 0, label_max, label_required);
    }

    if (schema == "URIAction") {
        // Contract: "`uri` (≤ 1000 chars; http, https, line, tel)".
        if (c.length("uri", 1, 1000, true) && c.member("uri")->is_string()) {
            const auto& uri = c.member("uri")->get_ref<const std::string&>();
            static const std::array<const char*, 4> k_schemes = {"http://", "https://", "line://",
                                                                 "tel:"};
            bool allowed = false;
            for (const char* scheme : k_schemes) {
                allowed = allowed || uri.starts_with(scheme);
            }
            if (!allowed) {
                c.findings.add("invalid uri scheme", c.at("uri"));
            }
        }
    } else if (schema == "MessageAction") {
        // Contract: "`message` (text ≤ 300)", counted in grapheme clusters.
        c.length("text", 1, 300, true);
    } else if (schema == "PostbackAction") {
        // Contract: "`postback` (data ≤ 300, may be empty; optional displayText)"; the
        // specification already bounds data to 0..300.
        c.require("data");
        c.length("displayText", 1, 300);
        c.length("text", 1, 300);
    } else if (schema == "DatetimePickerAction") {
        c.require("data");
        c.require("mode");
    } else if (schema == "RichMenuSwitchAction") {
        c.length("richMenuAliasId", 1, 32, true);
        c.require("data");
    }
}

void text_message(const Check& c) {
    // Contract: "text: ≤ 5000 characters counted in UTF-16 code units; up to 20 LINE emoji".
    // LINE refuses an empty text as missing.
    const auto* text = c.member("text");
    if (text && text->is_string() && text->get_ref<const std::string&>().empty()) {
        c.findings.add(k_required, c.at("text"));
    }
    c.length("text", 0, 5000);
    c.size("emojis", 0, 20);
}

void image_message(const Check& c) {
    // Contract: "image: `originalContentUrl` + `previewImageUrl`, HTTPS".
    for (const char* key : {"originalContentUrl", "previewImageUrl"}) {
        const auto* url = c.member(key);
        if (url && url->is_string() &&
            !url->get_ref<const std::string&>().starts_with("https://")) {
            c.findings.add("must be a valid HTTPS URL", c.at(key));
        }
    }
}

void flex_message(const Check& c) {
    // Contract: "flex: `altText` ≤ 1500; `contents` a bubble, or a carousel of ≤ 12 bubbles;
    // JSON ≤ 30 KB a bubble, ≤ 50 KB a carousel".
    c.length("altText", 1, 1500, true);
    const auto* contents = c.member("contents");
    if (!contents || !contents->is_object()) {
        return;
    }
    auto type = contents->value("type", std::string());
    auto bytes = contents->dump().size();
    auto property = c.at("contents");
    if (type == "bubble" && bytes > 30 * 1024) {
        c.findings.add("The JSON size of a bubble must be at most 30KB", property);
    } else if (type == "carousel") {
        auto bubbles = contents->find("contents");
        if (bubbles != contents->end() && bubbles->is_array() &&
            (bubbles->empty() || bubbles->size() > 12)) {
            c.findings.add("Size must be between 1 and 12", property_path(property, "contents"));
        }
        if (bytes > 50 * 1024) {
            c.findings.add("The JSON size of a carousel must be at most 50KB", property);
        }
    }
}

bool has_image(const json& object) {
    auto it = object.find("thumbnailImageUrl");
    return it != object.end() && !it->is_null();
}

bool has_title(const json& object) {
    auto it = object.find("title");
    return it != object.end() && !it->is_null();
}

void buttons(const Check& c) {
    // Contract: "buttons: title ≤ 40, text ≤ 160 (≤ 60 with image or title), ≤ 4 actions".
    c.length("title", 0, 40);
    bool short_text = has_image(c.visit.value) || has_title(c.visit.value);
    c.length("text", 1, short_text ? 60 : 160);
    c.size("actions", 1, 4);
}

void carousel_column(const Check& c) {
    // Contract: "each title ≤ 40, text ≤ 120 (≤ 60 with image/title), ≤ 3 actions".
    c.length("title", 0, 40);
    bool short_text = has_image(c.visit.value) || has_title(c.visit.value);
    c.length("text", 1, short_text ? 60 : 120);
    c.size("actions", 1, 3);
}

void carousel(const Check& c) {
    // Contract: "carousel: ≤ 10 columns … every column must have the same number of actions and
    // the same image/title usage".
    if (c.size("columns", 1, 10) < 1) {
        return;
    }
    const auto& columns = c.visit.value["columns"];
    const auto& first = columns[0];
    if (!first.is_object()) {
        return;
    }
    auto actions_of = [](const json& column) {
        auto it = column.find("actions");
        return it != column.end() && it->is_array() ? static_cast<long>(it->size()) : -1L;
    };
    auto columns_path = c.at("columns");
    for (std::size_t i = 1; i < columns.size(); ++i) {
        const auto& column = columns[i];
        if (!column.is_object()) {
            continue;
        }
        auto column_path = item_path(columns_path, i);
        if (actions_of(column) != actions_of(first)) {
            c.findings.add("must have the same number of actions as the other columns",
                           property_path(column_path, "actions"));
        }
        if (has_image(column) != has_image(first)) {
            c.findings.add("must be specified in all columns or in none",
                           property_path(column_path, "thumbnailImageUrl"));
        }
        if (has_title(column) != has_title(first)) {
            c.findings.add("must be specified in all columns or in none",
                           property_path(column_path, "title"));
        }
    }
}

void rich_menu(const Check& c) {
    // Contract, "Rich menus": `{size{width,height}, selected, name≤300, chatBarText≤14,
    // areas[≤20]{bounds{x,y,width,height}, action}}` — all required (the page marks optional
    // members with `?`); name and chatBarText counted in grapheme clusters.
    c.require("size");
    c.require("selected");
    c.length("name", 1, 300, true);
    c.length("chatBarText", 1, 14, true);
    c.require("areas");
    c.size("areas", 0, 20);
}

void rich_menu_size(const Check& c) {
    // Contract: the image is "width 800–2500, height ≥ 250, width/height ≥ 1.45" and a menu's
    // image must fill its size.
    c.require("width");
    c.require("height");
    const auto* width = c.member("width");
    const auto* height = c.member("height");
    bool width_ok = width && width->is_number_integer() && width->get<long long>() >= 800 &&
                    width->get<long long>() <= 2500;
    bool height_ok = height && height->is_number_integer() && height->get<long long>() >= 250;
    if (width && !width_ok) {
        c.findings.add("must be between 800 and 2500", c.at("width"));
    }
    if (height && !height_ok) {
        c.findings.add("must be 250 or more", c.at("height"));
    }
    if (width_ok && height_ok &&
        static_cast<double>(width->get<long long>()) /
                static_cast<double>(height->get<long long>()) <
            1.45) {
        c.findings.add("width / height must be at least 1.45", c.visit.path);
    }
}

class ContractLayer final : public Layer {
public:
    std::size_t length(const std::string& schema, const std::string& property,
                       const std::string& text) const override {
        return count(unit_of(schema, property), text);
    }

    void check(const Visit& visit, Findings& findings) const override {
        Check c{visit, findings};
        const auto& schema = visit.schema;
        if (k_actions.contains(schema)) {
            action(c);
        } else if (schema == "TextMessage" || schema == "TextMessageV2") {
            text_message(c);
        } else if (schema == "ImageMessage") {
            image_message(c);
        } else if (schema == "TemplateMessage") {
            c.length("altText", 1, 1500, true); // Contract: "template: `altText` ≤ 1500"
        } else if (schema == "FlexMessage") {
            flex_message(c);
        } else if (schema == "ButtonsTemplate") {
            buttons(c);
        } else if (schema == "ConfirmTemplate") {
            // Contract: "confirm: 2 actions"; its text is counted in grapheme clusters, up to
            // 240 (LINE's reference for the confirm template; the page gives no number).
            c.length("text", 1, 240);
            c.size("actions", 2, 2);
        } else if (schema == "CarouselTemplate") {
            carousel(c);
        } else if (schema == "CarouselColumn") {
            carousel_column(c);
        } else if (schema == "ImageCarouselTemplate") {
            c.size("columns", 1, 10); // as the carousel's ≤ 10 columns
        } else if (schema == "QuickReply") {
            c.require("items"); // Contract: "quick reply: ≤ 13 items" (the spec: maxItems 13)
        } else if (schema == "QuickReplyItem") {
            // Contract: "each `{type:"action", action}`".
            const auto* type = c.member("type");
            if (!type) {
                findings.add(k_required, c.at("type"));
            } else if (*type != "action") {
                findings.add("must be one of the following values: [action]", c.at("type"));
            }
            c.require("action");
        } else if (schema == "FlexText") {
            // A flex text shows its text unless spans replace it; LINE refuses an empty one.
            const auto* spans = c.member("contents");
            bool has_spans = spans && spans->is_array() && !spans->empty();
            if (!has_spans) {
                c.non_empty("text");
            }
        } else if (schema == "FlexSpan") {
            c.non_empty("text");
        } else if (schema == "RichMenuRequest") {
            rich_menu(c);
        } else if (schema == "RichMenuSize") {
            rich_menu_size(c);
        } else if (schema == "RichMenuArea") {
            c.require("bounds");
            c.require("action");
        } else if (schema == "RichMenuBounds") {
            for (const char* key : {"x", "y", "width", "height"}) {
                c.require(key);
            }
        }
    }
};

const ContractLayer k_contract;

} // namespace

std::vector<ErrorDetail> check_request(const json& body, const std::string& schema) {
    Findings findings;
    OpenApiSchemas::messaging_api().validate(body, schema, k_contract, findings);
    return findings.details();
}

std::vector<ErrorDetail> validate_messages(const json& messages) {
    json body = json::object();
    if (!messages.is_null()) {
        body["messages"] = messages;
    }
    return check_request(body, "ValidateMessageRequest");
}

std::vector<ErrorDetail> validate_rich_menu(const json& menu) {
    return check_request(menu, "RichMenuRequest");
}

json error_body(const std::vector<ErrorDetail>& details) {
    json list = json::array();
    for (const auto& detail : details) {
        list.push_back({{"message", detail.message}, {"property", detail.property}});
    }
    return {{"message", "The request body has " + std::to_string(details.size()) + " error(s)"},
            {"details", list}};
}

} // namespace musubi::sim::line
