// Rich menus: objects, images on the data host, default, per-user and bulk links, aliases.

#include <optional>
#include <regex>

#include "line_service_impl.hpp"

namespace musubi::sim::line {

namespace {

using nlohmann::json;

constexpr std::size_t k_max_menus = 1000;
constexpr std::size_t k_max_image = 1024 * 1024;
constexpr const char* k_no_image = "must upload richmenu image before applying it to user";

struct Dimensions {
    long width = 0;
    long height = 0;
};

long big_endian(const std::string& data, std::size_t at, std::size_t bytes) {
    long value = 0;
    for (std::size_t i = 0; i < bytes; ++i) {
        value = (value << 8) | static_cast<unsigned char>(data[at + i]);
    }
    return value;
}

// Reads the size from a PNG IHDR or a JPEG start-of-frame marker.
std::optional<Dimensions> image_dimensions(const std::string& data) {
    if (data.size() >= 24 && data.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0) {
        return Dimensions{big_endian(data, 16, 4), big_endian(data, 20, 4)};
    }
    if (data.size() < 4 || static_cast<unsigned char>(data[0]) != 0xFF ||
        static_cast<unsigned char>(data[1]) != 0xD8) {
        return std::nullopt;
    }
    std::size_t at = 2;
    while (at + 9 < data.size()) {
        if (static_cast<unsigned char>(data[at]) != 0xFF) {
            return std::nullopt;
        }
        auto marker = static_cast<unsigned char>(data[at + 1]);
        auto length = static_cast<std::size_t>(big_endian(data, at + 2, 2));
        bool frame =
            marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
        if (frame) {
            return Dimensions{big_endian(data, at + 7, 2), big_endian(data, at + 5, 2)};
        }
        at += 2 + length;
    }
    return std::nullopt;
}

bool valid_alias(const std::string& alias) {
    static const std::regex k_alias("[a-z0-9_-]{1,32}");
    return std::regex_match(alias, k_alias);
}

std::vector<ErrorDetail> check_user_ids(const json& body, std::vector<std::string>& out) {
    std::vector<ErrorDetail> details;
    auto it = body.find("userIds");
    if (it == body.end() || !it->is_array()) {
        details.push_back({"must be specified", "userIds"});
        return details;
    }
    if (it->empty() || it->size() > 500) {
        details.push_back({"Size must be between 1 and 500", "userIds"});
    }
    for (std::size_t i = 0; i < it->size(); ++i) {
        const auto& id = (*it)[i];
        if (!id.is_string() || !is_user_id(id.get<std::string>())) {
            details.push_back({"invalid user ID", "userIds[" + std::to_string(i) + "]"});
        } else {
            out.push_back(id.get<std::string>());
        }
    }
    return details;
}

} // namespace

Response LineService::create_rich_menu(const Request&, Call& call) {
    auto details = validate_rich_menu(call.body);
    if (!details.empty()) {
        return Response::json(400, error_body(details));
    }
    std::lock_guard lock(m_mutex);
    if (m_state.rich_menus.size() >= k_max_menus) {
        return line_error(400, "The number of rich menus has reached the upper limit (1000)");
    }
    auto id = "richmenu-" + m_ids.hex(32);
    RichMenu menu;
    menu.object = call.body;
    menu.object["richMenuId"] = id;
    m_state.rich_menus[id] = std::move(menu);
    return Response::json(200, {{"richMenuId", id}});
}

Response LineService::validate_rich_menu_route(const Request&, Call& call) {
    auto details = validate_rich_menu(call.body);
    if (!details.empty()) {
        return Response::json(400, error_body(details));
    }
    return Response::json(200, json::object());
}

Response LineService::get_rich_menu(const Request&, Call& call) {
    std::lock_guard lock(m_mutex);
    auto menu = m_state.rich_menus.find(call.params[0]);
    if (menu == m_state.rich_menus.end()) {
        return line_error(404, "Not found");
    }
    return Response::json(200, menu->second.object);
}

Response LineService::list_rich_menus(const Request&, Call&) {
    std::lock_guard lock(m_mutex);
    json list = json::array();
    for (const auto& [id, menu] : m_state.rich_menus) {
        list.push_back(menu.object);
    }
    return Response::json(200, {{"richmenus", list}});
}

Response LineService::delete_rich_menu(const Request&, Call& call) {
    std::lock_guard lock(m_mutex);
    const auto& id = call.params[0];
    if (m_state.rich_menus.erase(id) == 0) {
        return line_error(404, "Not found");
    }
    // A deleted menu disappears from every user, the default and its aliases.
    for (auto& [user_id, user] : m_state.friends) {
        if (user.rich_menu_id == id) {
            user.rich_menu_id.clear();
        }
    }
    if (m_state.default_rich_menu == id) {
        m_state.default_rich_menu.clear();
    }
    std::erase_if(m_state.aliases, [&id](const auto& entry) { return entry.second == id; });
    return Response::json(200, json::object());
}

Response LineService::upload_image(const Request& request, Call& call) {
    const auto* type = request.header("content-type");
    std::string media = type ? type->substr(0, type->find(';')) : std::string();
    if (media != "image/png" && media != "image/jpeg") {
        return line_error(415, "Unsupported Media Type: the image must be image/png or image/jpeg");
    }
    if (request.body.size() > k_max_image) {
        return line_error(413, "Request Entity Too Large");
    }
    auto size = image_dimensions(request.body);
    if (!size) {
        return line_error(400, "Invalid image: not a " + media + " file");
    }
    if (size->width < 800 || size->width > 2500 || size->height < 250 ||
        static_cast<double>(size->width) / static_cast<double>(size->height) < 1.45) {
        return line_error(400, "Invalid image size: width must be 800 to 2500, height 250 or "
                               "more, and width/height at least 1.45");
    }
    std::lock_guard lock(m_mutex);
    auto menu = m_state.rich_menus.find(call.params[0]);
    if (menu == m_state.rich_menus.end()) {
        return line_error(404, "Not found");
    }
    if (!menu->second.image_type.empty()) {
        return line_error(400, "An image has already been uploaded to the richmenu");
    }
    menu->second.image = request.body;
    menu->second.image_type = media;
    return Response::json(200, json::object());
}

Response LineService::download_image(const Request&, Call& call) {
    std::lock_guard lock(m_mutex);
    auto menu = m_state.rich_menus.find(call.params[0]);
    if (menu == m_state.rich_menus.end() || menu->second.image_type.empty()) {
        return line_error(404, "Not found");
    }
    Response response;
    response.content_type = menu->second.image_type;
    response.body = menu->second.image;
    return response;
}

Response LineService::set_default(const Request&, Call& call) {
    std::lock_guard lock(m_mutex);
    auto menu = m_state.rich_menus.find(call.params[0]);
    if (menu == m_state.rich_menus.end()) {
        return line_error(404, "Not found");
    }
    if (menu->second.image_type.empty()) {
        return line_error(400, k_no_image);
    }
    m_state.default_rich_menu = menu->first;
    return Response::json(200, json::object());
}

Response LineService::get_default(const Request&, Call&) {
    std::lock_guard lock(m_mutex);
    if (m_state.default_rich_menu.empty()) {
        return line_error(404, "no default richmenu");
    }
    return Response::json(200, {{"richMenuId", m_state.default_rich_menu}});
}

Response LineService::clear_default(const Request&, Call&) {
    std::lock_guard lock(m_mutex);
    m_state.default_rich_menu.clear();
    return Response::json(200, json::object());
}

Response LineService::link_user(const Request&, Call& call) {
    const auto& user_id = call.params[0];
    if (!is_user_id(user_id)) {
        return line_error(400, "The value for the 'userId' parameter is invalid");
    }
    call.user_ids = {user_id};
    std::lock_guard lock(m_mutex);
    auto menu = m_state.rich_menus.find(call.params[1]);
    if (menu == m_state.rich_menus.end()) {
        return line_error(404, "Not found");
    }
    if (menu->second.image_type.empty()) {
        return line_error(400, k_no_image);
    }
    // Linking to someone who is not a friend is accepted and has no visible effect.
    if (auto user = m_state.friends.find(user_id); user != m_state.friends.end()) {
        user->second.rich_menu_id = menu->first;
    }
    return Response::json(200, json::object());
}

Response LineService::unlink_user(const Request&, Call& call) {
    const auto& user_id = call.params[0];
    if (!is_user_id(user_id)) {
        return line_error(400, "The value for the 'userId' parameter is invalid");
    }
    call.user_ids = {user_id};
    std::lock_guard lock(m_mutex);
    if (auto user = m_state.friends.find(user_id); user != m_state.friends.end()) {
        user->second.rich_menu_id.clear();
    }
    return Response::json(200, json::object());
}

Response LineService::get_user_menu(const Request&, Call& call) {
    const auto& user_id = call.params[0];
    if (!is_user_id(user_id)) {
        return line_error(400, "The value for the 'userId' parameter is invalid");
    }
    std::lock_guard lock(m_mutex);
    auto user = m_state.friends.find(user_id);
    if (user == m_state.friends.end() || user->second.rich_menu_id.empty()) {
        return line_error(404, "the user has no richmenu");
    }
    return Response::json(200, {{"richMenuId", user->second.rich_menu_id}});
}

Response LineService::bulk_link(const Request&, Call& call) {
    std::vector<std::string> users;
    auto details = check_user_ids(call.body, users);
    auto menu_id = call.body.value("richMenuId", std::string());
    if (menu_id.empty()) {
        details.insert(details.begin(), {"must be specified", "richMenuId"});
    }
    if (!details.empty()) {
        return Response::json(400, error_body(details));
    }
    std::lock_guard lock(m_mutex);
    auto menu = m_state.rich_menus.find(menu_id);
    if (menu == m_state.rich_menus.end()) {
        return line_error(404, "Not found");
    }
    if (menu->second.image_type.empty()) {
        return line_error(400, k_no_image);
    }
    m_state.bulk_operations.push_back(
        {std::chrono::steady_clock::now() + m_settings.bulk_delay, menu_id, users});
    return Response::json(202, json::object());
}

Response LineService::bulk_unlink(const Request&, Call& call) {
    std::vector<std::string> users;
    auto details = check_user_ids(call.body, users);
    if (!details.empty()) {
        return Response::json(400, error_body(details));
    }
    std::lock_guard lock(m_mutex);
    m_state.bulk_operations.push_back(
        {std::chrono::steady_clock::now() + m_settings.bulk_delay, std::string(), users});
    return Response::json(202, json::object());
}

Response LineService::create_alias(const Request&, Call& call) {
    auto alias = call.body.value("richMenuAliasId", std::string());
    auto menu_id = call.body.value("richMenuId", std::string());
    std::vector<ErrorDetail> details;
    if (!valid_alias(alias)) {
        details.push_back({"must match [a-z0-9_-]{1,32}", "richMenuAliasId"});
    }
    if (menu_id.empty()) {
        details.push_back({"must be specified", "richMenuId"});
    }
    if (!details.empty()) {
        return Response::json(400, error_body(details));
    }
    std::lock_guard lock(m_mutex);
    auto menu = m_state.rich_menus.find(menu_id);
    if (menu == m_state.rich_menus.end()) {
        return line_error(400, "richmenu not found");
    }
    if (menu->second.image_type.empty()) {
        return line_error(400, "must upload richmenu image before creating an alias");
    }
    if (m_state.aliases.contains(alias)) {
        return line_error(400, "conflict richmenu alias id");
    }
    if (m_state.aliases.size() >= k_max_menus) {
        return line_error(400, "The number of rich menu aliases has reached the upper limit");
    }
    m_state.aliases[alias] = menu_id;
    return Response::json(200, json::object());
}

Response LineService::update_alias(const Request&, Call& call) {
    auto menu_id = call.body.value("richMenuId", std::string());
    if (menu_id.empty()) {
        return Response::json(400, error_body({{"must be specified", "richMenuId"}}));
    }
    std::lock_guard lock(m_mutex);
    auto alias = m_state.aliases.find(call.params[0]);
    if (alias == m_state.aliases.end()) {
        // messaging-api.yml lists only 200 and 400 for updateRichMenuAlias: an alias that does
        // not exist is a bad request, not a 404 (GET .../alias/{id} answers 404 for it).
        return line_error(400, "richmenu alias not found");
    }
    auto menu = m_state.rich_menus.find(menu_id);
    if (menu == m_state.rich_menus.end()) {
        return line_error(400, "richmenu not found");
    }
    if (menu->second.image_type.empty()) {
        return line_error(400, "must upload richmenu image before creating an alias");
    }
    alias->second = menu_id;
    return Response::json(200, json::object());
}

Response LineService::get_alias(const Request&, Call& call) {
    std::lock_guard lock(m_mutex);
    auto alias = m_state.aliases.find(call.params[0]);
    if (alias == m_state.aliases.end()) {
        return line_error(404, "Not found");
    }
    return Response::json(200, {{"richMenuAliasId", alias->first}, {"richMenuId", alias->second}});
}

Response LineService::list_aliases(const Request&, Call&) {
    std::lock_guard lock(m_mutex);
    json list = json::array();
    for (const auto& [alias, menu] : m_state.aliases) {
        list.push_back({{"richMenuAliasId", alias}, {"richMenuId", menu}});
    }
    return Response::json(200, {{"aliases", list}});
}

Response LineService::delete_alias(const Request&, Call& call) {
    std::lock_guard lock(m_mutex);
    if (m_state.aliases.erase(call.params[0]) == 0) {
        return line_error(404, "Not found");
    }
    return Response::json(200, json::object());
}

} // namespace musubi::sim::line
