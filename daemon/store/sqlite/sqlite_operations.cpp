#include "daemon/store/sqlite/sqlite_operations.hpp"

#include "daemon/store/sqlite/columns.hpp"

namespace musubi::store::sqlite {

namespace {

constexpr const char* k_entry_columns =
    "SELECT o.id, o.retry_key, o.friend_id, coalesce(f.line_user_id, ''), coalesce(o.scenario, "
    "''), coalesce(o.step, ''), o.kind, o.state, o.critical, o.due_at, o.first_attempt_at, "
    "o.attempts, o.reason, o.created_at, o.updated_at, o.retry_of, ";

OutboxEntry read_entry(const Statement& statement) {
    OutboxEntry entry;
    entry.id = statement.column_int64(0);
    entry.retry_key = statement.column_text(1);
    entry.friend_id = optional_int(statement, 2);
    entry.line_user_id = statement.column_text(3);
    entry.scenario = statement.column_text(4);
    entry.step = statement.column_text(5);
    entry.kind = statement.column_text(6);
    entry.state = statement.column_text(7);
    entry.critical = statement.column_int64(8) != 0;
    entry.due_at = statement.column_int64(9);
    entry.first_attempt_at = optional_int(statement, 10);
    entry.attempts = statement.column_int64(11);
    if (!statement.column_is_null(12)) {
        entry.reason = statement.column_text(12);
    }
    entry.created_at = statement.column_int64(13);
    entry.updated_at = statement.column_int64(14);
    entry.retry_of = optional_int(statement, 15);
    entry.payload = statement.column_text(16);
    return entry;
}

// Steps `statement` to its end, calling `each` for every row.
template <typename Each>
tl::expected<void, StoreError> for_each_row(Statement& statement, Each each) {
    while (true) {
        auto row = statement.step();
        if (!row) {
            return tl::unexpected(row.error());
        }
        if (!*row) {
            return {};
        }
        each(statement);
    }
}

} // namespace

OpsResult<std::vector<OutboxEntry>>
SqliteOperations::select_entries(const std::string& rest, const std::vector<Parameter>& parameters,
                                 bool with_payload) {
    auto statement =
        m_db.prepare(std::string(k_entry_columns) + (with_payload ? "o.payload" : "''") +
                     " FROM outbox o LEFT JOIN friends f ON f.id = o.friend_id " + rest);
    if (!statement) {
        return tl::unexpected(statement.error());
    }
    for (std::size_t i = 0; i < parameters.size(); ++i) {
        const int index = static_cast<int>(i) + 1;
        std::visit([&](const auto& value) { statement->bind(index, value); }, parameters[i]);
    }
    std::vector<OutboxEntry> entries;
    auto done =
        for_each_row(*statement, [&](const Statement& row) { entries.push_back(read_entry(row)); });
    if (!done) {
        return tl::unexpected(done.error());
    }
    return entries;
}

OpsResult<std::optional<OutboxEntry>>
SqliteOperations::one_entry(const std::string& rest, const std::vector<Parameter>& parameters) {
    auto entries = select_entries(rest, parameters, true);
    if (!entries) {
        return tl::unexpected(entries.error());
    }
    if (entries->empty()) {
        return std::optional<OutboxEntry>();
    }
    return std::optional<OutboxEntry>(std::move(entries->front()));
}

OpsResult<OperationsSummary> SqliteOperations::summary(std::int64_t failed_since_ms) {
    std::lock_guard lock(m_mutex);
    OperationsSummary summary;
    for (const char* state : {"pending", "sending", "sent", "failed", "skipped", "expired"}) {
        summary.outbox_by_state[state] = 0;
    }
    auto statement =
        m_db.prepare("SELECT (SELECT count(*) FROM friends WHERE state = 'following'), "
                     "(SELECT count(*) FROM friends WHERE state = 'blocked'), "
                     "(SELECT count(DISTINCT friend_id) FROM links WHERE unlinked_at IS NULL), "
                     "(SELECT count(*) FROM outbox WHERE state = 'failed' AND updated_at >= ?1), "
                     "(SELECT min(due_at) FROM outbox WHERE state = 'pending')");
    if (!statement) {
        return tl::unexpected(statement.error());
    }
    statement->bind(1, failed_since_ms);
    auto done = for_each_row(*statement, [&](const Statement& row) {
        summary.friends = {row.column_int64(0), row.column_int64(1), row.column_int64(2)};
        summary.failed_recently = row.column_int64(3);
        summary.next_due_at = optional_int(row, 4);
    });
    if (!done) {
        return tl::unexpected(done.error());
    }
    auto states = m_db.prepare("SELECT state, count(*) FROM outbox GROUP BY state");
    if (!states) {
        return tl::unexpected(states.error());
    }
    done = for_each_row(*states, [&](const Statement& row) {
        summary.outbox_by_state[row.column_text(0)] = row.column_int64(1);
    });
    if (!done) {
        return tl::unexpected(done.error());
    }
    return summary;
}

OpsResult<std::vector<OutboxEntry>> SqliteOperations::list_outbox(const OutboxQuery& query) {
    std::lock_guard lock(m_mutex);
    std::vector<Parameter> parameters;
    std::vector<std::string> conditions;
    const auto next = [&](Parameter value) {
        parameters.push_back(std::move(value));
        return "?" + std::to_string(parameters.size());
    };
    if (query.state) {
        conditions.push_back("o.state = " + next(*query.state));
    }
    if (!query.line_user_ids.empty()) {
        std::string list;
        for (const auto& user : query.line_user_ids) {
            list += (list.empty() ? "" : ", ") + next(user);
        }
        conditions.push_back("f.line_user_id IN (" + list + ")");
    }
    if (query.scenario) {
        conditions.push_back("o.scenario = " + next(*query.scenario));
    }
    if (query.updated_since) {
        conditions.push_back("o.updated_at >= " + next(*query.updated_since));
    }
    std::string rest;
    for (const auto& condition : conditions) {
        rest += (rest.empty() ? "WHERE " : " AND ") + condition;
    }
    rest += " ORDER BY o.id DESC LIMIT " + next(query.limit);
    return select_entries(rest, parameters, false);
}

OpsResult<std::optional<OutboxEntry>> SqliteOperations::outbox_entry(std::int64_t id) {
    std::lock_guard lock(m_mutex);
    return one_entry("WHERE o.id = ?1", {id});
}

OpsResult<std::optional<OutboxEntry>>
SqliteOperations::outbox_entry_by_key(const std::string& key) {
    std::lock_guard lock(m_mutex);
    return one_entry("WHERE o.retry_key = ?1", {key});
}

OpsResult<std::vector<DeliveryEntry>> SqliteOperations::deliveries(std::int64_t outbox_id) {
    std::lock_guard lock(m_mutex);
    auto statement = m_db.prepare(
        "SELECT id, attempted_at, http_status, outcome, coalesce(request_id, ''), "
        "coalesce(detail, '') FROM deliveries WHERE outbox_id = ?1 ORDER BY attempted_at, id");
    if (!statement) {
        return tl::unexpected(statement.error());
    }
    statement->bind(1, outbox_id);
    std::vector<DeliveryEntry> deliveries;
    auto done = for_each_row(*statement, [&](const Statement& row) {
        deliveries.push_back({row.column_int64(0), row.column_int64(1), optional_int(row, 2),
                              row.column_text(3), row.column_text(4), row.column_text(5)});
    });
    if (!done) {
        return tl::unexpected(done.error());
    }
    return deliveries;
}

OpsResult<std::vector<ReasonCount>> SqliteOperations::failure_reasons(std::int64_t since_ms) {
    std::lock_guard lock(m_mutex);
    auto statement = m_db.prepare(
        "SELECT coalesce(reason, '(no reason recorded)') AS why, count(*) AS n FROM outbox "
        "WHERE state = 'failed' AND updated_at >= ?1 GROUP BY why ORDER BY n DESC, why");
    if (!statement) {
        return tl::unexpected(statement.error());
    }
    statement->bind(1, since_ms);
    std::vector<ReasonCount> reasons;
    auto done = for_each_row(*statement, [&](const Statement& row) {
        reasons.push_back({row.column_text(0), row.column_int64(1)});
    });
    if (!done) {
        return tl::unexpected(done.error());
    }
    return reasons;
}

OpsResult<std::vector<OutboxEntry>> SqliteOperations::retries_of(std::int64_t outbox_id) {
    std::lock_guard lock(m_mutex);
    return select_entries("WHERE o.retry_of = ?1 ORDER BY o.id", {outbox_id}, false);
}

OpsResult<RetryOutcome> SqliteOperations::retry(std::int64_t outbox_id,
                                                const std::string& new_retry_key,
                                                const std::string& note) {
    std::lock_guard lock(m_mutex);
    // IMMEDIATE: what is checked (the row's state, earlier retries) cannot change before the
    // new row commits, so two operators retrying at once write one row.
    auto transaction = Transaction::begin(m_db);
    if (!transaction) {
        return tl::unexpected(transaction.error());
    }
    auto original = one_entry("WHERE o.id = ?1", {outbox_id});
    if (!original) {
        return tl::unexpected(original.error());
    }
    RetryOutcome outcome;
    if (!*original) {
        outcome.refused = RetryRefusal::not_found;
        return outcome;
    }
    outcome.original = **original;
    const std::string& state = outcome.original.state;
    if (state == "pending" || state == "sending") {
        outcome.refused = RetryRefusal::not_final;
        return outcome;
    }
    if (state == "sent") {
        outcome.refused = RetryRefusal::sent;
        return outcome;
    }
    if (state == "skipped") {
        auto statement = m_db.prepare("SELECT state FROM friends WHERE id = ?1");
        if (!statement) {
            return tl::unexpected(statement.error());
        }
        statement->bind(1, outcome.original.friend_id.value_or(0));
        auto row = statement->step();
        if (!row) {
            return tl::unexpected(row.error());
        }
        if (!*row || statement->column_text(0) != "following") {
            outcome.refused = RetryRefusal::still_blocked;
            return outcome;
        }
    }
    auto earlier = select_entries("WHERE o.retry_of = ?1 ORDER BY o.id DESC", {outbox_id}, false);
    if (!earlier) {
        return tl::unexpected(earlier.error());
    }
    if (!earlier->empty()) {
        outcome.refused = RetryRefusal::retried_before;
        outcome.retry = earlier->front();
        return outcome;
    }
    // A reply token is long spent by now: the retry goes by push.
    auto insert = m_db.prepare(
        "INSERT INTO outbox (retry_key, enrollment_id, friend_id, scenario, step, kind, payload, "
        "state, reason, critical, due_at, retry_of, created_at, updated_at) "
        "SELECT ?1, enrollment_id, friend_id, scenario, step, "
        "CASE kind WHEN 'reply' THEN 'push' ELSE kind END, payload, 'pending', ?2, critical, ?3, "
        "id, ?3, ?3 FROM outbox WHERE id = ?4");
    if (!insert) {
        return tl::unexpected(insert.error());
    }
    const std::int64_t now = m_clock->now_ms();
    insert->bind(1, new_retry_key).bind(2, note).bind(3, now).bind(4, outbox_id);
    if (auto done = insert->run(); !done) {
        return tl::unexpected(done.error());
    }
    auto written = one_entry("WHERE o.retry_key = ?1", {new_retry_key});
    if (!written) {
        return tl::unexpected(written.error());
    }
    if (auto committed = transaction->commit(); !committed) {
        return tl::unexpected(committed.error());
    }
    outcome.retry = *written;
    return outcome;
}

OpsResult<std::optional<FriendRecord>>
SqliteOperations::friend_record(const std::string& line_user_id) {
    std::lock_guard lock(m_mutex);
    auto statement = m_db.prepare(
        "SELECT id, line_user_id, coalesce(display_name, ''), state, followed_at, blocked_at, "
        "coalesce(inflow_source, ''), created_at FROM friends WHERE line_user_id = ?1");
    if (!statement) {
        return tl::unexpected(statement.error());
    }
    statement->bind(1, line_user_id);
    std::optional<FriendRecord> found;
    auto done = for_each_row(*statement, [&](const Statement& row) {
        FriendRecord record;
        record.id = row.column_int64(0);
        record.line_user_id = row.column_text(1);
        record.display_name = row.column_text(2);
        record.state = row.column_text(3);
        record.followed_at = optional_int(row, 4);
        record.blocked_at = optional_int(row, 5);
        record.inflow_source = row.column_text(6);
        record.created_at = row.column_int64(7);
        found = std::move(record);
    });
    if (!done) {
        return tl::unexpected(done.error());
    }
    if (!found) {
        return found;
    }
    FriendRecord& record = *found;

    auto tags = m_db.prepare("SELECT tag FROM friend_tags WHERE friend_id = ?1 ORDER BY tag");
    if (!tags) {
        return tl::unexpected(tags.error());
    }
    tags->bind(1, record.id);
    done = for_each_row(*tags,
                        [&](const Statement& row) { record.tags.push_back(row.column_text(0)); });
    if (!done) {
        return tl::unexpected(done.error());
    }

    // The active link and what its buyer bought (never the buyer's hashes).
    auto link =
        m_db.prepare("SELECT l.id, l.method, l.linked_at, l.buyer_id, coalesce(b.given_name, ''), "
                     "(SELECT count(*) FROM orders WHERE buyer_id = l.buyer_id), "
                     "(SELECT coalesce(sum(total), 0) FROM orders WHERE buyer_id = l.buyer_id "
                     "AND cancelled_at IS NULL), "
                     "(SELECT order_number FROM orders WHERE buyer_id = l.buyer_id "
                     "ORDER BY ordered_at DESC, id DESC LIMIT 1), "
                     "(SELECT max(ordered_at) FROM orders WHERE buyer_id = l.buyer_id) "
                     "FROM links l JOIN buyers b ON b.id = l.buyer_id "
                     "WHERE l.friend_id = ?1 AND l.unlinked_at IS NULL");
    if (!link) {
        return tl::unexpected(link.error());
    }
    link->bind(1, record.id);
    done = for_each_row(*link, [&](const Statement& row) {
        record.link = FriendLinkView{row.column_int64(0), row.column_text(1), row.column_int64(2),
                                     row.column_int64(3), row.column_text(4), row.column_int64(5),
                                     row.column_int64(6), row.column_text(7), optional_int(row, 8)};
    });
    if (!done) {
        return tl::unexpected(done.error());
    }

    auto enrollments = m_db.prepare(
        "SELECT id, scenario, subject, state, coalesce(step, ''), next_at, "
        "coalesce(waiting_on, ''), started_at, coalesce(end_reason, '') FROM enrollments "
        "WHERE friend_id = ?1 ORDER BY id DESC LIMIT 20");
    if (!enrollments) {
        return tl::unexpected(enrollments.error());
    }
    enrollments->bind(1, record.id);
    done = for_each_row(*enrollments, [&](const Statement& row) {
        record.enrollments.push_back({row.column_int64(0), row.column_text(1), row.column_text(2),
                                      row.column_text(3), row.column_text(4), optional_int(row, 5),
                                      row.column_text(6), row.column_int64(7), row.column_text(8)});
    });
    if (!done) {
        return tl::unexpected(done.error());
    }

    auto recent =
        select_entries("WHERE o.friend_id = ?1 ORDER BY o.id DESC LIMIT 10", {record.id}, false);
    if (!recent) {
        return tl::unexpected(recent.error());
    }
    record.recent_messages = std::move(*recent);
    return found;
}

} // namespace musubi::store::sqlite
