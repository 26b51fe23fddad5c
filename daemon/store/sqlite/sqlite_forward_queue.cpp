#include "daemon/store/sqlite/sqlite_forward_queue.hpp"

namespace musubi::store::sqlite {

tl::expected<std::optional<QueuedForward>, StoreError>
SqliteForwardQueue::head(const std::string& target) {
    std::lock_guard lock(m_mutex);
    auto select = m_db.prepare("SELECT id, body, signature, content_type, received_at, next_at, "
                               "attempts FROM webhook_forwards WHERE target = ?1 ORDER BY id "
                               "LIMIT 1");
    if (!select) {
        return tl::unexpected(select.error());
    }
    select->bind(1, target);
    auto row = select->step();
    if (!row) {
        return tl::unexpected(row.error());
    }
    if (!*row) {
        return std::optional<QueuedForward>();
    }
    QueuedForward forward;
    forward.id = select->column_int64(0);
    forward.target = target;
    forward.body = select->column_text(1);
    forward.signature = select->column_text(2);
    forward.content_type = select->column_text(3);
    forward.received_at_ms = select->column_int64(4);
    forward.next_at_ms = select->column_int64(5);
    forward.attempts = select->column_int64(6);
    return forward;
}

tl::expected<void, StoreError> SqliteForwardQueue::remove(std::int64_t id) {
    std::lock_guard lock(m_mutex);
    auto erase = m_db.prepare("DELETE FROM webhook_forwards WHERE id = ?1");
    if (!erase) {
        return tl::unexpected(erase.error());
    }
    erase->bind(1, id);
    return erase->run();
}

tl::expected<void, StoreError>
SqliteForwardQueue::retry_at(std::int64_t id, std::int64_t next_at_ms, const std::string& error) {
    std::lock_guard lock(m_mutex);
    auto update = m_db.prepare("UPDATE webhook_forwards SET next_at = ?2, attempts = attempts + 1, "
                               "last_error = ?3 WHERE id = ?1");
    if (!update) {
        return tl::unexpected(update.error());
    }
    update->bind(1, id).bind(2, next_at_ms).bind(3, error);
    return update->run();
}

tl::expected<std::int64_t, StoreError>
SqliteForwardQueue::remove_target(const std::string& target) {
    std::lock_guard lock(m_mutex);
    auto erase = m_db.prepare("DELETE FROM webhook_forwards WHERE target = ?1");
    if (!erase) {
        return tl::unexpected(erase.error());
    }
    erase->bind(1, target);
    if (auto done = erase->run(); !done) {
        return tl::unexpected(done.error());
    }
    return static_cast<std::int64_t>(sqlite3_changes(m_db.handle()));
}

tl::expected<std::map<std::string, ForwardDepth>, StoreError> SqliteForwardQueue::depths() {
    std::lock_guard lock(m_mutex);
    auto select = m_db.prepare("SELECT target, count(*), sum(attempts > 0) FROM webhook_forwards "
                               "GROUP BY target");
    if (!select) {
        return tl::unexpected(select.error());
    }
    std::map<std::string, ForwardDepth> depths;
    while (true) {
        auto row = select->step();
        if (!row) {
            return tl::unexpected(row.error());
        }
        if (!*row) {
            break;
        }
        depths[select->column_text(0)] = {select->column_int64(1), select->column_int64(2)};
    }
    return depths;
}

} // namespace musubi::store::sqlite
