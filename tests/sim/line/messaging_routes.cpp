// Sending, validation, profile, followers, quota, link tokens and stateless access tokens.

#include <Poco/URI.h>

#include "line_service_impl.hpp"

namespace musubi::sim::line {

namespace {

using nlohmann::json;

bool is_chat_id(const json& value) {
    if (!value.is_string()) {
        return false;
    }
    const auto& text = value.get_ref<const std::string&>();
    if (text.size() != 33 || (text[0] != 'U' && text[0] != 'C' && text[0] != 'R')) {
        return false;
    }
    return is_user_id("U" + text.substr(1));
}

const json& member(const json& body, const char* key) {
    static const json k_null;
    auto it = body.find(key);
    return it == body.end() ? k_null : *it;
}

constexpr const char* k_followers_forbidden =
    "Access to this API is not available for your account";
constexpr std::string_view k_token_prefix = "fw1";
constexpr std::string_view k_hex = "0123456789abcdef";

// An opaque continuation token: a version prefix and the page's last id, each byte as two hex
// digits in reverse order (opaque to callers, who must pass it back as it is).
std::string encode_follower_token(const json& last_id) {
    std::string token(k_token_prefix);
    const auto& id = last_id.get_ref<const std::string&>();
    for (auto it = id.rbegin(); it != id.rend(); ++it) {
        const auto byte = static_cast<unsigned char>(*it);
        token += k_hex[byte >> 4];
        token += k_hex[byte & 15];
    }
    return token;
}

// The id a token names; empty when it is not one of ours.
std::string decode_follower_token(const std::string& token) {
    if (!token.starts_with(k_token_prefix) || (token.size() - k_token_prefix.size()) % 2 != 0) {
        return {};
    }
    std::string id;
    for (std::size_t i = token.size(); i > k_token_prefix.size(); i -= 2) {
        const auto high = k_hex.find(token[i - 2]);
        const auto low = k_hex.find(token[i - 1]);
        if (high == std::string_view::npos || low == std::string_view::npos) {
            return {};
        }
        id += static_cast<char>(high * 16 + low);
    }
    return is_user_id(id) ? id : std::string();
}

Response bad_request(const std::vector<ErrorDetail>& details) {
    return Response::json(400, error_body(details));
}

void check_aggregation_units(const json& body, std::vector<ErrorDetail>& details) {
    auto it = body.find("customAggregationUnits");
    if (it != body.end() && (!it->is_array() || it->size() > 1)) {
        details.push_back({"Size must be between 0 and 1", "customAggregationUnits"});
    }
}

} // namespace

Response LineService::push(const Request&, Call& call) {
    const auto& to = member(call.body, "to");
    if (!is_chat_id(to)) {
        return line_error(
            400, "The property, 'to', in the request body is invalid (line: -, column: -)");
    }
    auto user_id = to.get<std::string>();
    auto details = validate_messages(member(call.body, "messages"));
    check_aggregation_units(call.body, details);
    if (!details.empty()) {
        return bad_request(details);
    }
    auto hashes = content_hashes(call.body["messages"]);
    std::lock_guard lock(m_mutex);
    if (auto repeat = repeated_key(call)) {
        return *repeat;
    }
    if (auto into_chat = push_into_chat(user_id, call, hashes)) { // a group or room id
        return *into_chat;
    }
    auto user = m_state.friends.find(user_id);
    bool deliverable = user != m_state.friends.end() && !user->second.blocked;
    if (deliverable) {
        if (auto refused = charge_quota(1)) {
            return *refused;
        }
    }
    json sent = json::array();
    for (std::size_t i = 0; i < hashes.size(); ++i) {
        auto id = m_ids.message_id();
        sent.push_back({{"id", id}, {"quoteToken", m_ids.token(43)}});
        if (deliverable) {
            deliver(user->second, "push", call.body["messages"][i], call, id, hashes[i]);
        }
    }
    if (!deliverable) {
        // LINE answers 200 and delivers nothing to a blocked or unknown user.
        if (user != m_state.friends.end()) {
            ++user->second.undelivered;
        }
        ++m_state.undelivered[user == m_state.friends.end() ? "not_friend" : "blocked"];
    }
    accept_key(call, sent);
    return Response::json(200, {{"sentMessages", sent}});
}

Response LineService::multicast(const Request&, Call& call) {
    std::vector<ErrorDetail> details;
    call.user_ids.clear(); // refilled with the valid ids only
    const auto& to = member(call.body, "to");
    if (!to.is_array()) {
        details.push_back({"must be specified", "to"});
    } else {
        if (to.empty() || to.size() > 500) {
            details.push_back({"Size must be between 1 and 500", "to"});
        }
        for (std::size_t i = 0; i < to.size(); ++i) {
            if (!to[i].is_string() || !is_user_id(to[i].get<std::string>())) {
                details.push_back({"invalid user ID", "to[" + std::to_string(i) + "]"});
            } else {
                call.user_ids.push_back(to[i].get<std::string>());
            }
        }
    }
    auto message_details = validate_messages(member(call.body, "messages"));
    details.insert(details.end(), message_details.begin(), message_details.end());
    check_aggregation_units(call.body, details);
    if (!details.empty()) {
        return bad_request(details);
    }
    auto hashes = content_hashes(call.body["messages"]);
    std::lock_guard lock(m_mutex);
    if (auto repeat = repeated_key(call)) {
        return *repeat;
    }
    std::vector<Friend*> recipients;
    for (const auto& user_id : call.user_ids) {
        auto user = m_state.friends.find(user_id);
        if (user == m_state.friends.end() || user->second.blocked) {
            if (user != m_state.friends.end()) {
                ++user->second.undelivered;
            }
            ++m_state.undelivered[user == m_state.friends.end() ? "not_friend" : "blocked"];
            continue;
        }
        recipients.push_back(&user->second);
    }
    if (auto refused = charge_quota(static_cast<long>(recipients.size()))) {
        return *refused;
    }
    for (std::size_t i = 0; i < hashes.size(); ++i) {
        auto id = m_ids.message_id();
        for (auto* user : recipients) {
            deliver(*user, "multicast", call.body["messages"][i], call, id, hashes[i]);
        }
    }
    accept_key(call, json());
    return Response::json(200, json::object());
}

Response LineService::reply(const Request&, Call& call) {
    auto details = validate_messages(member(call.body, "messages"));
    const auto& token = member(call.body, "replyToken");
    if (!token.is_string() || token.get_ref<const std::string&>().empty()) {
        details.insert(details.begin(), {"must be specified", "replyToken"});
    }
    if (!details.empty()) {
        return bad_request(details);
    }
    auto hashes = content_hashes(call.body["messages"]);
    std::lock_guard lock(m_mutex);
    auto issued = m_state.reply_tokens.find(token.get<std::string>());
    if (issued == m_state.reply_tokens.end() || issued->second.used ||
        now_ms() - issued->second.issued_ms > m_settings.reply_token_ttl.count()) {
        if (issued != m_state.reply_tokens.end()) {
            call.user_ids = {issued->second.user_id};
        }
        return line_error(400, "Invalid reply token");
    }
    issued->second.used = true;
    if (!issued->second.chat_id.empty()) { // issued in a group or room: the reply goes there
        return reply_into_chat(issued->second.chat_id, call.body["messages"], call, hashes);
    }
    call.user_ids = {issued->second.user_id};
    auto user = m_state.friends.find(issued->second.user_id);
    bool deliverable = user != m_state.friends.end() && !user->second.blocked;
    json sent = json::array();
    for (std::size_t i = 0; i < hashes.size(); ++i) {
        auto id = m_ids.message_id();
        sent.push_back({{"id", id}, {"quoteToken", m_ids.token(43)}});
        if (deliverable) {
            deliver(user->second, "reply", call.body["messages"][i], call, id, hashes[i]);
        }
    }
    return Response::json(200, {{"sentMessages", sent}});
}

Response LineService::validate(const Request&, Call& call) {
    auto details = validate_messages(member(call.body, "messages"));
    if (!details.empty()) {
        return bad_request(details);
    }
    return Response::json(200, json::object());
}

Response LineService::profile(const Request&, Call& call) {
    std::lock_guard lock(m_mutex);
    auto user = m_state.friends.find(call.params[0]);
    if (user == m_state.friends.end() || user->second.blocked) {
        return line_error(404, "Not found");
    }
    return Response::json(200, {{"displayName", user->second.display_name},
                                {"userId", user->second.user_id},
                                {"language", user->second.language}});
}

// Followers in user-id order. The continuation token names the last id of the page (opaque to
// callers), so a page costs O(limit · log n) however deep it is, and friends added or blocked
// between pages neither shift nor repeat the rest. Only friends on LINE for iOS/Android are
// listed; accounts that are neither verified nor premium may not call it (403).
Response LineService::followers(const Request& request, Call&) {
    if (!m_settings.followers_api) {
        return line_error(403, k_followers_forbidden);
    }
    long limit = 300;
    std::string after;
    if (auto it = request.query.find("limit"); it != request.query.end()) {
        const auto& text = it->second;
        if (text.empty() || text.size() > 9 ||
            text.find_first_not_of("0123456789") != std::string::npos) {
            return bad_request({{"Invalid parameter", "limit"}});
        }
        limit = std::stol(text);
    }
    if (limit < 1 || limit > 1000) {
        return bad_request({{"Size must be between 1 and 1000", "limit"}});
    }
    if (auto it = request.query.find("start"); it != request.query.end()) {
        after = decode_follower_token(it->second);
        if (after.empty()) {
            return line_error(400, "Invalid start value");
        }
    }
    std::lock_guard lock(m_mutex);
    json ids = json::array();
    auto it = after.empty() ? m_state.friends.begin() : m_state.friends.upper_bound(after);
    for (; it != m_state.friends.end(); ++it) {
        const auto& user = it->second;
        if (user.blocked || !user.listed) {
            continue;
        }
        if (static_cast<long>(ids.size()) == limit) {
            return Response::json(200,
                                  {{"userIds", ids}, {"next", encode_follower_token(ids.back())}});
        }
        ids.push_back(it->first);
    }
    return Response::json(200, {{"userIds", ids}});
}

Response LineService::quota(const Request&, Call&) {
    if (m_settings.quota_type == "limited") {
        return Response::json(200, {{"type", "limited"}, {"value", m_settings.quota_value}});
    }
    return Response::json(200, {{"type", "none"}});
}

Response LineService::consumption(const Request&, Call&) {
    std::lock_guard lock(m_mutex);
    charge_quota(0); // rolls the month over
    return Response::json(200, {{"totalUsage", m_state.quota_usage}});
}

Response LineService::link_token(const Request&, Call& call) {
    std::lock_guard lock(m_mutex);
    const auto& user_id = call.params[0];
    call.user_ids = {user_id};
    auto user = m_state.friends.find(user_id);
    if (user == m_state.friends.end() || user->second.blocked) {
        return line_error(404, "Not found");
    }
    auto token = m_ids.token(32);
    m_state.link_tokens[token] = IssuedToken{user_id, now_ms(), false, {}};
    return Response::json(200, {{"linkToken", token}});
}

Response LineService::issue_access_token(const Request& request) {
    Poco::URI form("/?" + request.body);
    std::map<std::string, std::string> fields;
    for (const auto& [key, value] : form.getQueryParameters()) {
        fields[key] = value;
    }
    if (fields["grant_type"] != "client_credentials") {
        return Response::json(400,
                              {{"error", "unsupported_grant_type"},
                               {"error_description", "grant_type must be client_credentials"}});
    }
    if (fields["client_id"] != m_settings.channel_id ||
        fields["client_secret"] != m_settings.channel_secret) {
        return Response::json(400, {{"error", "invalid_client"},
                                    {"error_description", "invalid client_id or client_secret"}});
    }
    auto token = m_ids.token(64);
    {
        std::lock_guard lock(m_mutex);
        m_state.access_tokens[token] = now_ms() + m_settings.access_token_ttl.count();
    }
    return Response::json(200, {{"token_type", "Bearer"},
                                {"access_token", token},
                                {"expires_in", m_settings.access_token_ttl.count() / 1000}});
}

} // namespace musubi::sim::line
