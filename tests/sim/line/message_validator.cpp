#include "message_validator.hpp"

#include <set>

#include "text_length.hpp"

namespace musubi::sim::line {

namespace {

using nlohmann::json;

constexpr const char* k_required = "must be specified";

class Checker {
public:
    std::vector<ErrorDetail> details;

    void fail(std::string message, std::string property) {
        details.push_back({std::move(message), std::move(property)});
    }

    static std::string range(std::size_t low, std::size_t high) {
        return std::to_string(low) + " and " + std::to_string(high);
    }

    // A string member counted in UTF-16 code units; returns false when it is absent.
    bool text(const json& parent, const char* key, const std::string& property, std::size_t max,
              bool required, std::size_t min = 0) {
        auto it = parent.find(key);
        if (it == parent.end() || it->is_null()) {
            if (required) {
                fail(k_required, property);
            }
            return false;
        }
        if (!it->is_string()) {
            fail("must be a string", property);
            return true;
        }
        auto length = utf16_length(it->get_ref<const std::string&>());
        if (length < min || length > max) {
            fail("Length must be between " + range(min, max), property);
        }
        return true;
    }

    void https_url(const json& parent, const char* key, const std::string& property,
                   bool required) {
        auto it = parent.find(key);
        if (it == parent.end() || it->is_null()) {
            if (required) {
                fail(k_required, property);
            }
            return;
        }
        if (!it->is_string() || !it->get_ref<const std::string&>().starts_with("https://")) {
            fail("must be a valid HTTPS URL", property);
            return;
        }
        if (utf16_length(it->get_ref<const std::string&>()) > 2000) {
            fail("Length must be between 0 and 2000", property);
        }
    }

    // Label: required on template actions, counted in grapheme clusters.
    void label(const json& action, const std::string& property, bool required) {
        auto it = action.find("label");
        if (it == action.end() || it->is_null()) {
            if (required) {
                fail(k_required, property + ".label");
            }
            return;
        }
        if (!it->is_string()) {
            fail("must be a string", property + ".label");
            return;
        }
        auto count = grapheme_count(it->get_ref<const std::string&>());
        if (count < 1 || count > 20) {
            fail("Length must be between 1 and 20", property + ".label");
        }
    }

    void action(const json& value, const std::string& property, bool label_required,
                bool in_rich_menu) {
        if (!value.is_object()) {
            fail(k_required, property);
            return;
        }
        auto type = value.value("type", std::string());
        label(value, property, label_required);
        if (type == "uri") {
            auto it = value.find("uri");
            if (it == value.end() || !it->is_string()) {
                fail(k_required, property + ".uri");
                return;
            }
            const auto& uri = it->get_ref<const std::string&>();
            if (utf16_length(uri) > 1000) {
                fail("Length must be between 0 and 1000", property + ".uri");
            }
            if (!uri.starts_with("http://") && !uri.starts_with("https://") &&
                !uri.starts_with("line://") && !uri.starts_with("tel:")) {
                fail("invalid uri scheme", property + ".uri");
            }
        } else if (type == "message") {
            text(value, "text", property + ".text", 300, true, 1);
        } else if (type == "postback") {
            text(value, "data", property + ".data", 300, true, 1);
            text(value, "displayText", property + ".displayText", 300, false, 1);
            text(value, "text", property + ".text", 300, false, 1);
        } else if (type == "datetimepicker") {
            text(value, "data", property + ".data", 300, true, 1);
            auto mode = value.value("mode", std::string());
            if (mode != "date" && mode != "time" && mode != "datetime") {
                fail("must be one of the following values: [date, time, datetime]",
                     property + ".mode");
            }
        } else if (type == "richmenuswitch") {
            if (!in_rich_menu) {
                fail("richmenuswitch action can only be used in a rich menu", property + ".type");
                return;
            }
            text(value, "richMenuAliasId", property + ".richMenuAliasId", 32, true, 1);
            text(value, "data", property + ".data", 300, true, 1);
        } else if (type == "camera" || type == "cameraRoll" || type == "location" ||
                   type == "clipboard") {
            // No further members to check.
        } else if (type.empty()) {
            fail(k_required, property + ".type");
        } else {
            fail("must be one of the following values: [uri, message, postback, datetimepicker, "
                 "camera, cameraRoll, location, richmenuswitch, clipboard]",
                 property + ".type");
        }
    }

    // Returns the number of actions, or -1 when the member is not an array.
    long actions(const json& parent, const std::string& property, std::size_t min,
                 std::size_t max) {
        auto it = parent.find("actions");
        if (it == parent.end() || !it->is_array()) {
            fail(k_required, property + ".actions");
            return -1;
        }
        if (it->size() < min || it->size() > max) {
            fail("Size must be between " + range(min, max), property + ".actions");
        }
        for (std::size_t i = 0; i < it->size(); ++i) {
            action((*it)[i], property + ".actions[" + std::to_string(i) + "]", true, false);
        }
        return static_cast<long>(it->size());
    }

    void buttons(const json& tpl, const std::string& property) {
        bool has_title = text(tpl, "title", property + ".title", 40, false);
        https_url(tpl, "thumbnailImageUrl", property + ".thumbnailImageUrl", false);
        bool has_image = tpl.contains("thumbnailImageUrl");
        text(tpl, "text", property + ".text", has_title || has_image ? 60 : 160, true, 1);
        actions(tpl, property, 1, 4);
        if (tpl.contains("defaultAction")) {
            action(tpl["defaultAction"], property + ".defaultAction", false, false);
        }
    }

    void carousel(const json& tpl, const std::string& property) {
        auto it = tpl.find("columns");
        if (it == tpl.end() || !it->is_array()) {
            fail(k_required, property + ".columns");
            return;
        }
        if (it->empty() || it->size() > 10) {
            fail("Size must be between 1 and 10", property + ".columns");
        }
        long first_actions = -2;
        bool first_image = false, first_title = false;
        for (std::size_t i = 0; i < it->size(); ++i) {
            const auto& column = (*it)[i];
            auto column_property = property + ".columns[" + std::to_string(i) + "]";
            if (!column.is_object()) {
                fail(k_required, column_property);
                continue;
            }
            bool has_title = text(column, "title", column_property + ".title", 40, false);
            https_url(column, "thumbnailImageUrl", column_property + ".thumbnailImageUrl", false);
            bool has_image = column.contains("thumbnailImageUrl");
            text(column, "text", column_property + ".text", has_title || has_image ? 60 : 120, true,
                 1);
            auto count = actions(column, column_property, 1, 3);
            if (i == 0) {
                first_actions = count;
                first_image = has_image;
                first_title = has_title;
                continue;
            }
            if (count != first_actions) {
                fail("must have the same number of actions as the other columns",
                     column_property + ".actions");
            }
            if (has_image != first_image) {
                fail("must be specified in all columns or in none",
                     column_property + ".thumbnailImageUrl");
            }
            if (has_title != first_title) {
                fail("must be specified in all columns or in none", column_property + ".title");
            }
        }
    }

    void image_carousel(const json& tpl, const std::string& property) {
        auto it = tpl.find("columns");
        if (it == tpl.end() || !it->is_array()) {
            fail(k_required, property + ".columns");
            return;
        }
        if (it->empty() || it->size() > 10) {
            fail("Size must be between 1 and 10", property + ".columns");
        }
        for (std::size_t i = 0; i < it->size(); ++i) {
            auto column_property = property + ".columns[" + std::to_string(i) + "]";
            const auto& column = (*it)[i];
            https_url(column, "imageUrl", column_property + ".imageUrl", true);
            if (!column.contains("action")) {
                fail(k_required, column_property + ".action");
            } else {
                action(column["action"], column_property + ".action", false, false);
            }
        }
    }

    void template_message(const json& message, const std::string& property) {
        text(message, "altText", property + ".altText", 1500, true, 1);
        auto it = message.find("template");
        if (it == message.end() || !it->is_object()) {
            fail(k_required, property + ".template");
            return;
        }
        auto tpl_property = property + ".template";
        auto type = it->value("type", std::string());
        if (type == "buttons") {
            buttons(*it, tpl_property);
        } else if (type == "confirm") {
            text(*it, "text", tpl_property + ".text", 240, true, 1);
            actions(*it, tpl_property, 2, 2);
        } else if (type == "carousel") {
            carousel(*it, tpl_property);
        } else if (type == "image_carousel") {
            image_carousel(*it, tpl_property);
        } else {
            fail("must be one of the following values: [buttons, confirm, carousel, "
                 "image_carousel]",
                 tpl_property + ".type");
        }
    }

    void flex_message(const json& message, const std::string& property) {
        text(message, "altText", property + ".altText", 1500, true, 1);
        auto it = message.find("contents");
        if (it == message.end() || !it->is_object()) {
            fail(k_required, property + ".contents");
            return;
        }
        auto type = it->value("type", std::string());
        auto size = it->dump().size();
        if (type == "bubble") {
            if (size > 30 * 1024) {
                fail("The JSON size of a bubble must be at most 30KB", property + ".contents");
            }
        } else if (type == "carousel") {
            auto bubbles = it->find("contents");
            if (bubbles == it->end() || !bubbles->is_array() || bubbles->empty() ||
                bubbles->size() > 12) {
                fail("Size must be between 1 and 12", property + ".contents.contents");
            }
            if (size > 50 * 1024) {
                fail("The JSON size of a carousel must be at most 50KB", property + ".contents");
            }
        } else {
            fail("must be one of the following values: [bubble, carousel]",
                 property + ".contents.type");
        }
    }

    void message(const json& value, const std::string& property) {
        if (!value.is_object()) {
            fail(k_required, property);
            return;
        }
        auto type = value.value("type", std::string());
        if (type == "text") {
            // LINE words the limit as 0..5000 but still refuses an empty text.
            if (text(value, "text", property + ".text", 5000, true) && value["text"] == "") {
                fail(k_required, property + ".text");
            }
            if (value.contains("emojis") &&
                (!value["emojis"].is_array() || value["emojis"].size() > 20)) {
                fail("Size must be between 0 and 20", property + ".emojis");
            }
        } else if (type == "textV2") {
            if (text(value, "text", property + ".text", 5000, true) && value["text"] == "") {
                fail(k_required, property + ".text");
            }
        } else if (type == "image") {
            https_url(value, "originalContentUrl", property + ".originalContentUrl", true);
            https_url(value, "previewImageUrl", property + ".previewImageUrl", true);
        } else if (type == "video" || type == "audio") {
            https_url(value, "originalContentUrl", property + ".originalContentUrl", true);
            if (type == "video") {
                https_url(value, "previewImageUrl", property + ".previewImageUrl", true);
            }
        } else if (type == "sticker") {
            if (!value.contains("packageId")) {
                fail(k_required, property + ".packageId");
            }
            if (!value.contains("stickerId")) {
                fail(k_required, property + ".stickerId");
            }
        } else if (type == "location") {
            text(value, "title", property + ".title", 100, true, 1);
            text(value, "address", property + ".address", 100, true, 1);
        } else if (type == "imagemap") {
            text(value, "altText", property + ".altText", 1500, true, 1);
        } else if (type == "template") {
            template_message(value, property);
        } else if (type == "flex") {
            flex_message(value, property);
        } else if (type.empty()) {
            fail(k_required, property + ".type");
        } else {
            fail("must be one of the following values: [text, textV2, sticker, image, video, "
                 "audio, location, imagemap, template, flex]",
                 property + ".type");
        }
        if (value.contains("quickReply")) {
            const auto& items = value["quickReply"].value("items", json::array());
            if (!items.is_array() || items.empty() || items.size() > 13) {
                fail("Size must be between 1 and 13", property + ".quickReply.items");
            }
        }
    }
};

bool in_range(const json& node, const char* key, long low, long high) {
    auto it = node.find(key);
    if (it == node.end() || !it->is_number_integer()) {
        return false;
    }
    auto value = it->get<long>();
    return value >= low && value <= high;
}

} // namespace

std::vector<ErrorDetail> validate_messages(const json& messages) {
    Checker checker;
    if (messages.is_null()) {
        checker.fail(k_required, "messages");
        return checker.details;
    }
    if (!messages.is_array()) {
        checker.fail("must be an array", "messages");
        return checker.details;
    }
    if (messages.empty() || messages.size() > 5) {
        checker.fail("Size must be between 1 and 5", "messages");
    }
    for (std::size_t i = 0; i < messages.size(); ++i) {
        checker.message(messages[i], "messages[" + std::to_string(i) + "]");
    }
    return checker.details;
}

std::vector<ErrorDetail> validate_rich_menu(const json& menu) {
    Checker checker;
    if (!menu.is_object()) {
        checker.fail(k_required, "richMenu");
        return checker.details;
    }
    auto size = menu.find("size");
    if (size == menu.end() || !size->is_object()) {
        checker.fail(k_required, "size");
    } else {
        if (!in_range(*size, "width", 800, 2500)) {
            checker.fail("must be between 800 and 2500", "size.width");
        }
        if (!in_range(*size, "height", 250, 100000)) {
            checker.fail("must be 250 or more", "size.height");
        } else if (in_range(*size, "width", 800, 2500) &&
                   static_cast<double>((*size)["width"].get<long>()) /
                           static_cast<double>((*size)["height"].get<long>()) <
                       1.45) {
            checker.fail("width / height must be at least 1.45", "size");
        }
    }
    if (!menu.contains("selected") || !menu["selected"].is_boolean()) {
        checker.fail(k_required, "selected");
    }
    checker.text(menu, "name", "name", 300, true, 1);
    checker.text(menu, "chatBarText", "chatBarText", 14, true, 1);
    auto areas = menu.find("areas");
    if (areas == menu.end() || !areas->is_array()) {
        checker.fail(k_required, "areas");
        return checker.details;
    }
    if (areas->size() > 20) {
        checker.fail("Size must be between 0 and 20", "areas");
    }
    for (std::size_t i = 0; i < areas->size(); ++i) {
        auto property = "areas[" + std::to_string(i) + "]";
        const auto& area = (*areas)[i];
        auto bounds = area.find("bounds");
        if (bounds == area.end() || !bounds->is_object()) {
            checker.fail(k_required, property + ".bounds");
        } else {
            for (const char* key : {"x", "y", "width", "height"}) {
                if (!in_range(*bounds, key, 0, 100000)) {
                    checker.fail(k_required, property + ".bounds." + key);
                }
            }
        }
        if (!area.contains("action")) {
            checker.fail(k_required, property + ".action");
        } else {
            checker.action(area["action"], property + ".action", false, true);
        }
    }
    return checker.details;
}

json error_body(const std::vector<ErrorDetail>& details) {
    json body = {
        {"message", "The request body has " + std::to_string(details.size()) + " error(s)"}};
    json list = json::array();
    for (const auto& detail : details) {
        list.push_back({{"message", detail.message}, {"property", detail.property}});
    }
    body["details"] = list;
    return body;
}

} // namespace musubi::sim::line
