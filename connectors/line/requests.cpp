#include "connectors/line/requests.hpp"

#include <cctype>

#include "connectors/line/retry_key.hpp"

namespace musubi::line {

namespace {

constexpr const char* k_json = "application/json";

using nlohmann::json;

// Strict UTF-8: a rendered text with broken bytes is refused here rather than mangled.
tl::expected<std::string, std::string> dump(const json& body) {
    try {
        return body.dump();
    } catch (const json::exception&) {
        return tl::unexpected(std::string("the request body is not valid UTF-8"));
    }
}

BuiltRequest json_request(std::string method, std::string target, const json& body) {
    auto text = dump(body);
    if (!text) {
        return tl::unexpected(text.error());
    }
    http::Request request;
    request.method = std::move(method);
    request.target = std::move(target);
    request.content_type = k_json;
    request.body = std::move(*text);
    return request;
}

http::Request bodiless(std::string method, std::string target) {
    http::Request request;
    request.method = std::move(method);
    request.target = std::move(target);
    // Without a length, a POST's end is unknown to a proxy in front of LINE (411 Length
    // Required); an explicit zero says there is no body.
    if (request.method == "POST") {
        request.headers.emplace_back("Content-Length", "0");
    }
    return request;
}

tl::expected<json, std::string> message_array(const json& messages) {
    if (messages.is_array()) {
        return messages;
    }
    if (messages.is_object()) {
        return json::array({messages});
    }
    return tl::unexpected(std::string("messages must be a JSON array of message objects"));
}

tl::expected<void, std::string> check_retry_key(std::string_view retry_key) {
    if (!is_retry_key(retry_key)) {
        return tl::unexpected("the retry key '" + std::string(retry_key) +
                              "' is not a UUID (8-4-4-4-12 hex digits with dashes)");
    }
    return {};
}

void add_options(json& body, const PushOptions& options) {
    if (options.notification_disabled) {
        body["notificationDisabled"] = true;
    }
    if (options.custom_aggregation_unit) {
        body["customAggregationUnits"] = json::array({*options.custom_aggregation_unit});
    }
}

BuiltRequest send_request(std::string target, json body, const json& messages,
                          std::string_view retry_key, const PushOptions& options) {
    if (auto key = check_retry_key(retry_key); !key) {
        return tl::unexpected(key.error());
    }
    auto array = message_array(messages);
    if (!array) {
        return tl::unexpected(array.error());
    }
    body["messages"] = std::move(*array);
    add_options(body, options);
    auto request = json_request("POST", std::move(target), body);
    if (request) {
        request->headers.emplace_back(k_retry_key_header, retry_key);
    }
    return request;
}

tl::expected<void, std::string> check_user_count(const std::vector<std::string>& user_ids,
                                                 std::size_t limit, std::string_view what) {
    if (user_ids.empty() || user_ids.size() > limit) {
        return tl::unexpected(std::string(what) + " takes 1 to " + std::to_string(limit) +
                              " user ids; got " + std::to_string(user_ids.size()));
    }
    return {};
}

} // namespace

std::string percent_encode(std::string_view text) {
    static constexpr char k_hex[] = "0123456789ABCDEF";
    std::string encoded;
    encoded.reserve(text.size());
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (std::isalnum(byte) != 0 || c == '-' || c == '.' || c == '_' || c == '~') {
            encoded.push_back(c);
        } else {
            encoded.push_back('%');
            encoded.push_back(k_hex[byte >> 4]);
            encoded.push_back(k_hex[byte & 0x0F]);
        }
    }
    return encoded;
}

BuiltRequest push_request(std::string_view to, const json& messages, std::string_view retry_key,
                          const PushOptions& options) {
    return send_request("/v2/bot/message/push", json{{"to", to}}, messages, retry_key, options);
}

BuiltRequest multicast_request(const std::vector<std::string>& to, const json& messages,
                               std::string_view retry_key, const PushOptions& options) {
    if (auto count = check_user_count(to, k_max_multicast_recipients, "multicast"); !count) {
        return tl::unexpected(count.error());
    }
    return send_request("/v2/bot/message/multicast", json{{"to", to}}, messages, retry_key,
                        options);
}

BuiltRequest reply_request(std::string_view reply_token, const json& messages,
                           bool notification_disabled) {
    auto array = message_array(messages);
    if (!array) {
        return tl::unexpected(array.error());
    }
    json body{{"replyToken", reply_token}, {"messages", std::move(*array)}};
    if (notification_disabled) {
        body["notificationDisabled"] = true;
    }
    return json_request("POST", "/v2/bot/message/reply", body);
}

http::Request profile_request(std::string_view user_id) {
    return bodiless("GET", "/v2/bot/profile/" + percent_encode(user_id));
}

http::Request link_token_request(std::string_view user_id) {
    return bodiless("POST", "/v2/bot/user/" + percent_encode(user_id) + "/linkToken");
}

http::Request quota_request() {
    return bodiless("GET", "/v2/bot/message/quota");
}

http::Request quota_consumption_request() {
    return bodiless("GET", "/v2/bot/message/quota/consumption");
}

BuiltRequest validate_push_request(const json& messages) {
    auto array = message_array(messages);
    if (!array) {
        return tl::unexpected(array.error());
    }
    return json_request("POST", "/v2/bot/message/validate/push", json{{"messages", *array}});
}

BuiltRequest validate_rich_menu_request(const json& definition) {
    if (!definition.is_object()) {
        return tl::unexpected(std::string("a rich menu definition must be a JSON object"));
    }
    return json_request("POST", "/v2/bot/richmenu/validate", definition);
}

http::Request followers_request(int limit, std::string_view start) {
    auto target = "/v2/bot/followers/ids?limit=" + std::to_string(limit);
    if (!start.empty()) {
        target += "&start=" + percent_encode(start);
    }
    return bodiless("GET", std::move(target));
}

BuiltRequest create_rich_menu_request(const json& definition) {
    if (!definition.is_object()) {
        return tl::unexpected(std::string("a rich menu definition must be a JSON object"));
    }
    return json_request("POST", "/v2/bot/richmenu", definition);
}

http::Request delete_rich_menu_request(std::string_view rich_menu_id) {
    return bodiless("DELETE", "/v2/bot/richmenu/" + percent_encode(rich_menu_id));
}

http::Request upload_rich_menu_image_request(std::string_view rich_menu_id, ImageType type,
                                             std::string image) {
    http::Request request;
    request.method = "POST";
    request.target = "/v2/bot/richmenu/" + percent_encode(rich_menu_id) + "/content";
    request.content_type = type == ImageType::png ? "image/png" : "image/jpeg";
    request.body = std::move(image);
    return request;
}

http::Request set_default_rich_menu_request(std::string_view rich_menu_id) {
    return bodiless("POST", "/v2/bot/user/all/richmenu/" + percent_encode(rich_menu_id));
}

http::Request link_rich_menu_request(std::string_view user_id, std::string_view rich_menu_id) {
    return bodiless("POST", "/v2/bot/user/" + percent_encode(user_id) + "/richmenu/" +
                                percent_encode(rich_menu_id));
}

http::Request unlink_rich_menu_request(std::string_view user_id) {
    return bodiless("DELETE", "/v2/bot/user/" + percent_encode(user_id) + "/richmenu");
}

http::Request get_user_rich_menu_request(std::string_view user_id) {
    return bodiless("GET", "/v2/bot/user/" + percent_encode(user_id) + "/richmenu");
}

BuiltRequest bulk_link_rich_menu_request(std::string_view rich_menu_id,
                                         const std::vector<std::string>& user_ids) {
    if (auto count = check_user_count(user_ids, k_max_bulk_users, "bulk link"); !count) {
        return tl::unexpected(count.error());
    }
    return json_request("POST", "/v2/bot/richmenu/bulk/link",
                        json{{"richMenuId", rich_menu_id}, {"userIds", user_ids}});
}

BuiltRequest bulk_unlink_rich_menu_request(const std::vector<std::string>& user_ids) {
    if (auto count = check_user_count(user_ids, k_max_bulk_users, "bulk unlink"); !count) {
        return tl::unexpected(count.error());
    }
    return json_request("POST", "/v2/bot/richmenu/bulk/unlink", json{{"userIds", user_ids}});
}

BuiltRequest create_rich_menu_alias_request(std::string_view alias_id,
                                            std::string_view rich_menu_id) {
    return json_request("POST", "/v2/bot/richmenu/alias",
                        json{{"richMenuAliasId", alias_id}, {"richMenuId", rich_menu_id}});
}

BuiltRequest update_rich_menu_alias_request(std::string_view alias_id,
                                            std::string_view rich_menu_id) {
    return json_request("POST", "/v2/bot/richmenu/alias/" + percent_encode(alias_id),
                        json{{"richMenuId", rich_menu_id}});
}

// --- Bot info, groups and rooms, alias reads (issue 17, groups and events)
http::Request bot_info_request() {
    return bodiless("GET", "/v2/bot/info");
}

http::Request leave_chat_request(ChatType type, std::string_view chat_id) {
    return bodiless("POST",
                    std::string(type == ChatType::group ? "/v2/bot/group/" : "/v2/bot/room/") +
                        percent_encode(chat_id) + "/leave");
}

http::Request get_rich_menu_alias_request(std::string_view alias_id) {
    return bodiless("GET", "/v2/bot/richmenu/alias/" + percent_encode(alias_id));
}

http::Request stateless_token_request(std::string_view channel_id,
                                      std::string_view channel_secret) {
    http::Request request;
    request.method = "POST";
    request.target = "/oauth2/v3/token";
    request.content_type = "application/x-www-form-urlencoded";
    request.body = "grant_type=client_credentials&client_id=" + percent_encode(channel_id) +
                   "&client_secret=" + percent_encode(channel_secret);
    return request;
}

} // namespace musubi::line
