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
EventProcessor::decide(const store::InboundEvent& inbound,
                       const std::function<tl::expected<void, StoreError>()>& flush) {
    auto& friends = m_store.friend_events();
    const auto event = nlohmann::json::parse(inbound.body, nullptr, false);
    const std::string type = text_at(event, "type");
    const std::string user_id = event.is_object() && event.contains("source")
                                    ? text_at(event["source"], "userId")
                                    : std::string();
    // Standby: another channel answers this chat; keep the record, act on nothing.
    if (text_at(event, "mode") == "standby" || user_id.empty()) {
        store::FriendEvent mark_only;
        mark_only.event_id = inbound.event_id;
        return std::optional<store::FriendEvent>(mark_only);
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
