#include "daemon/store/sqlite/sqlite_outbox.hpp"

#include "daemon/store/sqlite/columns.hpp"
#include "daemon/store/sqlite/outbox_rows.hpp"

namespace musubi::store::sqlite {

namespace {

// `state = 'pending'` repeats the partial index's condition word for word, so that SQLite
// uses outbox_due instead of scanning the table.
constexpr const char* k_due_condition =
    "o.state IN ('pending', 'sending') AND o.state = 'pending' AND o.due_at <= ?1";

std::string_view state_of(Disposition disposition) {
    switch (disposition) {
    case Disposition::sent:
        return "sent";
    case Disposition::failed:
        return "failed";
    case Disposition::skipped:
        return "skipped";
    case Disposition::expired:
        return "expired";
    case Disposition::retry:
    case Disposition::released:
        return "pending";
    }
    return "pending";
}

std::optional<std::string> non_empty(const std::string& text) {
    return text.empty() ? std::nullopt : std::optional<std::string>(text);
}

} // namespace

tl::expected<std::int64_t, StoreError> SqliteOutbox::requeue_interrupted() {
    std::lock_guard lock(m_mutex);
    auto update = m_db.prepare("UPDATE outbox SET state = 'pending', updated_at = ?1 "
                               "WHERE state IN ('pending', 'sending') AND state = 'sending'");
    if (!update) {
        return tl::unexpected(update.error());
    }
    update->bind(1, m_clock->now_ms());
    if (auto done = update->run(); !done) {
        return tl::unexpected(done.error());
    }
    return static_cast<std::int64_t>(sqlite3_changes(m_db.handle()));
}

tl::expected<std::vector<DueMessage>, StoreError> SqliteOutbox::select_due(std::int64_t now,
                                                                           std::size_t limit) {
    auto select = m_db.prepare(
        std::string("SELECT o.id, o.retry_key, o.friend_id, f.line_user_id, f.state = 'blocked', "
                    "o.scenario, o.step, o.kind, o.payload, o.critical, o.due_at, "
                    "o.first_attempt_at, o.attempts, o.reply_token, o.reply_until "
                    "FROM outbox o LEFT JOIN friends f ON f.id = o.friend_id WHERE ") +
        k_due_condition + " ORDER BY o.due_at, o.id LIMIT ?2");
    if (!select) {
        return tl::unexpected(select.error());
    }
    select->bind(1, now).bind(2, static_cast<std::int64_t>(limit));
    std::vector<DueMessage> rows;
    while (true) {
        auto row = select->step();
        if (!row) {
            return tl::unexpected(row.error());
        }
        if (!*row) {
            break;
        }
        DueMessage message;
        message.id = select->column_int64(0);
        message.retry_key = select->column_text(1);
        message.friend_id = optional_int(*select, 2);
        message.line_user_id = optional_text(*select, 3).value_or("");
        message.friend_blocked = optional_int(*select, 4).value_or(0) != 0;
        message.scenario = optional_text(*select, 5).value_or("");
        message.step = optional_text(*select, 6).value_or("");
        message.kind = select->column_text(7);
        message.payload = select->column_text(8);
        message.critical = select->column_int64(9) != 0;
        message.due_at = select->column_int64(10);
        message.first_attempt_at = optional_int(*select, 11).value_or(now);
        message.attempts = select->column_int64(12) + 1;
        message.reply_token = optional_text(*select, 13);
        message.reply_until = optional_int(*select, 14);
        rows.push_back(std::move(message));
    }
    return rows;
}

tl::expected<void, StoreError> SqliteOutbox::mark_sending(const std::vector<DueMessage>& rows,
                                                          std::int64_t now) {
    auto update = m_db.prepare(
        "UPDATE outbox SET state = 'sending', attempts = attempts + 1, "
        "first_attempt_at = coalesce(first_attempt_at, ?2), updated_at = ?2 WHERE id = ?1");
    if (!update) {
        return tl::unexpected(update.error());
    }
    for (const auto& row : rows) {
        update->bind(1, row.id).bind(2, now);
        if (auto done = update->run(); !done) {
            return tl::unexpected(done.error());
        }
    }
    return {};
}

tl::expected<std::vector<DueMessage>, StoreError> SqliteOutbox::claim_due(std::size_t limit) {
    std::lock_guard lock(m_mutex);
    const auto now = m_clock->now_ms();
    auto transaction = Transaction::begin(m_db);
    if (!transaction) {
        return tl::unexpected(transaction.error());
    }
    auto rows = select_due(now, limit);
    if (!rows) {
        return tl::unexpected(rows.error());
    }
    if (rows->empty()) {
        return rows; // nothing written: the rollback is free
    }
    if (auto marked = mark_sending(*rows, now); !marked) {
        return tl::unexpected(marked.error());
    }
    if (auto committed = transaction->commit(); !committed) {
        return tl::unexpected(committed.error());
    }
    return rows;
}

tl::expected<void, StoreError> SqliteOutbox::record(const std::vector<AttemptRecord>& records) {
    if (records.empty()) {
        return {};
    }
    std::lock_guard lock(m_mutex);
    auto transaction = Transaction::begin(m_db);
    if (!transaction) {
        return tl::unexpected(transaction.error());
    }
    // Only a row this dispatcher holds (`sending`) changes: a record can never move a row
    // that reached a final state back.
    auto finish = m_db.prepare("UPDATE outbox SET state = ?2, reason = ?3, updated_at = ?4 "
                               "WHERE id = ?1 AND state = 'sending'");
    auto retry = m_db.prepare("UPDATE outbox SET state = 'pending', due_at = ?2, reason = ?3, "
                              "updated_at = ?4, kind = CASE WHEN ?5 THEN 'push' ELSE kind END "
                              "WHERE id = ?1 AND state = 'sending'");
    auto release = m_db.prepare(
        "UPDATE outbox SET state = 'pending', attempts = max(attempts - 1, 0), updated_at = ?2 "
        "WHERE id = ?1 AND state = 'sending'");
    auto delivery = m_db.prepare(
        "INSERT INTO deliveries (outbox_id, attempted_at, http_status, outcome, request_id, "
        "detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    for (auto* statement : {&finish, &retry, &release, &delivery}) {
        if (!*statement) {
            return tl::unexpected(statement->error());
        }
    }
    const auto now = m_clock->now_ms();
    for (const auto& record : records) {
        tl::expected<void, StoreError> done;
        if (record.disposition == Disposition::released) {
            done = release->bind(1, record.outbox_id).bind(2, now).run();
            if (!done) {
                return tl::unexpected(done.error());
            }
            continue;
        }
        if (record.disposition == Disposition::retry) {
            done = retry->bind(1, record.outbox_id)
                       .bind(2, record.retry_at)
                       .bind_optional(3, non_empty(record.reason))
                       .bind(4, now)
                       .bind(5, static_cast<std::int64_t>(record.now_push ? 1 : 0))
                       .run();
        } else {
            done = finish->bind(1, record.outbox_id)
                       .bind(2, state_of(record.disposition))
                       .bind_optional(3, non_empty(record.reason))
                       .bind(4, now)
                       .run();
        }
        if (!done) {
            return tl::unexpected(done.error());
        }
        delivery->bind(1, record.outbox_id).bind(2, record.attempted_at);
        if (record.http_status != 0) {
            delivery->bind(3, static_cast<std::int64_t>(record.http_status));
        } else {
            delivery->bind_null(3);
        }
        done = delivery->bind(4, record.outcome)
                   .bind_optional(5, non_empty(record.request_id))
                   .bind_optional(6, non_empty(record.reason))
                   .run();
        if (!done) {
            return tl::unexpected(done.error());
        }
    }
    finish = Statement();
    retry = Statement();
    release = Statement();
    delivery = Statement();
    return transaction->commit();
}

tl::expected<std::optional<std::int64_t>, StoreError> SqliteOutbox::next_due_at() {
    std::lock_guard lock(m_mutex);
    auto select = m_db.prepare("SELECT min(o.due_at) FROM outbox o WHERE "
                               "o.state IN ('pending', 'sending') AND o.state = 'pending'");
    if (!select) {
        return tl::unexpected(select.error());
    }
    auto row = select->step();
    if (!row) {
        return tl::unexpected(row.error());
    }
    if (!*row || select->column_is_null(0)) {
        return std::optional<std::int64_t>();
    }
    return std::optional<std::int64_t>(select->column_int64(0));
}

tl::expected<OutboxCounts, StoreError> SqliteOutbox::counts() {
    std::lock_guard lock(m_mutex);
    auto select = m_db.prepare("SELECT key, n FROM row_counts WHERE tbl = 'outbox'");
    if (!select) {
        return tl::unexpected(select.error());
    }
    OutboxCounts counts;
    while (true) {
        auto row = select->step();
        if (!row) {
            return tl::unexpected(row.error());
        }
        if (!*row) {
            break;
        }
        const auto state = select->column_text(0);
        const auto count = select->column_int64(1);
        if (state == "pending") {
            counts.pending = count;
        } else if (state == "sending") {
            counts.sending = count;
        } else if (state == "sent") {
            counts.sent = count;
        } else if (state == "failed") {
            counts.failed = count;
        } else if (state == "skipped") {
            counts.skipped = count;
        } else if (state == "expired") {
            counts.expired = count;
        }
    }
    return counts;
}

tl::expected<std::int64_t, StoreError> SqliteOutbox::add(const std::vector<NewMessage>& messages) {
    std::lock_guard lock(m_mutex);
    auto transaction = Transaction::begin(m_db);
    if (!transaction) {
        return tl::unexpected(transaction.error());
    }
    const auto now = m_clock->now_ms();
    std::int64_t added = 0;
    for (const auto& message : messages) {
        auto written = insert_outbox_row(m_db, message, now);
        if (!written) {
            return tl::unexpected(written.error());
        }
        added += *written ? 1 : 0;
    }
    if (auto committed = transaction->commit(); !committed) {
        return tl::unexpected(committed.error());
    }
    return added;
}

} // namespace musubi::store::sqlite
