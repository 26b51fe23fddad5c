#include "daemon/templates/message_limits.hpp"

#include <cstdint>

namespace musubi::templates {

namespace {

using nlohmann::json;

// Decodes leniently: nlohmann::json has already refused malformed UTF-8 in strings.
std::vector<std::uint32_t> code_points(std::string_view utf8) {
    std::vector<std::uint32_t> points;
    for (std::size_t i = 0; i < utf8.size();) {
        const auto lead = static_cast<unsigned char>(utf8[i]);
        const std::size_t extra = lead < 0x80 ? 0 : lead < 0xE0 ? 1 : lead < 0xF0 ? 2 : 3;
        std::uint32_t point = extra == 0   ? lead
                              : extra == 1 ? (lead & 0x1Fu)
                              : extra == 2 ? (lead & 0x0Fu)
                                           : (lead & 0x07u);
        for (std::size_t k = 1; k <= extra && i + k < utf8.size(); ++k) {
            point = (point << 6) | (static_cast<unsigned char>(utf8[i + k]) & 0x3Fu);
        }
        points.push_back(point);
        i += extra + 1;
    }
    return points;
}

bool extends_previous(std::uint32_t point) {
    return (point >= 0x0300 && point <= 0x036F) || (point >= 0x1AB0 && point <= 0x1AFF) ||
           (point >= 0x1DC0 && point <= 0x1DFF) || (point >= 0x20D0 && point <= 0x20FF) ||
           (point >= 0xFE00 && point <= 0xFE0F) || (point >= 0x1F3FB && point <= 0x1F3FF) ||
           (point >= 0xE0020 && point <= 0xE007F) || (point >= 0xE0100 && point <= 0xE01EF) ||
           point == 0x3099 || point == 0x309A;
}

bool regional_indicator(std::uint32_t point) {
    return point >= 0x1F1E6 && point <= 0x1F1FF;
}

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

constexpr const char* k_empty_hint =
    "a variable in it may have rendered empty for this message; put fixed text around it, or "
    "give a fallback with {{^name}}…{{/name}}";

class Checker {
public:
    std::vector<LimitViolation> violations;

    void fail(const std::string& path, std::string message, std::string hint) {
        violations.push_back({path, std::move(message), std::move(hint)});
    }

    void missing(const std::string& path) {
        fail(path, path + " is missing; LINE requires it", "add it to the template");
    }

    // A string member measured in UTF-16 code units. Returns whether it is present (LINE
    // treats a present title as "has a title" even when it is empty).
    bool text(const json& parent, const char* key, const std::string& path, std::size_t min,
              std::size_t max, bool required, const std::string& why = {}) {
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
        const auto length = utf16_length(it->get_ref<const std::string&>());
        if (length < min) {
            fail(path,
                 path + " is empty; LINE requires at least " + with_thousands(min) + " character" +
                     (min == 1 ? "" : "s"),
                 k_empty_hint);
        } else if (length > max) {
            fail(path,
                 path + " is " + with_thousands(length) + " characters; LINE allows " +
                     with_thousands(max) + why,
                 "shorten it (LINE counts an emoji as 2 characters); a long variable value may "
                 "be the cause");
        }
        return true;
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
        const auto length = utf16_length(it->get_ref<const std::string&>());
        if (length > 2000) {
            fail(path, path + " is " + with_thousands(length) + " characters; LINE allows 2,000",
                 "use a shorter URL");
        }
    }

    void label(const json& action, const std::string& path, bool required) {
        const auto it = action.find("label");
        const auto label_path = path + ".label";
        if (it == action.end() || it->is_null()) {
            if (required) {
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
        if (count == 0) {
            fail(label_path, label_path + " is empty; LINE requires 1 to 20 characters",
                 k_empty_hint);
        } else if (count > 20) {
            fail(label_path,
                 label_path + " is " + with_thousands(count) + " characters; LINE allows 20",
                 "shorten the button label");
        }
    }

    void uri_action(const json& action, const std::string& path) {
        const auto uri_path = path + ".uri";
        const auto it = action.find("uri");
        if (it == action.end() || it->is_null()) {
            missing(uri_path);
            return;
        }
        if (!it->is_string()) {
            fail(uri_path, uri_path + " is " + it->dump() + ", not text",
                 "write the link in double quotes");
            return;
        }
        const auto& uri = it->get_ref<const std::string&>();
        if (uri.empty()) {
            fail(uri_path, uri_path + " is empty; LINE requires a link",
                 "the variable that makes the link (e.g. {{shipping.tracking_url}}) is empty "
                 "for this message; give a fallback link with {{^name}}https://…{{/name}}");
            return;
        }
        const auto length = utf16_length(uri);
        if (length > 1000) {
            fail(uri_path,
                 uri_path + " is " + with_thousands(length) + " characters; LINE allows 1,000",
                 "use a shorter link");
        }
        if (!uri.starts_with("http://") && !uri.starts_with("https://") &&
            !uri.starts_with("line://") && !uri.starts_with("tel:")) {
            fail(uri_path,
                 uri_path + " is " + quoted(*it) +
                     "; LINE accepts only links that start with http://, https://, line:// or "
                     "tel:",
                 "write the full link, e.g. https://…");
        }
    }

    void action(const json& value, const std::string& path, bool label_required) {
        if (!value.is_object()) {
            fail(path, path + " is not an action object",
                 "write an action like {\"type\": \"uri\", \"label\": \"…\", \"uri\": "
                 "\"https://…\"}");
            return;
        }
        const auto type = member_text(value, "type");
        label(value, path, label_required);
        if (type == "uri") {
            uri_action(value, path);
        } else if (type == "message") {
            text(value, "text", path + ".text", 1, 300, true);
        } else if (type == "postback") {
            text(value, "data", path + ".data", 1, 300, true);
            text(value, "displayText", path + ".displayText", 1, 300, false);
            text(value, "text", path + ".text", 1, 300, false);
        } else if (type == "datetimepicker") {
            text(value, "data", path + ".data", 1, 300, true);
            const auto mode = member_text(value, "mode");
            if (mode != "date" && mode != "time" && mode != "datetime") {
                fail(path + ".mode",
                     path + ".mode is '" + mode + "'; LINE accepts date, time or datetime",
                     "write \"mode\": \"date\", \"time\" or \"datetime\"");
            }
        } else if (type == "richmenuswitch") {
            fail(path + ".type", path + ".type richmenuswitch works only in a rich menu",
                 "use a postback or uri action in a message");
        } else if (type == "camera" || type == "cameraRoll" || type == "location" ||
                   type == "clipboard") {
            // Nothing else to check.
        } else if (type.empty()) {
            missing(path + ".type");
        } else {
            fail(path + ".type", path + ".type '" + type + "' is not a LINE action type",
                 "use uri, message, postback, datetimepicker, camera, cameraRoll, location or "
                 "clipboard");
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
            action((*it)[i], index_path(path, "actions", i), true);
        }
        return static_cast<long>(it->size());
    }

    void buttons(const json& tpl, const std::string& path) {
        const bool has_title = text(tpl, "title", path + ".title", 0, 40, false);
        https_url(tpl, "thumbnailImageUrl", path + ".thumbnailImageUrl", false);
        const bool has_image = tpl.contains("thumbnailImageUrl");
        const bool short_text = has_title || has_image;
        text(tpl, "text", path + ".text", 1, short_text ? 60 : 160, true,
             short_text ? " when the buttons have a title or an image" : "");
        actions(tpl, path, 1, 4);
        if (tpl.contains("defaultAction")) {
            action(tpl["defaultAction"], path + ".defaultAction", false);
        }
    }

    void carousel(const json& tpl, const std::string& path) {
        const auto columns_path = path + ".columns";
        const auto it = tpl.find("columns");
        if (it == tpl.end() || !it->is_array()) {
            missing(columns_path);
            return;
        }
        if (it->empty() || it->size() > 10) {
            fail(columns_path,
                 columns_path + " has " + std::to_string(it->size()) +
                     " columns; LINE allows 1 to 10",
                 "give the carousel 1 to 10 columns");
        }
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
            const bool has_title = text(column, "title", column_path + ".title", 0, 40, false);
            https_url(column, "thumbnailImageUrl", column_path + ".thumbnailImageUrl", false);
            const bool has_image = column.contains("thumbnailImageUrl");
            const bool short_text = has_title || has_image;
            text(column, "text", column_path + ".text", 1, short_text ? 60 : 120, true,
                 short_text ? " when the column has a title or an image" : "");
            const auto count = actions(column, column_path, 1, 3);
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
        if (it->empty() || it->size() > 10) {
            fail(columns_path,
                 columns_path + " has " + std::to_string(it->size()) +
                     " columns; LINE allows 1 to 10",
                 "give the carousel 1 to 10 columns");
        }
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
                action(column["action"], column_path + ".action", false);
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
            text(*it, "text", tpl_path + ".text", 1, 240, true);
            actions(*it, tpl_path, 2, 2);
        } else if (type == "carousel") {
            carousel(*it, tpl_path);
        } else if (type == "image_carousel") {
            image_carousel(*it, tpl_path);
        } else {
            fail(tpl_path + ".type", tpl_path + ".type '" + type + "' is not a LINE template type",
                 "use buttons, confirm, carousel or image_carousel");
        }
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
        } else {
            fail(contents_path + ".type",
                 contents_path + ".type '" + type + "' is not a flex container type",
                 "use bubble or carousel");
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
            if (!value.contains("packageId")) {
                missing(path + ".packageId");
            }
            if (!value.contains("stickerId")) {
                missing(path + ".stickerId");
            }
        } else if (type == "location") {
            text(value, "title", path + ".title", 1, 100, true);
            text(value, "address", path + ".address", 1, 100, true);
        } else if (type == "imagemap") {
            text(value, "altText", path + ".altText", 1, 1500, true);
        } else if (type == "template") {
            template_message(value, path);
        } else if (type == "flex") {
            flex_message(value, path);
        } else if (type.empty()) {
            missing(path + ".type");
        } else {
            fail(path + ".type", path + ".type '" + type + "' is not a LINE message type",
                 "use text, textV2, sticker, image, video, audio, location, imagemap, template "
                 "or flex");
        }
        if (value.contains("quickReply")) {
            const auto& quick_reply = value["quickReply"];
            const auto items =
                quick_reply.is_object() ? quick_reply.value("items", json::array()) : json::array();
            const std::size_t count = items.is_array() ? items.size() : 0;
            if (count == 0 || count > 13) {
                fail(path + ".quickReply.items",
                     path + ".quickReply.items has " + std::to_string(count) +
                         " buttons; LINE allows 1 to 13",
                     "give the quick reply 1 to 13 items");
            }
        }
    }
};

} // namespace

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

std::size_t utf16_length(std::string_view utf8) {
    std::size_t units = 0;
    for (const auto point : code_points(utf8)) {
        units += point > 0xFFFF ? 2 : 1;
    }
    return units;
}

std::size_t grapheme_count(std::string_view utf8) {
    std::size_t count = 0;
    bool joined = false;
    bool open_flag = false;
    for (const auto point : code_points(utf8)) {
        if (joined) {
            joined = false;
            continue;
        }
        if (point == 0x200D) {
            joined = true;
            continue;
        }
        if (extends_previous(point) && count > 0) {
            continue;
        }
        if (regional_indicator(point)) {
            if (open_flag) {
                open_flag = false;
                continue;
            }
            open_flag = true;
        } else {
            open_flag = false;
        }
        ++count;
    }
    return count;
}

std::string with_thousands(std::size_t number) {
    const auto digits = std::to_string(number);
    std::string out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) {
            out += ',';
        }
        out += digits[i];
    }
    return out;
}

} // namespace musubi::templates
