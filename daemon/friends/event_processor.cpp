#include "daemon/friends/event_processor.hpp"

#include <nlohmann/json.hpp>

#include "daemon/log/log.hpp"

namespace musubi::friends {

namespace {

using store::StoreError;

const log::Logger& logger() {
    static const log::Logger instance("webhook");
    return instance;
}

std::string text_at(const nlohmann::json& object, const char* key) {
    return object.is_object() && object.contains(key) && object[key].is_string()
               ? object[key].get<std::string>()
               : std::string();
}

} // namespace

EventProcessor::EventProcessor(store::Store& store, std::shared_ptr<const clock::Clock> clock,
                               Hooks hooks)
    : m_store(store)
    , m_clock(std::move(clock))
    , m_hooks(std::move(hooks)) {}

EventProcessor::~EventProcessor() {
    stop();
}

tl::expected<std::optional<store::FriendEvent>, StoreError>
EventProcessor::decide_chat(const store::InboundEvent& inbound, const nlohmann::json& event,
                            const std::function<tl::expected<void, StoreError>()>& flush) {
    const std::string type = text_at(event, "type");
    const auto& source = event["source"];
    const std::string chat_type = text_at(source, "type");
    const std::string chat_id = text_at(source, chat_type == "group" ? "groupId" : "roomId");
    const bool active = text_at(event, "mode") != "standby";
    store::FriendEvent mark_only;
    mark_only.event_id = inbound.event_id;
    if (type == "join" && active && m_hooks.chat_joined && !chat_id.empty()) {
        m_hooks.chat_joined(ChatJoin{chat_type, chat_id, inbound.event_id});
    }
    if (type != "message" || !active || !m_hooks.chat_message) {
        logger().debug("event.chat", {{"type", type}, {"event_id", inbound.event_id}});
        return std::optional<store::FriendEvent>(mark_only);
    }
    const auto& message = event.contains("message") ? event["message"] : nlohmann::json();
    if (text_at(message, "type") != "text") {
        return std::optional<store::FriendEvent>(mark_only);
    }
    auto replies = m_hooks.chat_message(
        ChatMessage{chat_type, chat_id, inbound.event_id, text_at(message, "text"),
                    text_at(event, "replyToken"), inbound.occurred_at_ms});
    if (replies.empty()) {
        return std::optional<store::FriendEvent>(mark_only);
    }
    if (auto flushed = flush(); !flushed) { // the events before it come first
        return tl::unexpected(flushed.error());
    }
    if (auto applied = m_store.friend_events().apply_chat_replies(inbound.event_id, replies);
        !applied) {
        return tl::unexpected(applied.error());
    }
    logger().info(
        "group.replied",
        {{"chat_type", chat_type}, {"event_id", inbound.event_id}, {"messages", replies.size()}});
    if (m_hooks.on_messages) {
        m_hooks.on_messages();
    }
    return std::optional<store::FriendEvent>();
}

tl::expected<std::optional<store::FriendEvent>, StoreError>
EventProcessor::decide(const store::InboundEvent& inbound,
                       const std::function<tl::expected<void, StoreError>()>& flush) {
    auto& friends = m_store.friend_events();
    const auto event = nlohmann::json::parse(inbound.body, nullptr, false);
    const std::string type = text_at(event, "type");
    const nlohmann::json source =
        event.is_object() && event.contains("source") ? event["source"] : nlohmann::json();
    const std::string source_type = text_at(source, "type");
    const std::string user_id = text_at(source, "userId");
    const bool standby = text_at(event, "mode") == "standby";
    store::FriendEvent mark_only;
    mark_only.event_id = inbound.event_id;

    // An unsend takes a message back wherever it was written (one-to-one, group or room).
    if (type == "unsend") {
        const auto& unsend = event.contains("unsend") ? event["unsend"] : nlohmann::json();
        const std::string message_id = text_at(unsend, "messageId");
        if (message_id.empty()) {
            return std::optional<store::FriendEvent>(mark_only);
        }
        if (auto flushed = flush(); !flushed) {
            return tl::unexpected(flushed.error());
        }
        auto blanked = friends.forget_message(message_id, inbound.event_id);
        if (!blanked) {
            return tl::unexpected(blanked.error());
        }
        logger().info("event.unsend",
                      {{"event_id", inbound.event_id}, {"texts_blanked", *blanked}});
        return std::optional<store::FriendEvent>();
    }
    if (source_type == "group" || source_type == "room") {
        return decide_chat(inbound, event, flush);
    }
    // Only these types, from a user, make or change a friend; the rest are only recorded.
    const bool friend_type = type == "follow" || type == "unfollow" || type == "message" ||
                             type == "postback" || type == "accountLink";
    if (source_type != "user" || user_id.empty() || !friend_type) {
        logger().debug("event.recorded", {{"type", type}, {"event_id", inbound.event_id}});
        return std::optional<store::FriendEvent>(mark_only);
    }
    // Standby: another channel answers this chat. What happened is still true (a follow or
    // block changes the friend's state), but no fact is made, so nothing is sent because of it.
    if (standby) {
        if (type != "follow" && type != "unfollow") {
            return std::optional<store::FriendEvent>(mark_only);
        }
        store::FriendEvent change;
        change.event_id = inbound.event_id;
        change.line_user_id = user_id;
        change.occurred_at_ms = inbound.occurred_at_ms;
        change.change =
            type == "follow" ? store::FriendChange::follow : store::FriendChange::unfollow;
        if (type == "follow" && m_hooks.display_name) {
            change.display_name = m_hooks.display_name(user_id);
        }
        logger().debug("event.standby", {{"type", type}, {"event_id", inbound.event_id}});
        return std::optional<store::FriendEvent>(std::move(change));
    }
    const std::string reply_token = text_at(event, "replyToken");

    store::FriendEvent change;
    change.event_id = inbound.event_id;
    change.line_user_id = user_id;
    change.occurred_at_ms = inbound.occurred_at_ms;
    nlohmann::json payload{{"reply_token", reply_token}};

    if (type == "follow") {
        change.change = store::FriendChange::follow;
        change.fact_kind = "friend.followed";
        if (m_hooks.display_name) {
            change.display_name = m_hooks.display_name(user_id);
        }
        payload["unblocked"] = event.contains("follow") && event["follow"].is_object() &&
                               event["follow"].value("isUnblocked", false);
    } else if (type == "unfollow") {
        change.change = store::FriendChange::unfollow;
        change.fact_kind = "friend.unfollowed";
        payload.erase("reply_token");
    } else if (type == "message") {
        const auto& message = event.contains("message") ? event["message"] : nlohmann::json();
        const std::string message_type = text_at(message, "type");
        if (message_type == "text" && m_hooks.chat_linking) {
            if (auto flushed = flush(); !flushed) { // the events before it come first
                return tl::unexpected(flushed.error());
            }
            auto friend_id = friends.ensure_friend(user_id, inbound.occurred_at_ms);
            if (!friend_id) {
                return tl::unexpected(friend_id.error());
            }
            if (m_hooks.chat_linking(TextMessage{*friend_id, inbound.event_id,
                                                 text_at(message, "text"), reply_token,
                                                 inbound.occurred_at_ms})) {
                if (auto marked = friends.mark_processed(inbound.event_id); !marked) {
                    return tl::unexpected(marked.error());
                }
                return std::optional<store::FriendEvent>();
            }
        }
        change.fact_kind = "friend.message";
        payload["type"] = message_type;
        payload["text"] = text_at(message, "text");
    } else if (type == "postback") {
        change.fact_kind = "friend.postback";
        const auto& postback = event.contains("postback") ? event["postback"] : nlohmann::json();
        payload["data"] = text_at(postback, "data");
        payload["params"] = postback.is_object() && postback.contains("params")
                                ? postback["params"]
                                : nlohmann::json::object();
    } else if (type == "accountLink") {
        if (auto flushed = flush(); !flushed) {
            return tl::unexpected(flushed.error());
        }
        auto friend_id = friends.ensure_friend(user_id, inbound.occurred_at_ms);
        if (!friend_id) {
            return tl::unexpected(friend_id.error());
        }
        const auto& link = event.contains("link") ? event["link"] : nlohmann::json();
        if (m_hooks.account_link) {
            m_hooks.account_link(AccountLinkEvent{*friend_id, inbound.event_id,
                                                  text_at(link, "nonce"), text_at(link, "result"),
                                                  inbound.occurred_at_ms});
        }
        if (auto marked = friends.mark_processed(inbound.event_id); !marked) {
            return tl::unexpected(marked.error());
        }
        return std::optional<store::FriendEvent>();
    }
    change.payload_json = payload.dump();
    logger().debug("event.applied", {{"type", type}, {"event_id", inbound.event_id}});
    return std::optional<store::FriendEvent>(std::move(change));
}

tl::expected<std::size_t, StoreError> EventProcessor::process_pending(std::size_t limit) {
    auto pending = m_store.webhook_inbox().pending(limit);
    if (!pending) {
        return tl::unexpected(pending.error());
    }
    // Consecutive plain events share one transaction; an event handled on its own (linking)
    // first lets the batch before it commit, so the order of events is kept.
    std::vector<store::FriendEvent> batch;
    const auto flush = [&]() -> tl::expected<void, StoreError> {
        if (batch.empty()) {
            return {};
        }
        auto applied = m_store.friend_events().apply_all(batch);
        batch.clear();
        return applied;
    };
    for (const auto& event : *pending) {
        auto decided = decide(event, flush);
        if (!decided) {
            return tl::unexpected(decided.error());
        }
        if (*decided) {
            batch.push_back(std::move(**decided));
        }
    }
    if (auto flushed = flush(); !flushed) {
        return tl::unexpected(flushed.error());
    }
    if (!pending->empty() && m_hooks.on_facts) {
        m_hooks.on_facts();
    }
    return pending->size();
}

void EventProcessor::start() {
    if (!m_thread.joinable()) {
        m_thread = std::jthread([this](std::stop_token stop) { loop(stop); });
    }
}

void EventProcessor::stop() {
    if (m_thread.joinable()) {
        m_thread.request_stop();
        wake();
        m_thread.join();
    }
}

void EventProcessor::wake() {
    {
        std::lock_guard lock(m_wake_mutex);
        m_woken = true;
    }
    m_wake.notify_all();
}

void EventProcessor::loop(std::stop_token stop) {
    constexpr std::size_t k_batch = 100;
    // A store that refuses writes (a full disk, a read-only file) refuses every try until an
    // operator acts: the first refusal is an error, the next ones debug lines.
    bool refused = false;
    while (!stop.stop_requested()) {
        auto done = process_pending(k_batch);
        if (done && refused) {
            refused = false;
            logger().info("events.store_ok", {{"why", "the store takes writes again"}});
        }
        if (done && *done == k_batch) {
            continue;
        }
        if (!done && !refused) {
            logger().error("events.store_error",
                           {{"error", done.error().message},
                            {"action", "retrying every second; the events stay stored"}});
        } else if (!done) {
            logger().debug("events.store_error", {{"error", done.error().message}});
        }
        refused = refused || !done;
        std::unique_lock lock(m_wake_mutex);
        m_wake.wait_for(lock, stop, std::chrono::seconds(1), [this] { return m_woken; });
        m_woken = false;
    }
}

} // namespace musubi::friends
