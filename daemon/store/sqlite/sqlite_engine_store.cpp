#include "daemon/store/sqlite/sqlite_engine_store.hpp"

#include "daemon/store/sqlite/columns.hpp"
#include "daemon/store/sqlite/outbox_rows.hpp"

namespace musubi::store::sqlite {

namespace {

using tl::unexpected;

// Runs a prepared statement to completion.
tl::expected<void, StoreError> run(tl::expected<Statement, StoreError>& statement) {
    if (!statement) {
        return unexpected(statement.error());
    }
    return statement->run();
}

FactRow read_fact(const Statement& s) {
    return FactRow{s.column_int64(0),  s.column_text(1),  s.column_text(2),
                   optional_int(s, 3), s.column_int64(4), s.column_text(5)};
}

constexpr const char* k_fact_columns =
    "id, kind, coalesce(subject, ''), friend_id, occurred_at, payload";

EnrollmentRow read_enrollment(const Statement& s) {
    return EnrollmentRow{s.column_int64(0), s.column_text(1),   s.column_int64(2),
                         s.column_text(3),  s.column_text(4),   optional_int(s, 5),
                         s.column_text(6),  optional_int(s, 7), s.column_int64(8)};
}

constexpr const char* k_enrollment_columns =
    "id, scenario, friend_id, subject, coalesce(step, ''), next_at, coalesce(waiting_on, ''), "
    "trigger_fact_id, started_at";

class SqliteEngineTx final : public EngineTx {
public:
    SqliteEngineTx(Database& db, std::int64_t now)
        : m_db(db)
        , m_now(now) {}

    tl::expected<std::optional<std::int64_t>, StoreError>
    friend_for_order(const std::string& order_number) override {
        auto s = m_db.prepare("SELECT l.friend_id FROM orders o JOIN links l ON l.buyer_id = "
                              "o.buyer_id AND l.unlinked_at IS NULL WHERE o.order_number = ?1 "
                              "ORDER BY l.linked_at DESC LIMIT 1");
        if (!s) {
            return unexpected(s.error());
        }
        s->bind(1, order_number);
        auto row = s->step();
        if (!row) {
            return unexpected(row.error());
        }
        if (!*row) {
            return std::optional<std::int64_t>();
        }
        return std::optional<std::int64_t>(s->column_int64(0));
    }

    tl::expected<std::optional<FriendView>, StoreError>
    friend_view(std::int64_t friend_id) override {
        auto s = m_db.prepare(
            "SELECT f.id, f.line_user_id, coalesce(f.display_name, ''), f.state = 'blocked', "
            "f.followed_at, coalesce(f.inflow_source, ''), l.buyer_id, "
            "coalesce(b.given_name, ''), coalesce(fs.segment, '') FROM friends f "
            "LEFT JOIN links l ON l.friend_id = f.id AND l.unlinked_at IS NULL "
            "LEFT JOIN buyers b ON b.id = l.buyer_id "
            "LEFT JOIN friend_segments fs ON fs.friend_id = f.id WHERE f.id = ?1");
        if (!s) {
            return unexpected(s.error());
        }
        s->bind(1, friend_id);
        auto row = s->step();
        if (!row) {
            return unexpected(row.error());
        }
        if (!*row) {
            return std::optional<FriendView>();
        }
        FriendView view{s->column_int64(0),
                        s->column_text(1),
                        s->column_text(2),
                        s->column_int64(3) != 0,
                        optional_int(*s, 4),
                        s->column_text(5),
                        {},
                        optional_int(*s, 6),
                        s->column_text(7),
                        s->column_text(8)};
        s = m_db.prepare("SELECT tag FROM friend_tags WHERE friend_id = ?1 ORDER BY tag");
        if (!s) {
            return unexpected(s.error());
        }
        s->bind(1, friend_id);
        while (true) {
            auto tag = s->step();
            if (!tag) {
                return unexpected(tag.error());
            }
            if (!*tag) {
                break;
            }
            view.tags.push_back(s->column_text(0));
        }
        return std::optional<FriendView>(std::move(view));
    }

    tl::expected<BuyerStats, StoreError> buyer_stats(std::int64_t buyer_id) override {
        auto s = m_db.prepare(
            "SELECT count(*), coalesce(sum(total), 0), max(ordered_at), "
            "(SELECT count(*) FROM reviews r JOIN orders o2 ON o2.order_number = r.order_number "
            "WHERE o2.buyer_id = ?1) FROM orders WHERE buyer_id = ?1 AND cancelled_at IS NULL");
        if (!s) {
            return unexpected(s.error());
        }
        s->bind(1, buyer_id);
        if (auto row = s->step(); !row) {
            return unexpected(row.error());
        }
        return BuyerStats{s->column_int64(0), s->column_int64(1), optional_int(*s, 2),
                          s->column_int64(3)};
    }

    tl::expected<std::optional<OrderView>, StoreError>
    order(const std::string& order_number) override {
        auto s = m_db.prepare(
            "SELECT order_number, total, ordered_at, items, coalesce(carrier_code, ''), "
            "NOT EXISTS (SELECT 1 FROM orders p WHERE p.buyer_id = o.buyer_id AND "
            "(p.ordered_at < o.ordered_at OR (p.ordered_at = o.ordered_at AND p.id < o.id))) "
            "FROM orders o WHERE order_number = ?1 LIMIT 1");
        if (!s) {
            return unexpected(s.error());
        }
        s->bind(1, order_number);
        auto row = s->step();
        if (!row) {
            return unexpected(row.error());
        }
        if (!*row) {
            return std::optional<OrderView>();
        }
        return std::optional<OrderView>(OrderView{s->column_text(0), optional_int(*s, 1),
                                                  s->column_int64(2), s->column_text(3),
                                                  s->column_text(4), s->column_int64(5) != 0});
    }

    tl::expected<std::optional<FactRow>, StoreError> fact(std::int64_t fact_id) override {
        auto s =
            m_db.prepare(std::string("SELECT ") + k_fact_columns + " FROM facts WHERE id = ?1");
        if (!s) {
            return unexpected(s.error());
        }
        s->bind(1, fact_id);
        auto row = s->step();
        if (!row) {
            return unexpected(row.error());
        }
        if (!*row) {
            return std::optional<FactRow>();
        }
        return std::optional<FactRow>(read_fact(*s));
    }

    tl::expected<std::optional<FactRow>, StoreError>
    first_fact(const std::string& kind, const std::string& subject) override {
        auto s = m_db.prepare(std::string("SELECT ") + k_fact_columns +
                              " FROM facts WHERE subject = ?1 AND kind = ?2 ORDER BY id LIMIT 1");
        if (!s) {
            return unexpected(s.error());
        }
        s->bind(1, subject).bind(2, kind);
        auto row = s->step();
        if (!row) {
            return unexpected(row.error());
        }
        if (!*row) {
            return std::optional<FactRow>();
        }
        return std::optional<FactRow>(read_fact(*s));
    }

    tl::expected<std::vector<EnrollmentRow>, StoreError>
    active_enrollments(std::int64_t friend_id) override {
        auto s = m_db.prepare(std::string("SELECT ") + k_enrollment_columns +
                              " FROM enrollments WHERE friend_id = ?1 AND state = 'active' "
                              "ORDER BY id");
        if (!s) {
            return unexpected(s.error());
        }
        s->bind(1, friend_id);
        std::vector<EnrollmentRow> rows;
        while (true) {
            auto row = s->step();
            if (!row) {
                return unexpected(row.error());
            }
            if (!*row) {
                return rows;
            }
            rows.push_back(read_enrollment(*s));
        }
    }

    tl::expected<std::optional<EnrollmentRow>, StoreError>
    enrollment(std::int64_t enrollment_id) override {
        auto s = m_db.prepare(std::string("SELECT ") + k_enrollment_columns +
                              " FROM enrollments WHERE id = ?1 AND state = 'active'");
        if (!s) {
            return unexpected(s.error());
        }
        s->bind(1, enrollment_id);
        auto row = s->step();
        if (!row) {
            return unexpected(row.error());
        }
        if (!*row) {
            return std::optional<EnrollmentRow>();
        }
        return std::optional<EnrollmentRow>(read_enrollment(*s));
    }

    tl::expected<EnrollmentHistory, StoreError>
    history(const std::string& scenario, std::int64_t friend_id,
            const std::optional<std::string>& subject) override {
        auto s = m_db.prepare(
            "SELECT count(*), max(started_at), coalesce(sum(state = 'active'), 0) FROM "
            "enrollments WHERE friend_id = ?1 AND scenario = ?2 AND (?3 IS NULL OR subject = ?3)");
        if (!s) {
            return unexpected(s.error());
        }
        s->bind(1, friend_id).bind(2, scenario).bind_optional(3, subject);
        if (auto row = s->step(); !row) {
            return unexpected(row.error());
        }
        return EnrollmentHistory{s->column_int64(0), optional_int(*s, 1), s->column_int64(2) > 0};
    }

    tl::expected<std::int64_t, StoreError> start_enrollment(const NewEnrollment& e) override {
        auto s = m_db.prepare("INSERT INTO enrollments (scenario, friend_id, subject, step, "
                              "next_at, waiting_on, trigger_fact_id, started_at) VALUES "
                              "(?1, ?2, ?3, ?4, ?5, nullif(?6, ''), ?7, ?8)");
        if (!s) {
            return unexpected(s.error());
        }
        s->bind(1, e.scenario).bind(2, e.friend_id).bind(3, e.subject).bind(4, e.step);
        bind_optional_int(*s, 5, e.next_at_ms);
        s->bind(6, e.waiting_on).bind(7, e.trigger_fact_id).bind(8, e.started_at_ms);
        if (auto done = s->run(); !done) {
            return unexpected(done.error());
        }
        return sqlite3_last_insert_rowid(m_db.handle());
    }

    tl::expected<void, StoreError> move_enrollment(std::int64_t enrollment_id,
                                                   const std::string& step,
                                                   std::optional<std::int64_t> next_at_ms,
                                                   const std::string& waiting_on) override {
        auto s = m_db.prepare("UPDATE enrollments SET step = ?2, next_at = ?3, waiting_on = "
                              "nullif(?4, '') WHERE id = ?1");
        if (s) {
            s->bind(1, enrollment_id).bind(2, step);
            bind_optional_int(*s, 3, next_at_ms);
            s->bind(4, waiting_on);
        }
        return run(s);
    }

    tl::expected<void, StoreError> end_enrollment(std::int64_t enrollment_id,
                                                  const std::string& state,
                                                  const std::string& reason,
                                                  std::int64_t at_ms) override {
        auto s = m_db.prepare("UPDATE enrollments SET state = ?2, end_reason = ?3, ended_at = ?4, "
                              "next_at = NULL, waiting_on = NULL WHERE id = ?1");
        if (s) {
            s->bind(1, enrollment_id).bind(2, state).bind(3, reason).bind(4, at_ms);
        }
        return run(s);
    }

    tl::expected<std::int64_t, StoreError>
    skip_pending_messages(std::int64_t enrollment_id, const std::string& reason) override {
        auto s = m_db.prepare("UPDATE outbox SET state = 'skipped', reason = ?2, updated_at = ?3 "
                              "WHERE enrollment_id = ?1 AND state = 'pending'");
        if (!s) {
            return unexpected(s.error());
        }
        s->bind(1, enrollment_id).bind(2, reason).bind(3, m_now);
        if (auto done = s->run(); !done) {
            return unexpected(done.error());
        }
        return static_cast<std::int64_t>(sqlite3_changes(m_db.handle()));
    }

    tl::expected<bool, StoreError> write_message(const NewMessage& message) override {
        return insert_outbox_row(m_db, message, m_now);
    }

    tl::expected<std::int64_t, StoreError>
    counted_messages(std::int64_t friend_id, std::int64_t from_ms, std::int64_t to_ms) override {
        auto s = m_db.prepare("SELECT count(*) FROM outbox WHERE friend_id = ?1 AND due_at >= ?2 "
                              "AND due_at < ?3 AND critical = 0 AND scenario IS NOT 'linking' "
                              "AND state NOT IN ('failed', 'skipped', 'expired')");
        if (!s) {
            return unexpected(s.error());
        }
        s->bind(1, friend_id).bind(2, from_ms).bind(3, to_ms);
        if (auto row = s->step(); !row) {
            return unexpected(row.error());
        }
        return s->column_int64(0);
    }

    tl::expected<bool, StoreError> add_tag(std::int64_t friend_id,
                                           const std::string& tag) override {
        auto s = m_db.prepare("INSERT INTO friend_tags (friend_id, tag, added_at) VALUES (?1, ?2, "
                              "?3) ON CONFLICT DO NOTHING");
        if (!s) {
            return unexpected(s.error());
        }
        s->bind(1, friend_id).bind(2, tag).bind(3, m_now);
        if (auto done = s->run(); !done) {
            return unexpected(done.error());
        }
        return sqlite3_changes(m_db.handle()) == 1;
    }

    tl::expected<bool, StoreError> remove_tag(std::int64_t friend_id,
                                              const std::string& tag) override {
        auto s = m_db.prepare("DELETE FROM friend_tags WHERE friend_id = ?1 AND tag = ?2");
        if (!s) {
            return unexpected(s.error());
        }
        s->bind(1, friend_id).bind(2, tag);
        if (auto done = s->run(); !done) {
            return unexpected(done.error());
        }
        return sqlite3_changes(m_db.handle()) == 1;
    }

    tl::expected<void, StoreError> record_fact(const std::string& natural_key,
                                               const std::string& kind, const std::string& subject,
                                               std::int64_t friend_id, std::int64_t occurred_at_ms,
                                               const std::string& payload_json) override {
        auto s = m_db.prepare("INSERT INTO facts (natural_key, kind, subject, friend_id, "
                              "occurred_at, recorded_at, payload) VALUES (?1, ?2, nullif(?3, ''), "
                              "?4, ?5, ?6, ?7) ON CONFLICT (natural_key) DO NOTHING");
        if (s) {
            s->bind(1, natural_key)
                .bind(2, kind)
                .bind(3, subject)
                .bind(4, friend_id)
                .bind(5, occurred_at_ms)
                .bind(6, m_now)
                .bind(7, payload_json);
        }
        return run(s);
    }

    tl::expected<void, StoreError>
    mark_fact_processed(std::int64_t fact_id, std::optional<std::int64_t> friend_id) override {
        auto s = m_db.prepare("UPDATE facts SET processed_at = ?2, friend_id = "
                              "coalesce(friend_id, ?3) WHERE id = ?1");
        if (s) {
            s->bind(1, fact_id).bind(2, m_now);
            bind_optional_int(*s, 3, friend_id);
        }
        return run(s);
    }

private:
    Database& m_db;
    std::int64_t m_now;
};

} // namespace

tl::expected<std::vector<FactRow>, StoreError>
SqliteEngineStore::unprocessed_facts(std::size_t limit) {
    std::lock_guard lock(m_mutex);
    auto s = m_db.prepare(std::string("SELECT ") + k_fact_columns +
                          " FROM facts WHERE processed_at IS NULL ORDER BY occurred_at, id "
                          "LIMIT ?1");
    if (!s) {
        return unexpected(s.error());
    }
    s->bind(1, static_cast<std::int64_t>(limit));
    std::vector<FactRow> rows;
    while (true) {
        auto row = s->step();
        if (!row) {
            return unexpected(row.error());
        }
        if (!*row) {
            return rows;
        }
        rows.push_back(read_fact(*s));
    }
}

tl::expected<std::vector<std::int64_t>, StoreError>
SqliteEngineStore::due_enrollments(std::int64_t now_ms, std::size_t limit) {
    std::lock_guard lock(m_mutex);
    auto s = m_db.prepare("SELECT id FROM enrollments WHERE state = 'active' AND next_at <= ?1 "
                          "ORDER BY next_at, id LIMIT ?2");
    if (!s) {
        return unexpected(s.error());
    }
    s->bind(1, now_ms).bind(2, static_cast<std::int64_t>(limit));
    std::vector<std::int64_t> ids;
    while (true) {
        auto row = s->step();
        if (!row) {
            return unexpected(row.error());
        }
        if (!*row) {
            return ids;
        }
        ids.push_back(s->column_int64(0));
    }
}

tl::expected<std::optional<std::int64_t>, StoreError> SqliteEngineStore::next_due_at() {
    std::lock_guard lock(m_mutex);
    auto s = m_db.prepare("SELECT min(next_at) FROM enrollments WHERE state = 'active'");
    if (!s) {
        return unexpected(s.error());
    }
    if (auto row = s->step(); !row) {
        return unexpected(row.error());
    }
    return optional_int(*s, 0);
}

tl::expected<void, StoreError> SqliteEngineStore::transaction(const Work& work) {
    std::lock_guard lock(m_mutex);
    auto transaction = Transaction::begin(m_db);
    if (!transaction) {
        return unexpected(transaction.error());
    }
    SqliteEngineTx tx(m_db, m_clock->now_ms());
    if (auto done = work(tx); !done) {
        return done; // the transaction rolls back
    }
    return transaction->commit();
}

} // namespace musubi::store::sqlite
