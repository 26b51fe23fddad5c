#pragma once
// Applying LINE webhook events to the friends table and the facts, one transaction per event
// together with marking the event processed, so a crash never applies an event twice or
// loses it.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "daemon/store/new_message.hpp"
#include "daemon/store/store_error.hpp"

namespace musubi::store {

enum class FriendChange { none, follow, unfollow };

struct FriendEvent {
    std::string event_id;     // webhookEventId: the fact's natural key is "line:event:<id>"
    std::string line_user_id; // empty: only mark the event processed
    std::int64_t occurred_at_ms = 0;
    FriendChange change = FriendChange::none;
    std::optional<std::string> display_name; // follow: from the profile call
    std::optional<std::string> fact_kind;    // e.g. "friend.message"; none: no fact
    std::string payload_json = "{}";
};

class FriendEvents {
public:
    virtual ~FriendEvents() = default;

    // Creates the friend when unknown, applies `change`, records the fact (friend_id set) and
    // marks the webhook event processed. Answers the friend's id.
    virtual tl::expected<std::int64_t, StoreError> apply(const FriendEvent& event) = 0;
    // apply() for each event, in order, in one transaction (a burst of webhooks costs one
    // commit); all or none are applied.
    virtual tl::expected<void, StoreError> apply_all(const std::vector<FriendEvent>& events) = 0;
    // The friend's id, creating a row (state following) for a user musubi has not seen yet.
    virtual tl::expected<std::int64_t, StoreError> ensure_friend(const std::string& line_user_id,
                                                                 std::int64_t at_ms) = 0;
    // Marks an event processed without other changes (standby, unknown types, events
    // handled elsewhere).
    virtual tl::expected<void, StoreError> mark_processed(const std::string& event_id) = 0;

    // --- Groups and unsend (issue 17)
    // Writes the replies into a group chat or room (outbox rows with no friend; a row whose
    // retry key exists is left alone) and marks the event processed, in one transaction.
    virtual tl::expected<void, StoreError>
    apply_chat_replies(const std::string& event_id, const std::vector<NewMessage>& messages) = 0;
    // An `unsend` event: blanks the text of the message `message_id` wherever musubi keeps
    // it (the stored webhook body, the friend.message fact made from it) and marks the unsend
    // event processed, in one transaction. Answers how many stored texts were blanked.
    virtual tl::expected<std::int64_t, StoreError>
    forget_message(const std::string& message_id, const std::string& unsend_event_id) = 0;
};

} // namespace musubi::store
