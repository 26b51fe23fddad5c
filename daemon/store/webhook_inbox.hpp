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

class WebhookInbox {
public:
    virtual ~WebhookInbox() = default;

    // Stores the events not stored before, all in one transaction; answers how many were new.
    virtual tl::expected<std::size_t, StoreError>
    receive(const std::vector<InboundEvent>& events) = 0;
    // Unprocessed events, oldest `timestamp` first (ties by id), at most `limit`.
    virtual tl::expected<std::vector<InboundEvent>, StoreError> pending(std::size_t limit) = 0;
    virtual tl::expected<std::int64_t, StoreError> count_pending() = 0;
};

} // namespace musubi::store
