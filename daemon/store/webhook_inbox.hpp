#pragma once
// LINE webhook events as received: stored (once per webhookEventId) before the webhook is
// answered 200, and worked off afterwards in timestamp order by the friend-event processor.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "daemon/store/store_error.hpp"

namespace musubi::store {

struct InboundEvent {
    std::string event_id;            // webhookEventId
    std::int64_t occurred_at_ms = 0; // the event's `timestamp`
    std::string body;                // the event object as JSON
};

// webhook.forward: a verified body to queue for other tools, in the same transaction as its
// events. A copy for a target is queued when at least one of `event_ids` (the body's events of
// a type the target takes) is stored new by this transaction and was not already carried by an
// earlier body of it for the same target: a redelivered body, whose events musubi has, is not
// passed on again.
struct ForwardCopy {
    std::string target;                 // the URL
    std::vector<std::string> event_ids; // the matching events' webhookEventId
};
struct ForwardBody {
    std::string body; // the raw bytes, unchanged
    std::string signature;
    std::string content_type;
    std::vector<ForwardCopy> copies; // only targets with a matching event
};

class WebhookInbox {
public:
    virtual ~WebhookInbox() = default;

    // receive() and, in the same transaction, the forward copies (see ForwardCopy); `forwards`
    // in the order the bodies arrived. Answers how many events were new.
    virtual tl::expected<std::size_t, StoreError>
    receive_forwarding(const std::vector<InboundEvent>& events,
                       const std::vector<ForwardBody>& forwards) {
        if (!forwards.empty()) {
            return tl::unexpected(StoreError{"this store cannot queue webhook bodies to forward",
                                             "remove webhook.forward"});
        }
        return receive(events);
    }

    // Stores the events not stored before, all in one transaction; answers how many were new.
    virtual tl::expected<std::size_t, StoreError>
    receive(const std::vector<InboundEvent>& events) = 0;
    // Unprocessed events, oldest `timestamp` first (ties by id), at most `limit`.
    virtual tl::expected<std::vector<InboundEvent>, StoreError> pending(std::size_t limit) = 0;
    virtual tl::expected<std::int64_t, StoreError> count_pending() = 0;
};

} // namespace musubi::store
