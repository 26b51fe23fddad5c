#include "daemon/store/sqlite/sqlite_webhook_inbox.hpp"

#include <map>

namespace musubi::store::sqlite {

tl::expected<std::size_t, StoreError>
SqliteWebhookInbox::receive(const std::vector<InboundEvent>& events) {
    return receive_forwarding(events, {});
}

tl::expected<std::size_t, StoreError>
SqliteWebhookInbox::receive_forwarding(const std::vector<InboundEvent>& events,
                                       const std::vector<ForwardBody>& forwards) {
    std::lock_guard lock(m_mutex);
    std::set<std::string> stored_now; // webhookEventIds new in this transaction
    auto transaction = Transaction::begin(m_db);
    if (!transaction) {
        return tl::unexpected(transaction.error());
    }
    auto insert = m_db.prepare("INSERT INTO webhook_events (event_id, occurred_at, received_at, "
                               "body) VALUES (?1, ?2, ?3, ?4) ON CONFLICT (event_id) DO NOTHING");
    if (!insert) {
        return tl::unexpected(insert.error());
    }
    const auto now = m_clock->now_ms();
    std::size_t inserted = 0;
    for (const auto& event : events) {
        insert->bind(1, event.event_id)
            .bind(2, event.occurred_at_ms)
            .bind(3, now)
            .bind(4, event.body);
        if (auto done = insert->run(); !done) {
            return tl::unexpected(done.error());
        }
        const auto changed = static_cast<std::size_t>(sqlite3_changes(m_db.handle()));
        inserted += changed;
        if (changed > 0 && !forwards.empty()) {
            stored_now.insert(event.event_id);
        }
    }
    insert = Statement();
    if (auto queued = queue_forwards(forwards, stored_now, now); !queued) {
        return tl::unexpected(queued.error());
    }
    if (auto committed = transaction->commit(); !committed) {
        return tl::unexpected(committed.error());
    }
    return inserted;
}

// webhook.forward: see ForwardCopy for which copies are queued. Per target, an event carried
// once is not a reason to queue a later body again.
tl::expected<void, StoreError>
SqliteWebhookInbox::queue_forwards(const std::vector<ForwardBody>& forwards,
                                   const std::set<std::string>& stored_now, std::int64_t now) {
    if (forwards.empty()) {
        return {};
    }
    auto queue =
        m_db.prepare("INSERT INTO webhook_forwards (target, body, signature, "
                     "content_type, received_at, next_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5)");
    if (!queue) {
        return tl::unexpected(queue.error());
    }
    std::map<std::string, std::set<std::string>> carried; // target → event ids
    for (const auto& forward : forwards) {
        for (const auto& copy : forward.copies) {
            auto& seen = carried[copy.target];
            bool fresh = false;
            for (const auto& id : copy.event_ids) {
                fresh = fresh || (stored_now.contains(id) && !seen.contains(id));
            }
            seen.insert(copy.event_ids.begin(), copy.event_ids.end());
            if (!fresh) {
                continue;
            }
            queue->bind(1, copy.target)
                .bind(2, forward.body)
                .bind(3, forward.signature)
                .bind(4, forward.content_type)
                .bind(5, now);
            if (auto done = queue->run(); !done) {
                return tl::unexpected(done.error());
            }
        }
    }
    return {};
}

tl::expected<std::vector<InboundEvent>, StoreError> SqliteWebhookInbox::pending(std::size_t limit) {
    std::lock_guard lock(m_mutex);
    auto select = m_db.prepare("SELECT event_id, occurred_at, body FROM webhook_events WHERE "
                               "processed_at IS NULL ORDER BY occurred_at, event_id LIMIT ?1");
    if (!select) {
        return tl::unexpected(select.error());
    }
    select->bind(1, static_cast<std::int64_t>(limit));
    std::vector<InboundEvent> events;
    while (true) {
        auto row = select->step();
        if (!row) {
            return tl::unexpected(row.error());
        }
        if (!*row) {
            break;
        }
        events.push_back({select->column_text(0), select->column_int64(1), select->column_text(2)});
    }
    return events;
}

tl::expected<std::int64_t, StoreError> SqliteWebhookInbox::count_pending() {
    std::lock_guard lock(m_mutex);
    auto select = m_db.prepare("SELECT count(*) FROM webhook_events WHERE processed_at IS NULL");
    if (!select) {
        return tl::unexpected(select.error());
    }
    if (auto row = select->step(); !row) {
        return tl::unexpected(row.error());
    }
    return select->column_int64(0);
}

} // namespace musubi::store::sqlite
