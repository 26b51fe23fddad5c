// /_sim/line/...: the ledger, friends that send signed webhooks, faults, quota, rate limits.

#include "../core/dispatcher.hpp"
#include "line_service_impl.hpp"
#include "webhook_client.hpp"

namespace musubi::sim::line {

namespace {

using nlohmann::json;

json refused_json(const std::map<std::pair<int, std::string>, long>& refused) {
    json list = json::array();
    for (const auto& [reason, count] : refused) {
        list.push_back({{"status", reason.first}, {"message", reason.second}, {"count", count}});
    }
    return list;
}

json parse_body(const Request& request) {
    auto body = json::parse(request.body.empty() ? "{}" : request.body, nullptr, false);
    return body.is_object() ? body : json();
}

Response control_error(int status, const std::string& message) {
    return error_response(status, message);
}

} // namespace

std::optional<Response> LineService::control(const Request& request) {
    std::vector<std::string> params;
    const auto& path = request.path;
    const auto& method = request.method;
    if (auto answer = chat_control(request)) { // groups, rooms, any event (group_routes.cpp)
        return answer;
    }
    if (method == "GET" && path == "/ledger") {
        return Response::json(200, ledger_json(""));
    }
    if (method == "GET" && match_path(path, "/ledger/{}", params)) {
        auto ledger = ledger_json(params[0]);
        if (ledger.is_null()) {
            return control_error(404, "no friend " + params[0]);
        }
        return Response::json(200, ledger);
    }
    if (method == "POST" && path == "/reset") {
        reset();
        return Response::json(200, {{"reset", true}});
    }
    if (method == "POST" && path == "/config") {
        return set_config(request);
    }
    if (path == "/faults") {
        if (method == "GET") {
            std::lock_guard lock(m_mutex);
            return Response::json(200, {{"rate_500", m_faults.rate_500},
                                        {"rate_timeout", m_faults.rate_timeout},
                                        {"timeout_ms", m_faults.timeout.count()},
                                        {"drop", m_faults.drop},
                                        {"after_delivery", m_faults.after_delivery},
                                        {"burst_429", m_faults.burst_429},
                                        {"seed", m_faults.seed},
                                        {"endpoints", m_faults.endpoints}});
        }
        FaultSettings faults;
        if (method == "POST") {
            try {
                faults = parse_faults_json(request.body);
            } catch (const std::exception& error) {
                return control_error(400, error.what());
            }
        }
        std::lock_guard lock(m_mutex);
        m_faults = faults;
        m_fault_random.seed(faults.seed);
        refresh_switches();
        return Response::json(200, {{"faults", "set"}});
    }
    if (method == "POST" && path == "/quota") {
        return set_quota(request);
    }
    if (method == "POST" && path == "/rate_limits") {
        return set_rate_limits(request);
    }
    if (method == "POST" && path == "/friends/bulk") {
        // Many followers at once, for tests with 100,000 friends: {"userIds": [...],
        // "displayName": "..."}; ids already known are left as they are.
        auto body = parse_body(request);
        if (body.is_null() || !body.contains("userIds") || !body["userIds"].is_array()) {
            return control_error(400, "userIds (array of user ids) must be specified");
        }
        for (const auto& id : body["userIds"]) {
            if (!id.is_string() || !is_user_id(id.get<std::string>())) {
                return control_error(400, "each of userIds must be U followed by 32 lower-case "
                                          "hex digits");
            }
        }
        const auto name = body.value("displayName", std::string("ユーザー"));
        std::lock_guard lock(m_mutex);
        long added = 0;
        for (const auto& id : body["userIds"]) {
            auto& user = m_state.friends[id.get<std::string>()];
            if (user.user_id.empty()) {
                user.user_id = id.get<std::string>();
                user.display_name = name;
                ++added;
            }
        }
        return Response::json(200, {{"added", added}, {"friends", m_state.friends.size()}});
    }
    if (method == "POST" && path == "/friends/existing") {
        return existing_friends(request);
    }
    if (method == "POST" && path == "/friends") {
        return create_friend(request);
    }
    if (method == "POST" && match_path(path, "/friends/{}/{}", params)) {
        return friend_event(request, params[0], params[1]);
    }
    if (method == "GET" && path == "/webhooks") {
        std::lock_guard lock(m_mutex);
        json list = json::array();
        for (const auto& id : m_state.webhook_order) {
            const auto& stored = m_state.webhook_events.at(id);
            json attempts = json::array();
            for (const auto& attempt : stored.attempts) {
                attempts.push_back({{"status", attempt.status},
                                    {"error", attempt.error},
                                    {"isRedelivery", attempt.redelivery},
                                    {"at", format_jst(from_epoch_ms(attempt.at_ms))}});
            }
            list.push_back({{"event", stored.event}, {"attempts", attempts}});
        }
        return Response::json(200, {{"webhooks", list}});
    }
    if (method == "POST" && path == "/webhooks/verify") {
        return send_events({}, false, false, 0);
    }
    if (method == "POST" && path == "/webhooks/send") {
        auto body = parse_body(request);
        if (!body.contains("webhookEventIds") || !body["webhookEventIds"].is_array()) {
            return control_error(400, "webhookEventIds (array of ids) must be specified");
        }
        return send_events(body["webhookEventIds"].get<std::vector<std::string>>(),
                           body.value("redelivery", false), body.value("bad_signature", false),
                           body.value("duplicates", 0L));
    }
    if (method == "POST" && match_path(path, "/webhooks/{}/redeliver", params)) {
        auto body = parse_body(request);
        return send_events({params[0]}, true, body.value("bad_signature", false),
                           body.value("duplicates", 0L));
    }
    return std::nullopt;
}

Response LineService::set_config(const Request& request) {
    auto body = parse_body(request);
    std::lock_guard lock(m_mutex);
    for (const auto& [key, value] : body.items()) {
        if (key == "webhook_url" && value.is_string()) {
            m_settings.webhook_url = value.get<std::string>();
        } else if (key == "webhook_timeout_ms" && value.is_number_integer()) {
            m_settings.webhook_timeout = std::chrono::milliseconds(value.get<long long>());
        } else if (key == "bulk_delay_ms" && value.is_number_integer()) {
            m_settings.bulk_delay = std::chrono::milliseconds(value.get<long long>());
        } else if (key == "followers_api" && (value == "available" || value == "forbidden")) {
            m_settings.followers_api = value == "available";
        } else {
            return control_error(400, "bad key or type '" + key +
                                          "'; valid keys: webhook_url (string), "
                                          "webhook_timeout_ms, bulk_delay_ms (integers), "
                                          "followers_api (available|forbidden)");
        }
    }
    return Response::json(200, {{"webhook_url", m_settings.webhook_url}});
}

// Friends the account already had, made without webhook events (as line.existing_friends):
// {"count": N, "unlisted_every"?: K, "seed"?: S}. The same seed gives the same ids, so a second
// call with a larger count adds only the new ones.
Response LineService::existing_friends(const Request& request) {
    auto body = parse_body(request);
    ExistingFriends existing;
    for (const auto& [key, value] : body.items()) {
        const bool whole = value.is_number_integer() && value.get<long long>() >= 0;
        if (key == "count" && whole && value.get<long>() <= 10'000'000) {
            existing.count = value.get<long>();
        } else if (key == "unlisted_every" && whole) {
            existing.unlisted_every = value.get<long>();
        } else if (key == "seed" && whole) {
            existing.seed = value.get<std::uint64_t>();
        } else {
            return control_error(400, "bad key or type '" + key +
                                          "'; valid keys: count (0..10000000), unlisted_every, "
                                          "seed (unsigned integers)");
        }
    }
    std::lock_guard lock(m_mutex);
    const auto added = add_existing_friends(existing);
    long listed = 0;
    for (const auto& [id, user] : m_state.friends) {
        listed += user.listed && !user.blocked ? 1 : 0;
    }
    return Response::json(
        200, {{"added", added}, {"friends", m_state.friends.size()}, {"listed", listed}});
}

Response LineService::set_quota(const Request& request) {
    auto body = parse_body(request);
    std::lock_guard lock(m_mutex);
    for (const auto& [key, value] : body.items()) {
        if (key == "type" && value.is_string() && (value == "none" || value == "limited")) {
            m_settings.quota_type = value.get<std::string>();
        } else if (key == "value" && value.is_number_integer()) {
            m_settings.quota_value = value.get<long>();
        } else if (key == "usage" && value.is_number_integer()) {
            charge_quota(0);
            m_state.quota_usage = value.get<long>();
        } else {
            return control_error(400, "bad key or type '" + key +
                                          "'; valid keys: type (none|limited), value, usage");
        }
    }
    return Response::json(200, {{"type", m_settings.quota_type},
                                {"value", m_settings.quota_value},
                                {"totalUsage", m_state.quota_usage}});
}

Response LineService::set_rate_limits(const Request& request) {
    auto body = parse_body(request);
    std::lock_guard lock(m_mutex);
    for (const auto& [key, value] : body.items()) {
        if (key == "enabled" && value.is_boolean()) {
            m_limiter.set_enabled(value.get<bool>());
            continue;
        }
        auto rate = value.is_string() ? parse_rate(value.get<std::string>()) : std::nullopt;
        if (!rate || !RateLimiter::defaults().contains(key)) {
            return control_error(400, "bad key or value '" + key +
                                          "'; use enabled (bool) or a family such as push with "
                                          "a rate such as \"2000/s\", \"100/h\"");
        }
        m_limiter.set_rate(key, *rate);
    }
    m_limiter.reset();
    refresh_switches();
    json rates = json::object();
    for (const auto& [family, rate] : m_limiter.rates()) {
        rates[family] = {{"count", rate.count}, {"per_ms", rate.per.count()}};
    }
    return Response::json(200, {{"enabled", m_limiter.enabled()}, {"rates", rates}});
}

Response LineService::create_friend(const Request& request) {
    auto body = parse_body(request);
    auto user_id = body.value("userId", std::string());
    if (!is_user_id(user_id)) {
        return control_error(400, "userId must be U followed by 32 lower-case hex digits");
    }
    std::lock_guard lock(m_mutex);
    auto& user = m_state.friends[user_id];
    user.user_id = user_id;
    user.display_name = body.value("displayName", std::string("ユーザー"));
    user.language = body.value("language", std::string("ja"));
    user.blocked = body.value("blocked", false);
    user.listed = body.value("listed", true);
    return Response::json(200, friend_json(user));
}

Response LineService::friend_event(const Request& request, const std::string& user_id,
                                   const std::string& kind) {
    auto body = parse_body(request);
    if (body.is_null()) {
        return control_error(400, "the body must be a JSON object");
    }
    if (!is_user_id(user_id)) {
        return control_error(400, "userId must be U followed by 32 lower-case hex digits");
    }
    std::unique_lock lock(m_mutex);
    auto now = now_ms();
    std::int64_t timestamp = body.value("timestamp", now + body.value("timestamp_offset_ms", 0LL));
    auto id = m_ids.ulid(timestamp);
    json event = {{"mode", body.value("mode", std::string("active"))},
                  {"timestamp", timestamp},
                  {"source", {{"type", "user"}, {"userId", user_id}}},
                  {"webhookEventId", id},
                  {"deliveryContext", {{"isRedelivery", false}}}};
    auto& user = m_state.friends[user_id];
    bool is_new = user.user_id.empty();
    user.user_id = user_id;
    if (is_new) {
        user.display_name = body.value("displayName", std::string("ユーザー"));
    }
    bool replyable = true;
    if (kind == "follow") {
        event["type"] = "follow";
        event["follow"] = {{"isUnblocked", !is_new && user.blocked}};
        user.blocked = false;
    } else if (kind == "unfollow") {
        event["type"] = "unfollow";
        user.blocked = true;
        replyable = false;
    } else if (kind == "text") {
        if (!body.contains("text") || !body["text"].is_string()) {
            return control_error(400, "text (string) must be specified");
        }
        event["type"] = "message";
        event["message"] = {{"type", "text"},
                            {"id", m_ids.message_id()},
                            {"quoteToken", m_ids.token(43)},
                            {"text", body["text"]}};
    } else if (kind == "postback") {
        if (!body.contains("data") || !body["data"].is_string()) {
            return control_error(400, "data (string) must be specified");
        }
        event["type"] = "postback";
        event["postback"] = {{"data", body["data"]}};
        if (body.contains("params")) {
            event["postback"]["params"] = body["params"];
        }
    } else if (kind == "richmenuswitch") {
        // A tap on a richmenuswitch area: LINE switches the menu on the phone and sends a
        // postback saying whether the alias existed.
        auto alias = body.value("richMenuAliasId", std::string());
        event["type"] = "postback";
        event["postback"] = {
            {"data", body.value("data", std::string())},
            {"params",
             {{"newRichMenuAliasId", alias},
              {"status",
               m_state.aliases.contains(alias) ? "SUCCESS" : "RICHMENU_ALIAS_ID_NOTFOUND"}}}};
    } else if (kind == "account_link") {
        auto result = body.value("result", std::string("ok"));
        if (body.contains("linkToken")) {
            auto token = m_state.link_tokens.find(body.value("linkToken", std::string()));
            bool valid = token != m_state.link_tokens.end() && !token->second.used &&
                         token->second.user_id == user_id &&
                         now - token->second.issued_ms <= m_settings.link_token_ttl.count();
            if (valid) {
                token->second.used = true;
            }
            result = body.value("result", std::string(valid ? "ok" : "failed"));
        }
        event["type"] = "accountLink";
        event["link"] = {{"result", result}, {"nonce", body.value("nonce", std::string())}};
        replyable = result == "ok"; // webhook.yml: no replyToken when linking failed
    } else if (kind == "unsend") {
        // The friend took back a message they sent (webhook.yml UnsendEvent); no reply token.
        if (!body.contains("messageId") || !body["messageId"].is_string()) {
            return control_error(400, "messageId (string) must be specified");
        }
        event["type"] = "unsend";
        event["unsend"] = {{"messageId", body["messageId"]}};
        replyable = false;
    } else {
        if (is_new) {
            m_state.friends.erase(user_id);
        }
        return control_error(404, "unknown friend action '" + kind +
                                      "'; use follow, unfollow, text, postback, richmenuswitch, "
                                      "account_link, unsend");
    }
    std::string reply_token;
    if (replyable) {
        reply_token = m_ids.token(32);
        m_state.reply_tokens[reply_token] = IssuedToken{user_id, now, false, {}};
        event["replyToken"] = reply_token;
    }
    m_state.webhook_events[id] = WebhookEvent{event, {}};
    m_state.webhook_order.push_back(id);
    lock.unlock();

    json answer = {{"webhookEventId", id}, {"event", event}};
    if (body.value("send", true)) {
        auto sent =
            send_events({id}, body.value("redelivery", false), body.value("bad_signature", false),
                        body.value("duplicates", 0L), body.value("destination", std::string()));
        auto sent_body = json::parse(sent.body, nullptr, false);
        if (sent.status != 200) {
            return sent;
        }
        answer["deliveries"] = sent_body["deliveries"];
        answer["raw_body"] = sent_body["raw_body"];
    }
    return Response::json(200, answer);
}

Response LineService::send_events(const std::vector<std::string>& ids, bool redelivery,
                                  bool bad_signature, long duplicates,
                                  const std::string& destination) {
    std::unique_lock lock(m_mutex);
    if (m_settings.webhook_url.empty()) {
        return control_error(409, "no webhook_url: set line.webhook_url in the scenario or "
                                  "POST /_sim/line/config {\"webhook_url\": \"http://...\"}");
    }
    json events = json::array();
    for (const auto& id : ids) {
        auto stored = m_state.webhook_events.find(id);
        if (stored == m_state.webhook_events.end()) {
            return control_error(404, "no webhook event " + id);
        }
        auto event = stored->second.event;
        event["deliveryContext"]["isRedelivery"] = redelivery;
        events.push_back(event);
    }
    // `destination`: a body meant for another bot (a test of musubi's destination check).
    auto body = json{
        {"destination", destination.empty() ? m_settings.bot_user_id : destination},
        {"events",
         events}}.dump();
    auto signature =
        sign_body(bad_signature ? "not-the-channel-secret" : m_settings.channel_secret, body);
    auto url = m_settings.webhook_url;
    auto timeout = m_settings.webhook_timeout;
    lock.unlock();

    json deliveries = json::array();
    for (long attempt = 0; attempt <= duplicates; ++attempt) {
        // Sent without the lock: musubi may call the API (reply) while handling the webhook.
        auto result = post_webhook(url, body, signature, timeout);
        deliveries.push_back(
            {{"status", result.status}, {"body", result.body}, {"error", result.error}});
        lock.lock();
        for (const auto& id : ids) {
            m_state.webhook_events[id].attempts.push_back(
                WebhookAttempt{result.status, result.error, redelivery, now_ms()});
        }
        lock.unlock();
    }
    // raw_body: the exact bytes signed and sent, for tests that compare what another tool got.
    return Response::json(200, {{"deliveries", deliveries},
                                {"body", json::parse(body)},
                                {"raw_body", body},
                                {"signature", signature}});
}

void LineService::reset() {
    std::lock_guard lock(m_mutex);
    m_state = LineState{};
    m_limiter.reset();
    m_faults = m_settings.faults;
    m_fault_random.seed(m_faults.seed);
    refresh_switches();
    seed_friends();
}

json LineService::friend_json(const Friend& user) const {
    json deliveries = json::array();
    for (const auto& delivery : user.deliveries) {
        deliveries.push_back(
            {{"seq", delivery.seq},
             {"endpoint", delivery.endpoint},
             {"message", delivery.message},
             {"at", format_jst(from_epoch_ms(delivery.at_ms))},
             {"epoch_ms", delivery.at_ms},
             {"retry_key", delivery.retry_key.empty() ? json() : json(delivery.retry_key)},
             {"request_id", delivery.request_id},
             {"message_id", delivery.message_id},
             {"content_hash", delivery.content_hash}});
    }
    json duplicates = json::array();
    for (const auto& [hash, count] : user.content_counts) {
        if (count > 1) {
            duplicates.push_back({{"content_hash", hash}, {"count", count}});
        }
    }
    auto effective = !user.rich_menu_id.empty() ? user.rich_menu_id : m_state.default_rich_menu;
    return {{"userId", user.user_id},
            {"displayName", user.display_name},
            {"language", user.language},
            {"state", user.blocked ? "blocked" : "friend"},
            {"listed", user.listed},
            {"rich_menu",
             {{"linked", user.rich_menu_id.empty() ? json() : json(user.rich_menu_id)},
              {"effective", effective.empty() ? json() : json(effective)}}},
            {"deliveries", deliveries},
            {"duplicate_deliveries", user.duplicate_deliveries},
            {"duplicates", duplicates},
            {"undelivered", user.undelivered},
            {"refused", refused_json(user.refused)}};
}

json LineService::ledger_json(const std::string& user_id) {
    std::lock_guard lock(m_mutex);
    if (!user_id.empty()) {
        auto user = m_state.friends.find(user_id);
        return user == m_state.friends.end() ? json() : friend_json(user->second);
    }
    json friends = json::object();
    for (const auto& [id, user] : m_state.friends) {
        friends[id] = friend_json(user);
    }
    long refused_total = 0;
    for (const auto& [reason, count] : m_state.refused) {
        refused_total += count;
    }
    json menus = json::array();
    for (const auto& [id, menu] : m_state.rich_menus) {
        menus.push_back({{"richMenuId", id},
                         {"name", menu.object.value("name", std::string())},
                         {"hasImage", !menu.image_type.empty()}});
    }
    auto now = m_clock.now();
    return {{"now", format_jst(now)},
            {"epoch_ms", to_epoch_ms(now)},
            {"friends", friends},
            {"counters",
             {{"deliveries", m_state.deliveries},
              {"duplicate_deliveries", m_state.duplicate_deliveries},
              {"same_retry_key_deliveries", m_state.same_key_deliveries},
              {"retry_key_conflicts", m_state.retry_key_conflicts},
              {"undelivered", m_state.undelivered},
              {"refused_total", refused_total}}},
            {"refused", refused_json(m_state.refused)},
            {"quota",
             {{"type", m_settings.quota_type},
              {"value", m_settings.quota_value},
              {"totalUsage", m_state.quota_usage}}},
            {"rich_menus", menus},
            {"default_rich_menu",
             m_state.default_rich_menu.empty() ? json() : json(m_state.default_rich_menu)},
            {"aliases", m_state.aliases},
            {"chats", chats_json()},
            {"pending_bulk_operations", m_state.bulk_operations.size()}};
}

} // namespace musubi::sim::line
