#include "daemon/webhook/group_commit.hpp"

namespace musubi::webhook {

tl::expected<GroupResult, store::StoreError>
GroupCommit::receive(const std::vector<store::InboundEvent>& events) {
    return receive(events, std::nullopt);
}

tl::expected<GroupResult, store::StoreError>
GroupCommit::receive(const std::vector<store::InboundEvent>& events,
                     std::optional<store::ForwardBody> forward) {
    std::unique_lock lock(m_mutex);
    if (!m_open) {
        m_open = std::make_shared<Group>();
    }
    const std::shared_ptr<Group> mine = m_open;
    mine->events.insert(mine->events.end(), events.begin(), events.end());
    if (forward && !forward->copies.empty()) {
        mine->forwards.push_back(std::move(*forward));
    }
    ++mine->bodies;
    while (!mine->done) {
        if (m_writing) {
            m_committed.wait(lock);
            continue;
        }
        // Nobody is writing: this request writes the open group (its own among them).
        m_writing = true;
        const std::shared_ptr<Group> group = std::move(m_open);
        lock.unlock();
        auto result = group->forwards.empty()
                          ? m_inbox.receive(group->events)
                          : m_inbox.receive_forwarding(group->events, group->forwards);
        lock.lock();
        group->result = std::move(result);
        group->done = true;
        m_writing = false;
        m_committed.notify_all();
    }
    if (!mine->result) {
        return tl::unexpected(mine->result.error());
    }
    GroupResult answer{mine->bodies, mine->events.size(), *mine->result, !mine->reported};
    mine->reported = true;
    return answer;
}

} // namespace musubi::webhook
