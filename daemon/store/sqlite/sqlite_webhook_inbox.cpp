#include "daemon/store/sqlite/sqlite_webhook_inbox.hpp"

namespace musubi::store::sqlite {

tl::expected<std::size_t, StoreError>
SqliteWebhookInbox::receive(const std::vector<InboundEvent>& events) {
    std::lock_guard lock(m_mutex);
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
        inserted += static_cast<std::size_t>(sqlite3_changes(m_db.handle()));
    }
    insert = Statement();
    if (auto committed = transaction->commit(); !committed) {
        return tl::unexpected(committed.error());
    }
    return inserted;
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
