#include "connectors/line/messaging_client.hpp"

namespace musubi::line {

namespace {

using nlohmann::json;

// A 2xx whose body lacks what the contract promises: nothing a retry would change.
ApiResult unexpected_answer(ApiResult result, std::string_view field) {
    result.outcome = Outcome::permanent;
    result.message = "LINE answered HTTP " + std::to_string(result.status) + " without `" +
                     std::string(field) + "`";
    return result;
}

std::string string_field(const json& body, const char* name) {
    if (!body.is_object()) {
        return {};
    }
    auto it = body.find(name);
    return it != body.end() && it->is_string() ? it->get<std::string>() : std::string();
}

tl::expected<std::string, ApiResult> required_string(ApiResult result, const char* name) {
    if (!result.succeeded()) {
        return tl::unexpected(std::move(result));
    }
    auto value = string_field(result.body, name);
    if (value.empty()) {
        return tl::unexpected(unexpected_answer(std::move(result), name));
    }
    return value;
}

} // namespace

MessagingClient::MessagingClient(ClientSettings settings, std::shared_ptr<AccessToken> token)
    : m_token(std::move(token))
    , m_api(std::move(settings.api_base_url), settings.timeout, settings.max_idle_connections)
    , m_data(std::move(settings.data_base_url), settings.timeout, settings.max_idle_connections) {}

MessagingClient::~MessagingClient() = default;

ApiResult MessagingClient::call(Host host, const http::Request& request) {
    auto& pool = host == Host::api ? m_api : m_data;
    for (int attempt = 0;; ++attempt) {
        auto token = m_token->get();
        if (!token) {
            return token.error();
        }
        http::Request authorized = request;
        authorized.headers.emplace_back("Authorization", "Bearer " + *token);
        auto response = pool.send(authorized);
        if (!response) {
            return classify_transport_error(response.error());
        }
        auto result = classify_response(*response);
        // A 401 means LINE did nothing with the call, so repeating it with a fresh stateless
        // token (and the same retry key) cannot send twice.
        if (result.outcome == Outcome::unauthorized && attempt == 0 &&
            m_token->renew_after_unauthorized(*token)) {
            continue;
        }
        return result;
    }
}

ApiResult MessagingClient::call(Host host, const BuiltRequest& request) {
    if (!request) {
        return local_refusal(request.error());
    }
    return call(host, *request);
}

tl::expected<void, ApiResult> MessagingClient::call_void(Host host, const BuiltRequest& request) {
    auto result = call(host, request);
    if (!result.succeeded()) {
        return tl::unexpected(std::move(result));
    }
    return {};
}

ApiResult MessagingClient::push(std::string_view to, const json& messages,
                                std::string_view retry_key, const PushOptions& options) {
    return call(Host::api, push_request(to, messages, retry_key, options));
}

ApiResult MessagingClient::multicast(const std::vector<std::string>& to, const json& messages,
                                     std::string_view retry_key, const PushOptions& options) {
    return call(Host::api, multicast_request(to, messages, retry_key, options));
}

ApiResult MessagingClient::reply(std::string_view reply_token, const json& messages,
                                 bool notification_disabled) {
    return call(Host::api, reply_request(reply_token, messages, notification_disabled));
}

ApiResult MessagingClient::validate_push(const json& messages) {
    return call(Host::api, validate_push_request(messages));
}

ApiResult MessagingClient::validate_rich_menu(const json& definition) {
    return call(Host::api, validate_rich_menu_request(definition));
}

tl::expected<Profile, ApiResult> MessagingClient::profile(std::string_view user_id) {
    auto result = call(Host::api, profile_request(user_id));
    if (!result.succeeded()) {
        return tl::unexpected(std::move(result));
    }
    Profile answer;
    answer.user_id = string_field(result.body, "userId");
    answer.display_name = string_field(result.body, "displayName");
    answer.language = string_field(result.body, "language");
    answer.picture_url = string_field(result.body, "pictureUrl");
    answer.status_message = string_field(result.body, "statusMessage");
    if (answer.user_id.empty()) {
        return tl::unexpected(unexpected_answer(std::move(result), "userId"));
    }
    return answer;
}

tl::expected<FollowersPage, ApiResult> MessagingClient::followers(int limit,
                                                                  std::string_view start) {
    auto result = call(Host::api, followers_request(limit, start));
    if (!result.succeeded()) {
        return tl::unexpected(std::move(result));
    }
    const nlohmann::json& body = result.body;
    if (!body.is_object() || !body.contains("userIds") || !body.at("userIds").is_array()) {
        return tl::unexpected(unexpected_answer(std::move(result), "userIds"));
    }
    const nlohmann::json& ids = body.at("userIds");
    FollowersPage page;
    page.user_ids.reserve(ids.size());
    for (const auto& id : ids) {
        if (!id.is_string()) {
            return tl::unexpected(unexpected_answer(std::move(result), "userIds"));
        }
        page.user_ids.push_back(id.get<std::string>());
    }
    page.next = string_field(result.body, "next");
    return page;
}

tl::expected<std::string, ApiResult> MessagingClient::link_token(std::string_view user_id) {
    return required_string(call(Host::api, link_token_request(user_id)), "linkToken");
}

tl::expected<Quota, ApiResult> MessagingClient::quota() {
    auto result = call(Host::api, quota_request());
    if (!result.succeeded()) {
        return tl::unexpected(std::move(result));
    }
    const auto type = string_field(result.body, "type");
    if (type != "none" && type != "limited") {
        return tl::unexpected(unexpected_answer(std::move(result), "type"));
    }
    Quota answer;
    answer.limited = type == "limited";
    if (answer.limited) {
        auto value = result.body.find("value");
        if (value == result.body.end() || !value->is_number_integer()) {
            return tl::unexpected(unexpected_answer(std::move(result), "value"));
        }
        answer.value = value->get<long>();
    }
    return answer;
}

tl::expected<long, ApiResult> MessagingClient::quota_consumption() {
    auto result = call(Host::api, quota_consumption_request());
    if (!result.succeeded()) {
        return tl::unexpected(std::move(result));
    }
    auto usage = result.body.is_object() ? result.body.find("totalUsage") : result.body.end();
    if (usage == result.body.end() || !usage->is_number_integer()) {
        return tl::unexpected(unexpected_answer(std::move(result), "totalUsage"));
    }
    return usage->get<long>();
}

tl::expected<std::string, ApiResult> MessagingClient::create_rich_menu(const json& definition) {
    return required_string(call(Host::api, create_rich_menu_request(definition)), "richMenuId");
}

tl::expected<void, ApiResult> MessagingClient::delete_rich_menu(std::string_view rich_menu_id) {
    return call_void(Host::api, delete_rich_menu_request(rich_menu_id));
}

tl::expected<void, ApiResult> MessagingClient::upload_rich_menu_image(std::string_view rich_menu_id,
                                                                      ImageType type,
                                                                      std::string image) {
    return call_void(Host::data,
                     upload_rich_menu_image_request(rich_menu_id, type, std::move(image)));
}

tl::expected<void, ApiResult>
MessagingClient::set_default_rich_menu(std::string_view rich_menu_id) {
    return call_void(Host::api, set_default_rich_menu_request(rich_menu_id));
}

tl::expected<void, ApiResult> MessagingClient::link_rich_menu(std::string_view user_id,
                                                              std::string_view rich_menu_id) {
    return call_void(Host::api, link_rich_menu_request(user_id, rich_menu_id));
}

tl::expected<void, ApiResult> MessagingClient::unlink_rich_menu(std::string_view user_id) {
    return call_void(Host::api, unlink_rich_menu_request(user_id));
}

tl::expected<std::optional<std::string>, ApiResult>
MessagingClient::user_rich_menu(std::string_view user_id) {
    auto result = call(Host::api, get_user_rich_menu_request(user_id));
    if (result.status == 404) {
        return std::optional<std::string>();
    }
    auto id = required_string(std::move(result), "richMenuId");
    if (!id) {
        return tl::unexpected(std::move(id.error()));
    }
    return std::optional<std::string>(std::move(*id));
}

tl::expected<void, ApiResult>
MessagingClient::bulk_link_rich_menu(std::string_view rich_menu_id,
                                     const std::vector<std::string>& user_ids) {
    return call_void(Host::api, bulk_link_rich_menu_request(rich_menu_id, user_ids));
}

tl::expected<void, ApiResult>
MessagingClient::bulk_unlink_rich_menu(const std::vector<std::string>& user_ids) {
    return call_void(Host::api, bulk_unlink_rich_menu_request(user_ids));
}

tl::expected<void, ApiResult>
MessagingClient::create_rich_menu_alias(std::string_view alias_id, std::string_view rich_menu_id) {
    return call_void(Host::api, create_rich_menu_alias_request(alias_id, rich_menu_id));
}

tl::expected<void, ApiResult>
MessagingClient::update_rich_menu_alias(std::string_view alias_id, std::string_view rich_menu_id) {
    return call_void(Host::api, update_rich_menu_alias_request(alias_id, rich_menu_id));
}

// --- Bot info, groups and rooms, alias reads (issue 17, groups and events)
tl::expected<std::string, ApiResult> MessagingClient::bot_user_id() {
    return required_string(call(Host::api, bot_info_request()), "userId");
}

tl::expected<void, ApiResult> MessagingClient::leave_chat(ChatType type, std::string_view chat_id) {
    auto result = call(Host::api, leave_chat_request(type, chat_id));
    if (!result.succeeded()) {
        return tl::unexpected(std::move(result));
    }
    return {};
}

tl::expected<std::optional<std::string>, ApiResult>
MessagingClient::rich_menu_alias_target(std::string_view alias_id) {
    auto result = call(Host::api, get_rich_menu_alias_request(alias_id));
    if (result.status == 404) {
        return std::optional<std::string>();
    }
    auto id = required_string(std::move(result), "richMenuId");
    if (!id) {
        return tl::unexpected(std::move(id.error()));
    }
    return std::optional<std::string>(std::move(*id));
}

} // namespace musubi::line
