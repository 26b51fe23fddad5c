#pragma once
// Works off the stored LINE webhook events, oldest `timestamp` first, after the webhook was
// answered: follow/unfollow update the friends table; each event becomes its fact
// (friend.followed, friend.unfollowed, friend.message, friend.postback) for the engine. Text
// messages go to chat linking first; accountLink events to the account-link flow.
//
// Who is a friend (line-messaging.md, "Webhooks"): only follow, unfollow, message, postback
// and accountLink events from a `user` source make or change a friend. Events from a group
// chat or room never do, never reach chat linking and never become friend facts: a text
// there may only get an in_groups keyword reply (by reply token, into the group); a join may
// make the account leave (line.groups). `unsend` blanks the stored text of the message it
// takes back. Every other type (videoPlayComplete, beacon, membership, memberJoined, …) is
// marked processed and nothing more.
//
// Standby mode (another channel answers the chat): nothing may be sent, but what happened is
// true. A follow or unfollow still changes the friend's state (with no fact, so no scenario
// starts and nothing is sent because of it); an unsend still blanks the text; everything else
// is only marked processed.

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

#include "daemon/clock/clock.hpp"
#include "daemon/store/store.hpp"

namespace musubi::friends {

struct TextMessage {
    std::int64_t friend_id = 0;
    std::string event_id;
    std::string text;
    std::string reply_token;
    std::int64_t at_ms = 0;
};

struct AccountLinkEvent {
    std::int64_t friend_id = 0;
    std::string event_id;
    std::string nonce;
    std::string result; // "ok" or "failed"
    std::int64_t at_ms = 0;
};

// A text written in a group chat or a room (issue 17).
struct ChatMessage {
    std::string chat_type; // "group" or "room"
    std::string chat_id;   // groupId or roomId
    std::string event_id;
    std::string text;
    std::string reply_token;
    std::int64_t at_ms = 0;
};

// The account was added to a group chat or a room.
struct ChatJoin {
    std::string chat_type; // "group" or "room"
    std::string chat_id;
    std::string event_id;
};

struct Hooks {
    // true: the message was about linking and has been answered; no friend.message fact.
    std::function<bool(const TextMessage&)> chat_linking;
    std::function<void(const AccountLinkEvent&)> account_link;
    // The friend's display name from LINE's profile API; nullopt when it cannot be had.
    std::function<std::optional<std::string>(const std::string& line_user_id)> display_name;
    // Facts were recorded (the engine's wake-up).
    std::function<void()> on_facts;
    // --- Groups (issue 17)
    // The in_groups keyword replies to a text in a group or room (outbox rows with no friend,
    // kind reply); they commit with the event's processed mark. Unset: none.
    std::function<std::vector<store::NewMessage>(const ChatMessage&)> chat_message;
    // The account joined a group or room (active mode only).
    std::function<void(const ChatJoin&)> chat_joined;
    // Outbox rows were written (the dispatcher's wake-up).
    std::function<void()> on_messages;
};

class EventProcessor {
public:
    EventProcessor(store::Store& store, std::shared_ptr<const clock::Clock> clock, Hooks hooks);
    ~EventProcessor();
    EventProcessor(const EventProcessor&) = delete;
    EventProcessor& operator=(const EventProcessor&) = delete;

    // Processes up to `limit` stored events; answers how many.
    tl::expected<std::size_t, store::StoreError> process_pending(std::size_t limit);

    void start();
    void stop();
    void wake(); // new events were stored

private:
    // What `event` changes, to be applied with the rest of the batch; nullopt when it was
    // handled on its own (linking, account link) or needs no change but its processed mark.
    tl::expected<std::optional<store::FriendEvent>, store::StoreError>
    decide(const store::InboundEvent& event,
           const std::function<tl::expected<void, store::StoreError>()>& flush);
    void loop(std::stop_token stop);
    // A group or room event: never a friend, never linking (see above).
    tl::expected<std::optional<store::FriendEvent>, store::StoreError>
    decide_chat(const store::InboundEvent& inbound, const nlohmann::json& event,
                const std::function<tl::expected<void, store::StoreError>()>& flush);

    store::Store& m_store;
    std::shared_ptr<const clock::Clock> m_clock;
    Hooks m_hooks;
    std::mutex m_wake_mutex;
    std::condition_variable_any m_wake;
    bool m_woken = false;
    std::jthread m_thread;
};

} // namespace musubi::friends
