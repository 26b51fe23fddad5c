#include "daemon/templates/message_limits.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>

namespace musubi::templates {

namespace {

using nlohmann::json;

std::string quoted(const json& value) {
    return value.is_string() ? "'" + value.get<std::string>() + "'" : value.dump();
}

// Member `key` as text for comparing with LINE's names: "" when missing or null, the JSON of
// any other non-string (so {"type": 98} is reported as type '98' instead of throwing).
std::string member_text(const json& object, const char* key) {
    const auto it = object.find(key);
    if (it == object.end() || it->is_null()) {
        return {};
    }
    return it->is_string() ? it->get<std::string>() : it->dump();
}

std::string index_path(const std::string& path, const char* member, std::size_t index) {
    return path + "." + member + "[" + std::to_string(index) + "]";
}

bool one_of(const std::string& value, std::initializer_list<const char*> names) {
    return std::any_of(names.begin(), names.end(), [&](const char* name) { return value == name; });
}

constexpr const char* k_empty_hint =
    "a variable in it may have rendered empty for this message; put fixed text around it, or "
    "give a fallback with {{^name}}…{{/name}}";

enum class Count { utf16, graphemes };

// Where an action is: which types LINE allows there and what it asks of the label.
struct ActionPlace {
    bool label_required = false;
    std::size_t label_max = 20;
    bool quick_reply = false;
};

class Checker {
public:
    std::vector<LimitViolation> violations;

    void fail(const std::string& path, std::string message, std::string hint) {
        violations.push_back({path, std::move(message), std::move(hint)});
    }

    void missing(const std::string& path) {
        fail(path, path + " is missing; LINE requires it", "add it to the template");
    }

    // A string member. Returns whether it is present (LINE treats a present title as "has a
    // title" even when it is empty).
    bool text(const json& parent, const char* key, const std::string& path, std::size_t min,
              std::size_t max, bool required, const std::string& why = {},
              Count count = Count::utf16) {
        const auto it = parent.find(key);
        if (it == parent.end() || it->is_null()) {
            if (required) {
                missing(path);
            }
            return false;
        }
        if (!it->is_string()) {
            fail(path, path + " is " + it->dump() + ", not text",
                 "write it as text in double quotes");
            return true;
        }
        const auto& value = it->get_ref<const std::string&>();
        const auto length = count == Count::utf16 ? utf16_length(value) : grapheme_count(value);
        if (length < min) {
            fail(path,
                 path + " is empty; LINE requires at least " + with_thousands(min) + " character" +
                     (min == 1 ? "" : "s"),
                 k_empty_hint);
        } else if (length > max) {
            fail(path,
                 path + " is " + with_thousands(length) + " characters; LINE allows " +
                     with_thousands(max) + why,
                 count == Count::utf16
                     ? "shorten it (LINE counts an emoji as 2 characters); a long variable value "
                       "may be the cause"
                     : "shorten it; a long variable value may be the cause");
        }
        return true;
    }

    // A whole number member; `min` is the smallest LINE takes.
    void number(const json& parent, const char* key, const std::string& path, long min) {
        const auto it = parent.find(key);
        if (it == parent.end() || it->is_null()) {
            missing(path);
            return;
        }
        if (!it->is_number_integer() || it->get<long>() < min) {
            fail(path,
                 path + " is " + quoted(*it) + "; LINE requires a whole number of at least " +
                     std::to_string(min),
                 "write a number without quotes, e.g. 0 or 1040");
        }
    }

    void https_url(const json& parent, const char* key, const std::string& path, bool required) {
        const auto it = parent.find(key);
        if (it == parent.end() || it->is_null()) {
            if (required) {
                missing(path);
            }
            return;
        }
        if (!it->is_string() || !it->get_ref<const std::string&>().starts_with("https://")) {
            const bool empty = it->is_string() && it->get_ref<const std::string&>().empty();
            fail(path,
                 empty ? path + " is empty; LINE requires an https:// URL"
                       : path + " is " + quoted(*it) + "; LINE requires an https:// URL",
                 empty ? k_empty_hint : "use an image URL that starts with https://");
            return;
        }
        const auto& url = it->get_ref<const std::string&>();
        if (const auto bad = bad_uri_character(url); !bad.empty()) {
            fail(path, path + " contains " + bad + ", which a URL cannot hold",
                 "percent-encode it (a space is %20); a variable in the URL may be the cause");
            return;
        }
        const auto length = utf16_length(url);
        if (length > 2000) {
            fail(path, path + " is " + with_thousands(length) + " characters; LINE allows 2,000",
                 "use a shorter URL");
        }
    }

    // A link a tap opens (uri actions, imagemap links): http, https, line or tel.
    void link(const json& parent, const char* key, const std::string& path) {
        const auto it = parent.find(key);
        if (it == parent.end() || it->is_null()) {
            missing(path);
            return;
        }
        if (!it->is_string()) {
            fail(path, path + " is " + it->dump() + ", not text",
                 "write the link in double quotes");
            return;
        }
        const auto& uri = it->get_ref<const std::string&>();
        if (uri.empty()) {
            fail(path, path + " is empty; LINE requires a link",
                 "the variable that makes the link (e.g. {{shipping.tracking_url}}) is empty "
                 "for this message; give a fallback link with {{^name}}https://…{{/name}}");
            return;
        }
        const auto length = utf16_length(uri);
        if (length > 1000) {
            fail(path, path + " is " + with_thousands(length) + " characters; LINE allows 1,000",
                 "use a shorter link");
        }
        if (!uri.starts_with("http://") && !uri.starts_with("https://") &&
            !uri.starts_with("line://") && !uri.starts_with("tel:")) {
            fail(path,
                 path + " is " + quoted(*it) +
                     "; LINE accepts only links that start with http://, https://, line:// or "
                     "tel:",
                 "write the full link, e.g. https://…");
        } else if (const auto bad = bad_uri_character(uri); !bad.empty()) {
            fail(path, path + " contains " + bad + ", which a link cannot hold",
                 "percent-encode it (a space is %20); a variable in the link may be the cause");
        }
    }

    void label(const json& action, const std::string& path, const ActionPlace& place) {
        const auto it = action.find("label");
        const auto label_path = path + ".label";
        if (it == action.end() || it->is_null()) {
            if (place.label_required) {
                missing(label_path);
            }
            return;
        }
        if (!it->is_string()) {
            fail(label_path, label_path + " is " + it->dump() + ", not text",
                 "write it as text in double quotes");
            return;
        }
        const auto count = grapheme_count(it->get_ref<const std::string&>());
        const auto max = std::to_string(place.label_max);
        if (count == 0) {
            fail(label_path, label_path + " is empty; LINE requires 1 to " + max + " characters",
                 k_empty_hint);
        } else if (count > place.label_max) {
            fail(label_path,
                 label_path + " is " + with_thousands(count) + " characters; LINE allows " + max +
                     (place.label_max == 12 ? " in an image carousel" : ""),
                 "shorten the button label");
        }
    }

    void action(const json& value, const std::string& path, const ActionPlace& place) {
        if (!value.is_object()) {
            fail(path, path + " is not an action object",
                 "write an action like {\"type\": \"uri\", \"label\": \"…\", \"uri\": "
                 "\"https://…\"}");
            return;
        }
        const auto type = member_text(value, "type");
        label(value, path, place);
        if (type == "uri") {
            link(value, "uri", path + ".uri");
            if (const auto alt = value.find("altUri");
                alt != value.end() && alt->is_object() && alt->contains("desktop")) {
                link(*alt, "desktop", path + ".altUri.desktop");
            }
        } else if (type == "message") {
            text(value, "text", path + ".text", 1, 300, true, {}, Count::graphemes);
        } else if (type == "postback") {
            // The data may be empty (the specification's minLength 0), but not missing.
            text(value, "data", path + ".data", 0, 300, true);
            text(value, "displayText", path + ".displayText", 1, 300, false, {}, Count::graphemes);
            text(value, "text", path + ".text", 1, 300, false, {}, Count::graphemes);
        } else if (type == "datetimepicker") {
            text(value, "data", path + ".data", 0, 300, true);
            const auto mode = member_text(value, "mode");
            if (mode != "date" && mode != "time" && mode != "datetime") {
                fail(path + ".mode",
                     path + ".mode is '" + mode + "'; LINE accepts date, time or datetime",
                     "write \"mode\": \"date\", \"time\" or \"datetime\"");
            }
        } else if (type == "clipboard") {
            text(value, "clipboardText", path + ".clipboardText", 1, 1000, true);
        } else if (type == "richmenuswitch") {
            fail(path + ".type", path + ".type richmenuswitch works only in a rich menu",
                 "use a postback or uri action in a message");
        } else if (type == "camera" || type == "cameraRoll" || type == "location") {
            if (!place.quick_reply) {
                fail(path + ".type", path + ".type " + type + " works only in a quick reply",
                     "put it in a quickReply item, or use a uri, message or postback action "
                     "here");
            }
        } else if (type.empty()) {
            missing(path + ".type");
        } else {
            fail(path + ".type", path + ".type '" + type + "' is not a LINE action type",
                 "use uri, message, postback, datetimepicker, clipboard, camera, cameraRoll or "
                 "location");
        }
    }

    // An optional action (a bubble's, a box's, a default action): the label may be left out.
    void optional_action(const json& parent, const char* key, const std::string& path) {
        if (const auto it = parent.find(key); it != parent.end() && !it->is_null()) {
            action(*it, path, ActionPlace{});
        }
    }

    // Returns the number of actions, or -1 when there is no array.
    long actions(const json& parent, const std::string& path, std::size_t min, std::size_t max) {
        const auto actions_path = path + ".actions";
        const auto it = parent.find("actions");
        if (it == parent.end() || !it->is_array()) {
            missing(actions_path);
            return -1;
        }
        if (it->size() < min || it->size() > max) {
            fail(actions_path,
                 actions_path + " has " + std::to_string(it->size()) + " action" +
                     (it->size() == 1 ? "" : "s") + "; LINE allows " +
                     (min == max ? std::to_string(min)
                                 : std::to_string(min) + " to " + std::to_string(max)),
                 min == max ? "give it exactly " + std::to_string(min) + " actions"
                            : "give it " + std::to_string(min) + " to " + std::to_string(max) +
                                  " actions");
        }
        for (std::size_t i = 0; i < it->size(); ++i) {
            action((*it)[i], index_path(path, "actions", i), ActionPlace{true, 20, false});
        }
        return static_cast<long>(it->size());
    }

    void buttons(const json& tpl, const std::string& path) {
        const bool has_title =
            text(tpl, "title", path + ".title", 0, 40, false, {}, Count::graphemes);
        https_url(tpl, "thumbnailImageUrl", path + ".thumbnailImageUrl", false);
        const bool has_image = tpl.contains("thumbnailImageUrl");
        const bool short_text = has_title || has_image;
        text(tpl, "text", path + ".text", 1, short_text ? 60 : 160, true,
             short_text ? " when the buttons have a title or an image" : "", Count::graphemes);
        actions(tpl, path, 1, 4);
        optional_action(tpl, "defaultAction", path + ".defaultAction");
    }

    void columns_count(const json& columns, const std::string& columns_path) {
        if (columns.empty() || columns.size() > 10) {
            fail(columns_path,
                 columns_path + " has " + std::to_string(columns.size()) +
                     " columns; LINE allows 1 to 10",
                 "give the carousel 1 to 10 columns");
        }
    }

    void carousel(const json& tpl, const std::string& path) {
        const auto columns_path = path + ".columns";
        const auto it = tpl.find("columns");
        if (it == tpl.end() || !it->is_array()) {
            missing(columns_path);
            return;
        }
        columns_count(*it, columns_path);
        long first_actions = -2;
        bool first_image = false;
        bool first_title = false;
        for (std::size_t i = 0; i < it->size(); ++i) {
            const auto& column = (*it)[i];
            const auto column_path = index_path(path, "columns", i);
            if (!column.is_object()) {
                fail(column_path, column_path + " is not a column object",
                     "write each column as {\"text\": \"…\", \"actions\": […]}");
                continue;
            }
            const bool has_title =
                text(column, "title", column_path + ".title", 0, 40, false, {}, Count::graphemes);
            https_url(column, "thumbnailImageUrl", column_path + ".thumbnailImageUrl", false);
            const bool has_image = column.contains("thumbnailImageUrl");
            const bool short_text = has_title || has_image;
            text(column, "text", column_path + ".text", 1, short_text ? 60 : 120, true,
                 short_text ? " when the column has a title or an image" : "", Count::graphemes);
            const auto count = actions(column, column_path, 1, 3);
            optional_action(column, "defaultAction", column_path + ".defaultAction");
            if (i == 0) {
                first_actions = count;
                first_image = has_image;
                first_title = has_title;
                continue;
            }
            if (count != first_actions) {
                fail(column_path + ".actions",
                     column_path + ".actions has " + std::to_string(count) +
                         " actions but columns[0] has " + std::to_string(first_actions) +
                         "; LINE requires the same number in every column",
                     "give every column the same number of actions");
            }
            if (has_image != first_image) {
                fail(column_path + ".thumbnailImageUrl",
                     column_path +
                         (has_image ? " has an image but columns[0] has none"
                                    : " has no image but columns[0] has one") +
                         "; LINE requires an image in every column or in none",
                     "give every column a thumbnailImageUrl, or none");
            }
            if (has_title != first_title) {
                fail(column_path + ".title",
                     column_path +
                         (has_title ? " has a title but columns[0] has none"
                                    : " has no title but columns[0] has one") +
                         "; LINE requires a title in every column or in none",
                     "give every column a title, or none");
            }
        }
    }

    void image_carousel(const json& tpl, const std::string& path) {
        const auto columns_path = path + ".columns";
        const auto it = tpl.find("columns");
        if (it == tpl.end() || !it->is_array()) {
            missing(columns_path);
            return;
        }
        columns_count(*it, columns_path);
        for (std::size_t i = 0; i < it->size(); ++i) {
            const auto column_path = index_path(path, "columns", i);
            const auto& column = (*it)[i];
            if (!column.is_object()) {
                fail(column_path, column_path + " is not a column object",
                     "write each column as {\"imageUrl\": \"https://…\", \"action\": {…}}");
                continue;
            }
            https_url(column, "imageUrl", column_path + ".imageUrl", true);
            if (!column.contains("action")) {
                missing(column_path + ".action");
            } else {
                action(column["action"], column_path + ".action", ActionPlace{false, 12, false});
            }
        }
    }

    void template_message(const json& message, const std::string& path) {
        text(message, "altText", path + ".altText", 1, 1500, true);
        const auto it = message.find("template");
        const auto tpl_path = path + ".template";
        if (it == message.end() || !it->is_object()) {
            missing(tpl_path);
            return;
        }
        const auto type = member_text(*it, "type");
        if (type == "buttons") {
            buttons(*it, tpl_path);
        } else if (type == "confirm") {
            text(*it, "text", tpl_path + ".text", 1, 240, true, {}, Count::graphemes);
            actions(*it, tpl_path, 2, 2);
        } else if (type == "carousel") {
            carousel(*it, tpl_path);
        } else if (type == "image_carousel") {
            image_carousel(*it, tpl_path);
        } else if (type.empty()) {
            missing(tpl_path + ".type");
        } else {
            fail(tpl_path + ".type", tpl_path + ".type '" + type + "' is not a LINE template type",
                 "use buttons, confirm, carousel or image_carousel");
        }
    }

    // A flex text that LINE refuses when empty (a text component's or a span's `text`).
    void flex_text(const json& component, const std::string& path) {
        const auto text_path = path + ".text";
        const auto it = component.find("text");
        if (it == component.end() || it->is_null()) {
            missing(text_path);
            return;
        }
        if (!it->is_string()) {
            fail(text_path, text_path + " is " + it->dump() + ", not text",
                 "write it as text in double quotes");
        } else if (it->get_ref<const std::string&>().empty()) {
            fail(text_path, text_path + " is empty; LINE requires at least 1 character",
                 k_empty_hint);
        }
    }

    void flex_box(const json& box, const std::string& path) {
        const auto layout = member_text(box, "layout");
        if (layout.empty()) {
            missing(path + ".layout");
        } else if (!one_of(layout, {"horizontal", "vertical", "baseline"})) {
            fail(path + ".layout",
                 path + ".layout is '" + layout +
                     "'; LINE accepts horizontal, vertical or baseline",
                 "write \"layout\": \"vertical\" (or horizontal, baseline)");
        }
        const auto contents = box.find("contents");
        if (contents == box.end() || !contents->is_array()) {
            missing(path + ".contents");
        } else {
            for (std::size_t i = 0; i < contents->size(); ++i) {
                flex_component((*contents)[i], index_path(path, "contents", i));
            }
        }
        optional_action(box, "action", path + ".action");
    }

    void flex_component(const json& component, const std::string& path) {
        if (!component.is_object()) {
            fail(path, path + " is not a flex component object",
                 "write a component like {\"type\": \"text\", \"text\": \"…\"}");
            return;
        }
        const auto type = member_text(component, "type");
        if (type == "box") {
            flex_box(component, path);
        } else if (type == "button") {
            const auto it = component.find("action");
            if (it == component.end() || it->is_null()) {
                missing(path + ".action");
            } else {
                action(*it, path + ".action", ActionPlace{true, 20, false});
            }
            const auto style = member_text(component, "style");
            if (!style.empty() && !one_of(style, {"primary", "secondary", "link"})) {
                fail(path + ".style",
                     path + ".style is '" + style + "'; LINE accepts primary, secondary or link",
                     "write \"style\": \"primary\", \"secondary\" or \"link\"");
            }
        } else if (type == "text") {
            // A text made of spans may leave `text` out.
            const auto spans = component.find("contents");
            if (spans != component.end() && spans->is_array() && !spans->empty()) {
                if (component.contains("text")) {
                    text(component, "text", path + ".text", 1, SIZE_MAX, false);
                }
                for (std::size_t i = 0; i < spans->size(); ++i) {
                    flex_component((*spans)[i], index_path(path, "contents", i));
                }
            } else {
                flex_text(component, path);
            }
            optional_action(component, "action", path + ".action");
        } else if (type == "span") {
            flex_text(component, path);
        } else if (type == "image") {
            https_url(component, "url", path + ".url", true);
            optional_action(component, "action", path + ".action");
        } else if (type == "icon") {
            https_url(component, "url", path + ".url", true);
        } else if (type == "video") {
            https_url(component, "url", path + ".url", true);
            https_url(component, "previewUrl", path + ".previewUrl", true);
            const auto alt = component.find("altContent");
            if (alt == component.end() || alt->is_null()) {
                missing(path + ".altContent");
            } else {
                flex_component(*alt, path + ".altContent");
            }
            optional_action(component, "action", path + ".action");
        } else if (type == "separator" || type == "filler") {
            // Nothing LINE requires.
        } else if (type.empty()) {
            missing(path + ".type");
        } else {
            fail(path + ".type", path + ".type '" + type + "' is not a flex component type",
                 "use box, button, image, video, icon, text, span, separator or filler");
        }
    }

    void bubble(const json& bubble, const std::string& path) {
        for (const char* block : {"header", "body", "footer"}) {
            const auto it = bubble.find(block);
            if (it == bubble.end() || it->is_null()) {
                continue;
            }
            const auto block_path = path + "." + block;
            if (!it->is_object() || member_text(*it, "type") != "box") {
                fail(block_path + ".type", block_path + " must be a box",
                     "write \"" + std::string(block) +
                         "\": {\"type\": \"box\", \"layout\": \"vertical\", \"contents\": […]}");
                continue;
            }
            flex_box(*it, block_path);
        }
        if (const auto hero = bubble.find("hero"); hero != bubble.end() && !hero->is_null()) {
            flex_component(*hero, path + ".hero");
        }
        optional_action(bubble, "action", path + ".action");
    }

    void flex_message(const json& message, const std::string& path) {
        text(message, "altText", path + ".altText", 1, 1500, true);
        const auto contents_path = path + ".contents";
        const auto it = message.find("contents");
        if (it == message.end() || !it->is_object()) {
            missing(contents_path);
            return;
        }
        const auto type = member_text(*it, "type");
        const auto size = it->dump().size();
        if (type == "bubble") {
            if (size > 30 * 1024) {
                fail(contents_path,
                     contents_path + " is " + with_thousands(size) +
                         " bytes of JSON; LINE allows 30 KB (30,720 bytes) for a bubble",
                     "make the bubble smaller");
            }
            bubble(*it, contents_path);
        } else if (type == "carousel") {
            const auto bubbles = it->find("contents");
            const std::size_t count =
                bubbles != it->end() && bubbles->is_array() ? bubbles->size() : 0;
            if (count == 0 || count > 12) {
                fail(contents_path + ".contents",
                     contents_path + ".contents has " + std::to_string(count) +
                         " bubbles; LINE allows 1 to 12",
                     "give the carousel 1 to 12 bubbles");
            }
            if (size > 50 * 1024) {
                fail(contents_path,
                     contents_path + " is " + with_thousands(size) +
                         " bytes of JSON; LINE allows 50 KB (51,200 bytes) for a carousel",
                     "use fewer or smaller bubbles");
            }
            for (std::size_t i = 0; i < count; ++i) {
                const auto bubble_path = index_path(contents_path, "contents", i);
                const auto& one = (*bubbles)[i];
                if (!one.is_object() || member_text(one, "type") != "bubble") {
                    fail(bubble_path + ".type", bubble_path + " must be a bubble",
                         "write each item of a carousel as {\"type\": \"bubble\", …}");
                    continue;
                }
                bubble(one, bubble_path);
            }
        } else if (type.empty()) {
            missing(contents_path + ".type");
        } else {
            fail(contents_path + ".type",
                 contents_path + ".type '" + type + "' is not a flex container type",
                 "use bubble or carousel");
        }
    }

    void imagemap_area(const json& parent, const std::string& path) {
        const auto it = parent.find("area");
        if (it == parent.end() || !it->is_object()) {
            missing(path + ".area");
            return;
        }
        number(*it, "x", path + ".area.x", 0);
        number(*it, "y", path + ".area.y", 0);
        number(*it, "width", path + ".area.width", 1);
        number(*it, "height", path + ".area.height", 1);
    }

    void imagemap(const json& message, const std::string& path) {
        https_url(message, "baseUrl", path + ".baseUrl", true);
        text(message, "altText", path + ".altText", 1, 1500, true);
        const auto size = message.find("baseSize");
        if (size == message.end() || !size->is_object()) {
            missing(path + ".baseSize");
        } else {
            number(*size, "width", path + ".baseSize.width", 1);
            number(*size, "height", path + ".baseSize.height", 1);
        }
        const auto actions = message.find("actions");
        if (actions == message.end() || !actions->is_array()) {
            missing(path + ".actions");
        } else {
            if (actions->size() > 50) {
                fail(path + ".actions",
                     path + ".actions has " + std::to_string(actions->size()) +
                         " actions; LINE allows 50",
                     "merge or remove areas until 50 are left");
            }
            for (std::size_t i = 0; i < actions->size(); ++i) {
                const auto action_path = index_path(path, "actions", i);
                const auto& one = (*actions)[i];
                if (!one.is_object()) {
                    fail(action_path, action_path + " is not an imagemap action object",
                         "write {\"type\": \"uri\", \"linkUri\": \"https://…\", \"area\": {…}}");
                    continue;
                }
                const auto type = member_text(one, "type");
                if (type == "uri") {
                    link(one, "linkUri", action_path + ".linkUri");
                } else if (type == "message") {
                    text(one, "text", action_path + ".text", 1, 400, true);
                } else if (type == "clipboard") {
                    text(one, "clipboardText", action_path + ".clipboardText", 1, 1000, true);
                } else if (type.empty()) {
                    missing(action_path + ".type");
                } else {
                    fail(action_path + ".type",
                         action_path + ".type '" + type + "' is not an imagemap action type",
                         "use uri, message or clipboard");
                }
                imagemap_area(one, action_path);
            }
        }
        if (const auto video = message.find("video"); video != message.end() && !video->is_null()) {
            const auto video_path = path + ".video";
            https_url(*video, "originalContentUrl", video_path + ".originalContentUrl", true);
            https_url(*video, "previewImageUrl", video_path + ".previewImageUrl", true);
            imagemap_area(*video, video_path);
            if (const auto external = video->find("externalLink");
                external != video->end() && !external->is_null()) {
                link(*external, "linkUri", video_path + ".externalLink.linkUri");
                text(*external, "label", video_path + ".externalLink.label", 1, 30, true, {},
                     Count::graphemes);
            }
        }
    }

    void location(const json& message, const std::string& path) {
        text(message, "title", path + ".title", 1, 100, true);
        text(message, "address", path + ".address", 1, 100, true);
        for (const char* key : {"latitude", "longitude"}) {
            const auto it = message.find(key);
            const auto key_path = path + "." + key;
            if (it == message.end() || it->is_null()) {
                missing(key_path);
            } else if (!it->is_number()) {
                fail(key_path, key_path + " is " + quoted(*it) + "; LINE requires a number",
                     "write the number without quotes, e.g. 35.65910807942215");
            }
        }
    }

    void quick_reply(const json& value, const std::string& path) {
        const auto items_path = path + ".items";
        const auto items = value.is_object() ? value.find("items") : value.end();
        if (!value.is_object() || items == value.end() || !items->is_array()) {
            missing(items_path);
            return;
        }
        if (items->empty() || items->size() > 13) {
            fail(items_path,
                 items_path + " has " + std::to_string(items->size()) +
                     " buttons; LINE allows 1 to 13",
                 "give the quick reply 1 to 13 items");
        }
        for (std::size_t i = 0; i < items->size(); ++i) {
            const auto item_path = index_path(path, "items", i);
            const auto& item = (*items)[i];
            if (!item.is_object()) {
                fail(item_path, item_path + " is not a quick-reply item",
                     "write {\"type\": \"action\", \"action\": {…}}");
                continue;
            }
            const auto type = member_text(item, "type");
            if (type != "action") {
                fail(item_path + ".type",
                     type.empty() ? item_path + ".type is missing; LINE requires \"action\""
                                  : item_path + ".type is '" + type + "'; LINE requires \"action\"",
                     "write \"type\": \"action\"");
            }
            https_url(item, "imageUrl", item_path + ".imageUrl", false);
            const auto it = item.find("action");
            if (it == item.end() || it->is_null()) {
                missing(item_path + ".action");
            } else {
                action(*it, item_path + ".action", ActionPlace{true, 20, true});
            }
        }
    }

    void text_message(const json& value, const std::string& path) {
        const auto text_path = path + ".text";
        // LINE words the limit as 0..5000 but refuses an empty text.
        text(value, "text", text_path, 1, 5000, true);
        if (value.contains("emojis") &&
            (!value["emojis"].is_array() || value["emojis"].size() > 20)) {
            fail(path + ".emojis",
                 path + ".emojis has " + std::to_string(value["emojis"].size()) +
                     " LINE emoji; LINE allows 20",
                 "use at most 20 LINE emoji in one text");
        }
    }

    void media_message(const json& value, const std::string& path, const std::string& type) {
        https_url(value, "originalContentUrl", path + ".originalContentUrl", true);
        if (type != "audio") {
            https_url(value, "previewImageUrl", path + ".previewImageUrl", true);
        } else {
            number(value, "duration", path + ".duration", 1);
        }
    }

    void message(const json& value, const std::string& path) {
        if (!value.is_object()) {
            fail(path, path + " is not a message object",
                 "write a LINE message object like {\"type\": \"text\", \"text\": \"…\"}");
            return;
        }
        const auto type = member_text(value, "type");
        if (type == "text" || type == "textV2") {
            text_message(value, path);
        } else if (type == "image" || type == "video" || type == "audio") {
            media_message(value, path, type);
        } else if (type == "sticker") {
            text(value, "packageId", path + ".packageId", 1, SIZE_MAX, true);
            text(value, "stickerId", path + ".stickerId", 1, SIZE_MAX, true);
        } else if (type == "location") {
            location(value, path);
        } else if (type == "imagemap") {
            imagemap(value, path);
        } else if (type == "template") {
            template_message(value, path);
        } else if (type == "flex") {
            flex_message(value, path);
        } else if (type == "coupon") {
            text(value, "couponId", path + ".couponId", 1, SIZE_MAX, true);
        } else if (type.empty()) {
            missing(path + ".type");
        } else {
            fail(path + ".type", path + ".type '" + type + "' is not a LINE message type",
                 "use text, textV2, sticker, image, video, audio, location, imagemap, template "
                 "or flex");
        }
        if (const auto sender = value.find("sender");
            sender != value.end() && sender->is_object()) {
            text(*sender, "name", path + ".sender.name", 1, 20, false);
            https_url(*sender, "iconUrl", path + ".sender.iconUrl", false);
        }
        if (const auto it = value.find("quickReply"); it != value.end()) {
            quick_reply(*it, path + ".quickReply");
        }
    }
};

} // namespace

// The first character that may not appear in a URI as RFC 3986 writes it (the
// specification's `format: uri`): a space, a control character, a character outside ASCII,
// a '%' that does not start a percent-encoded byte, or one of "<>\^`{|}. Empty when there is
// none.
std::string bad_uri_character(const std::string& uri) {
    for (std::size_t i = 0; i < uri.size(); ++i) {
        const auto c = static_cast<unsigned char>(uri[i]);
        if (c == ' ') {
            return "a space";
        }
        if (c < 0x20 || c == 0x7F) {
            return "a control character (such as a line break)";
        }
        if (c >= 0x80) {
            std::size_t end = i + 1;
            while (end < uri.size() && (static_cast<unsigned char>(uri[end]) & 0xC0u) == 0x80u) {
                ++end;
            }
            return "'" + uri.substr(i, end - i) + "'";
        }
        if (c == '%' &&
            (i + 2 >= uri.size() || std::isxdigit(static_cast<unsigned char>(uri[i + 1])) == 0 ||
             std::isxdigit(static_cast<unsigned char>(uri[i + 2])) == 0)) {
            return "a '%' that is not followed by two hex digits";
        }
        if (std::string_view("\"<>\\^`{|}").find(static_cast<char>(c)) != std::string_view::npos) {
            return std::string("'") + static_cast<char>(c) + "'";
        }
    }
    return {};
}

std::vector<LimitViolation> check_message_limits(const json& messages) {
    Checker checker;
    if (!messages.is_array()) {
        checker.fail("messages", "the template does not make a list of messages",
                     "write one LINE message object, or a list of 1 to 5");
        return checker.violations;
    }
    if (messages.empty() || messages.size() > 5) {
        checker.fail("messages",
                     "the template makes " + std::to_string(messages.size()) +
                         " messages; LINE allows 1 to 5",
                     "split it into templates of at most 5 messages");
    }
    for (std::size_t i = 0; i < messages.size(); ++i) {
        checker.message(messages[i], "messages[" + std::to_string(i) + "]");
    }
    return checker.violations;
}

std::string pointer_of(std::string_view path) {
    if (path.starts_with("messages")) {
        path.remove_prefix(8);
    }
    std::string pointer;
    if (!path.empty() && path.front() != '.' && path.front() != '[') {
        pointer += '/'; // "areas[0].action" (a rich menu's property) starts with a name
    }
    for (std::size_t i = 0; i < path.size(); ++i) {
        const char c = path[i];
        if (c == '.' || c == '[') {
            pointer += '/';
        } else if (c != ']') {
            pointer += c;
        }
    }
    return pointer;
}

} // namespace musubi::templates
