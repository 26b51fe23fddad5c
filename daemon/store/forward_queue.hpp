#pragma once
// The queue of webhook bodies for other tools on the channel (webhook.forward), as the forward
// worker sees it. Rows are added by WebhookInbox::receive() in the transaction that stores the
// body's events; each target's rows are taken oldest first (the order received), one at a time.
// A row leaves the queue (and its body with it) when delivered or given up.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "daemon/store/store_error.hpp"

namespace musubi::store {

struct QueuedForward {
    std::int64_t id = 0;
    std::string target;
    std::string body;
    std::string signature;
    std::string content_type;
    std::int64_t received_at_ms = 0;
    std::int64_t next_at_ms = 0;
    std::int64_t attempts = 0;
};

struct ForwardDepth {
    std::int64_t queued = 0;   // rows waiting for the target
    std::int64_t retrying = 0; // of them, rows tried at least once (the head while it fails)
};

class ForwardQueue {
public:
    virtual ~ForwardQueue() = default;

    // The oldest row for `target`, if any.
    virtual tl::expected<std::optional<QueuedForward>, StoreError>
    head(const std::string& target) = 0;
    // Delivered or given up: the row and its body go.
    virtual tl::expected<void, StoreError> remove(std::int64_t id) = 0;
    // Tried and failed: try again at `next_at_ms`. `error` names a status or transport error.
    virtual tl::expected<void, StoreError> retry_at(std::int64_t id, std::int64_t next_at_ms,
                                                    const std::string& error) = 0;
    // Every row of a target no longer configured: how many went.
    virtual tl::expected<std::int64_t, StoreError> remove_target(const std::string& target) = 0;
    // Targets with rows, and their depth.
    virtual tl::expected<std::map<std::string, ForwardDepth>, StoreError> depths() = 0;
};

} // namespace musubi::store
