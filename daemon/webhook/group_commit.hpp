#pragma once
// Group commit for webhook bodies: requests that arrive while one transaction is being written
// are stored together in the next one. Each body still gets its 200 only after a commit that
// holds its events, but the store's write lock — shared with the event processor, the engine
// and the dispatcher — is taken once per group instead of once per body, which keeps latency
// flat when the other writers are busy.

#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include <tl/expected.hpp>

#include "daemon/store/webhook_inbox.hpp"

namespace musubi::webhook {

// What one commit did; every body in the group gets the same answer.
struct GroupResult {
    std::size_t bodies = 0;      // in the group
    std::size_t events = 0;      // in the whole group
    std::size_t inserted = 0;    // new in the whole group
    bool first_of_group = false; // exactly one body of each group reports it (for counting)
};

class GroupCommit {
public:
    explicit GroupCommit(store::WebhookInbox& inbox)
        : m_inbox(inbox) {}

    // Returns once `events` are committed (with whatever else was waiting), or the group's
    // store error.
    tl::expected<GroupResult, store::StoreError>
    receive(const std::vector<store::InboundEvent>& events);
    // The same, with the body's copies for other tools (webhook.forward) in the same commit.
    tl::expected<GroupResult, store::StoreError>
    receive(const std::vector<store::InboundEvent>& events,
            std::optional<store::ForwardBody> forward);

private:
    struct Group {
        std::vector<store::InboundEvent> events;
        std::vector<store::ForwardBody> forwards; // webhook.forward, in the order received
        std::size_t bodies = 0;
        bool done = false;
        bool reported = false;
        tl::expected<std::size_t, store::StoreError> result = 0;
    };

    store::WebhookInbox& m_inbox;
    std::mutex m_mutex;
    std::condition_variable m_committed;
    std::shared_ptr<Group> m_open; // collecting while another group is written
    bool m_writing = false;
};

} // namespace musubi::webhook
