// Groups and rooms, the other webhook event types, and the bot's own info.
//
// API (webhook.yml / messaging-api.yml):
//   GET  /v2/bot/info                   {userId: the bot's user id (every body's destination), …}
//   POST /v2/bot/group/{groupId}/leave  200; 404 when the account is not in that group
//   POST /v2/bot/room/{roomId}/leave    the same for a multi-person chat
// A reply token issued in a group or room replies into it: the chat's ledger records it with
// the chat as recipient. A push addressed to a chat id is recorded there too, so that a test
// can show musubi never pushes into a group.
//
// Control (/_sim/line/…):
//   POST /chats {type: group|room, members: [userIds], join: true, chatId?}   the account is
//        added to a new chat (a join event; join: false makes one it is already in, silently)
//   GET  /chats                                         every chat and what it received
//   POST /chats/{id}/text {userId, text}                a member writes in the chat
//   POST /chats/{id}/unsend {userId, messageId}         a member takes a message back
//   POST /chats/{id}/member_joined {userIds}            users join; member_left likewise
//   POST /chats/{id}/join | /leave                      the account is added / removed
//   POST /events {event: {type, source, …}}             any webhook.yml event, completed
//        with webhookEventId, timestamp, mode, deliveryContext and (for the types that carry
//        one, unless replyToken: false) a reply token
//   POST /bot_info {available: false}                   GET /v2/bot/info answers 500
// Each event action takes the friend actions' options: mode (active|standby), send,
// redelivery, bad_signature, duplicates, timestamp, and destination (another bot's id).

#include <algorithm>
#include <iterator>
#include <set>

#include "../core/dispatcher.hpp"
#include "line_service_impl.hpp"

namespace musubi::sim::line {

namespace {

using nlohmann::json;

json body_of(const Request& request) {
    auto body = json::parse(request.body.empty() ? "{}" : request.body, nullptr, false);
    return body.is_object() ? body : json();
}

// The event types whose webhook.yml schema carries a replyToken.
bool carries_reply_token(const std::string& type) {
    static const std::set<std::string> k_types{"message",      "follow",     "join",
                                               "memberJoined", "postback",   "beacon",
                                               "accountLink",  "membership", "videoPlayComplete"};
    return k_types.contains(type);
}

json chat_source(const Chat& chat, const std::string& user_id) {
    json source = {{"type", chat.type}, {chat.type == "group" ? "groupId" : "roomId", chat.id}};
    if (!user_id.empty()) {
        source["userId"] = user_id;
    }
    return source;
}

json user_list(const json& ids) {
    json members = json::array();
    for (const auto& id : ids) {
        members.push_back({{"type", "user"}, {"userId", id}});
    }
    return members;
}

std::optional<std::string> bad_user_ids(const json& ids) {
    if (!ids.is_array() || ids.empty()) {
        return "userIds (a non-empty array of user ids) must be specified";
    }
    for (const auto& id : ids) {
        if (!id.is_string() || !is_user_id(id.get<std::string>())) {
            return "each of userIds must be U followed by 32 lower-case hex digits";
        }
    }
    return std::nullopt;
}

} // namespace

Response LineService::bot_info(const Request&, Call&) {
    std::lock_guard lock(m_mutex);
    if (m_state.bot_info_down) {
        return line_error(500, "Internal server error");
    }
    return Response::json(200, {{"userId", m_settings.bot_user_id},
                                {"basicId", "@musubi-sim"},
                                {"displayName", "musubi-sim"},
                                {"chatMode", "bot"},
                                {"markAsReadMode", "auto"}});
}

Response LineService::leave_group(const Request&, Call& call) {
    return leave_chat(call, "group");
}

Response LineService::leave_room(const Request&, Call& call) {
    return leave_chat(call, "room");
}

Response LineService::leave_chat(const Call& call, const std::string& type) {
    std::lock_guard lock(m_mutex);
    auto chat = m_state.chats.find(call.params[0]);
    if (chat == m_state.chats.end() || chat->second.type != type || !chat->second.bot_member) {
        return line_error(404, "Not found");
    }
    chat->second.bot_member = false;
    ++chat->second.leave_calls;
    return Response::json(200, json::object());
}

Response LineService::reply_into_chat(const std::string& chat_id, const json& messages,
                                      const Call& call, const std::vector<std::string>& hashes) {
    json sent = json::array();
    auto chat = m_state.chats.find(chat_id);
    for (std::size_t i = 0; i < hashes.size(); ++i) {
        auto id = m_ids.message_id();
        sent.push_back({{"id", id}, {"quoteToken", m_ids.token(43)}});
        if (chat != m_state.chats.end() && chat->second.bot_member) {
            Delivery delivery;
            delivery.seq = ++m_state.next_seq;
            delivery.endpoint = "reply";
            delivery.message = messages[i];
            delivery.at_ms = call.now_ms;
            delivery.request_id = call.request_id;
            delivery.message_id = id;
            delivery.content_hash = hashes[i];
            chat->second.deliveries.push_back(std::move(delivery));
        }
    }
    return Response::json(200, {{"sentMessages", sent}});
}

std::optional<Response> LineService::push_into_chat(const std::string& to, const Call& call,
                                                    const std::vector<std::string>& hashes) {
    auto chat = m_state.chats.find(to);
    if (chat == m_state.chats.end()) {
        return std::nullopt;
    }
    json sent = json::array();
    for (std::size_t i = 0; i < hashes.size(); ++i) {
        auto id = m_ids.message_id();
        sent.push_back({{"id", id}, {"quoteToken", m_ids.token(43)}});
        Delivery delivery;
        delivery.seq = ++m_state.next_seq;
        delivery.endpoint = "push";
        delivery.message = call.body["messages"][i];
        delivery.at_ms = call.now_ms;
        delivery.retry_key = call.retry_key;
        delivery.request_id = call.request_id;
        delivery.message_id = id;
        delivery.content_hash = hashes[i];
        chat->second.deliveries.push_back(std::move(delivery));
    }
    accept_key(call, sent);
    return Response::json(200, {{"sentMessages", sent}});
}

json LineService::chats_json() const {
    json chats = json::object();
    for (const auto& [id, chat] : m_state.chats) {
        // What was said into the chat, as the ledger shows a friend's deliveries.
        json deliveries = json::array();
        std::transform(chat.deliveries.begin(), chat.deliveries.end(),
                       std::back_inserter(deliveries), [](const Delivery& said) {
                           return json{{"seq", said.seq},
                                       {"endpoint", said.endpoint},
                                       {"message", said.message},
                                       {"epoch_ms", said.at_ms},
                                       {"request_id", said.request_id}};
                       });
        chats[id] = {{"type", chat.type},
                     {"members", chat.members},
                     {"in_chat", chat.bot_member},
                     {"leave_calls", chat.leave_calls},
                     {"deliveries", deliveries}};
    }
    return chats;
}

Response LineService::emit_event(json event, const json& body, bool replyable) {
    std::unique_lock lock(m_mutex);
    const auto now = now_ms();
    const std::int64_t timestamp =
        body.value("timestamp", now + body.value("timestamp_offset_ms", 0LL));
    const auto id = m_ids.ulid(timestamp);
    event["mode"] = body.value("mode", event.value("mode", std::string("active")));
    event["timestamp"] = timestamp;
    event["webhookEventId"] = id;
    event["deliveryContext"] = {{"isRedelivery", false}};
    if (replyable) {
        const auto& source = event.contains("source") ? event["source"] : json::object();
        IssuedToken token{source.value("userId", std::string()), now, false,
                          source.value("groupId", source.value("roomId", std::string()))};
        const auto reply_token = m_ids.token(32);
        m_state.reply_tokens[reply_token] = token;
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
        if (sent.status != 200) {
            return sent;
        }
        answer["deliveries"] = json::parse(sent.body, nullptr, false)["deliveries"];
    }
    return Response::json(200, answer);
}

std::optional<Response> LineService::chat_control(const Request& request) {
    std::vector<std::string> params;
    const auto& path = request.path;
    const auto& method = request.method;
    if (method == "GET" && path == "/chats") {
        std::lock_guard lock(m_mutex);
        return Response::json(200, {{"chats", chats_json()}});
    }
    if (method == "POST" && path == "/bot_info") {
        auto body = body_of(request);
        std::lock_guard lock(m_mutex);
        m_state.bot_info_down = !body.value("available", true);
        return Response::json(200, {{"available", !m_state.bot_info_down}});
    }
    if (method == "POST" && path == "/events") {
        auto body = body_of(request);
        if (body.is_null() || !body.contains("event") || !body["event"].is_object() ||
            !body["event"].contains("type") || !body["event"]["type"].is_string()) {
            return error_response(400, "event (an object with a type) must be specified");
        }
        auto event = body["event"];
        const auto type = event["type"].get<std::string>();
        const bool replyable =
            body.value("replyToken", carries_reply_token(type) &&
                                         !(type == "accountLink" && event.contains("link") &&
                                           event["link"].value("result", "") == "failed"));
        return emit_event(event, body, replyable);
    }
    if (method == "POST" && path == "/chats") {
        auto body = body_of(request);
        if (body.is_null()) {
            return error_response(400, "the body must be a JSON object");
        }
        const auto type = body.value("type", std::string("group"));
        if (type != "group" && type != "room") {
            return error_response(400, "type must be group or room");
        }
        const json members = body.value("members", json::array());
        if (!members.empty()) {
            if (auto bad = bad_user_ids(members)) {
                return error_response(400, "members: " + *bad);
            }
        }
        Chat chat;
        chat.type = type;
        chat.id = body.value("chatId", std::string(type == "group" ? "C" : "R") + m_ids.hex(32));
        for (const auto& member : members) {
            chat.members.insert(member.get<std::string>());
        }
        // join: false makes a chat the account is already in, without a join event.
        const bool join = body.value("join", true);
        json source = chat_source(chat, "");
        {
            std::lock_guard lock(m_mutex);
            if (m_state.chats.contains(chat.id)) {
                return error_response(409, "chat " + chat.id + " exists");
            }
            m_state.chats[chat.id] = chat;
        }
        if (!join) {
            return Response::json(200, {{"chatId", chat.id}});
        }
        auto answer = emit_event({{"type", "join"}, {"source", source}}, body, true);
        auto parsed = json::parse(answer.body, nullptr, false);
        if (answer.status == 200 && parsed.is_object()) {
            parsed["chatId"] = chat.id;
            return Response::json(200, parsed);
        }
        return answer;
    }
    if (method != "POST" || !match_path(path, "/chats/{}/{}", params)) {
        return std::nullopt;
    }
    auto body = body_of(request);
    if (body.is_null()) {
        return error_response(400, "the body must be a JSON object");
    }
    const auto& action = params[1];
    std::unique_lock lock(m_mutex);
    auto found = m_state.chats.find(params[0]);
    if (found == m_state.chats.end()) {
        return error_response(404, "no chat " + params[0]);
    }
    Chat& chat = found->second;
    if (action == "join") {
        chat.bot_member = true;
        auto source = chat_source(chat, "");
        lock.unlock();
        return emit_event({{"type", "join"}, {"source", source}}, body, true);
    }
    if (!chat.bot_member) {
        return error_response(409, "the account is not in chat " + chat.id +
                                       "; LINE sends nothing from it (POST …/join first)");
    }
    if (action == "leave") { // a member removed the account
        chat.bot_member = false;
        auto source = chat_source(chat, "");
        lock.unlock();
        return emit_event({{"type", "leave"}, {"source", source}}, body, false);
    }
    if (action == "member_joined" || action == "member_left") {
        const json ids = body.value("userIds", json());
        if (auto bad = bad_user_ids(ids)) {
            return error_response(400, *bad);
        }
        for (const auto& id : ids) {
            if (action == "member_joined") {
                chat.members.insert(id.get<std::string>());
            } else {
                chat.members.erase(id.get<std::string>());
            }
        }
        auto source = chat_source(chat, "");
        lock.unlock();
        if (action == "member_joined") {
            return emit_event({{"type", "memberJoined"},
                               {"source", source},
                               {"joined", {{"members", user_list(ids)}}}},
                              body, true);
        }
        return emit_event(
            {{"type", "memberLeft"}, {"source", source}, {"left", {{"members", user_list(ids)}}}},
            body, false);
    }
    if (action == "text" || action == "unsend") {
        const auto user_id = body.value("userId", std::string());
        if (!chat.members.contains(user_id)) {
            return error_response(400, "userId must be a member of chat " + chat.id);
        }
        auto source = chat_source(chat, user_id);
        if (action == "text") {
            if (!body.contains("text") || !body["text"].is_string()) {
                return error_response(400, "text (string) must be specified");
            }
            json message = {{"type", "text"},
                            {"id", m_ids.message_id()},
                            {"quoteToken", m_ids.token(43)},
                            {"text", body["text"]}};
            lock.unlock();
            return emit_event({{"type", "message"}, {"source", source}, {"message", message}}, body,
                              true);
        }
        if (!body.contains("messageId") || !body["messageId"].is_string()) {
            return error_response(400, "messageId (string) must be specified");
        }
        lock.unlock();
        return emit_event({{"type", "unsend"},
                           {"source", source},
                           {"unsend", {{"messageId", body["messageId"]}}}},
                          body, false);
    }
    return error_response(404, "unknown chat action '" + action +
                                   "'; use text, unsend, member_joined, member_left, join, leave");
}

} // namespace musubi::sim::line
