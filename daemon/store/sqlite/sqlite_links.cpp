#include "daemon/store/sqlite/sqlite_links.hpp"

#include "daemon/store/sqlite/outbox_rows.hpp"

namespace musubi::store::sqlite {

namespace {

// Runs `sql` with `bind` applied, and answers `read(statement)` for the first row, nullopt
// when there is none.
template <typename T, typename Bind, typename Read>
LinkResult<std::optional<T>> query_one(Database& db, std::string_view sql, Bind bind, Read read) {
    auto statement = db.prepare(sql);
    if (!statement) {
        return tl::unexpected(statement.error());
    }
    bind(*statement);
    auto row = statement->step();
    if (!row) {
        return tl::unexpected(row.error());
    }
    if (!*row) {
        return std::optional<T>();
    }
    return std::optional<T>(read(*statement));
}

template <typename Bind>
LinkResult<void> execute(Database& db, std::string_view sql, Bind bind) {
    auto statement = db.prepare(sql);
    if (!statement) {
        return tl::unexpected(statement.error());
    }
    bind(*statement);
    return statement->run();
}

constexpr auto k_no_bind = [](Statement&) {};

class SqliteLinkTransaction final : public LinkTransaction {
public:
    SqliteLinkTransaction(std::unique_lock<std::mutex> lock, Database& db, Transaction transaction,
                          std::shared_ptr<const clock::Clock> clock)
        : m_lock(std::move(lock))
        , m_db(db)
        , m_transaction(std::move(transaction))
        , m_clock(std::move(clock)) {}

    LinkResult<std::optional<LinkFriend>> friend_by_id(std::int64_t friend_id) override {
        return query_one<LinkFriend>(
            m_db, "SELECT id, line_user_id, display_name FROM friends WHERE id = ?1",
            [&](Statement& s) { s.bind(1, friend_id); }, read_friend);
    }

    LinkResult<std::optional<LinkFriend>> friend_by_line_user(std::string_view user_id) override {
        return query_one<LinkFriend>(
            m_db, "SELECT id, line_user_id, display_name FROM friends WHERE line_user_id = ?1",
            [&](Statement& s) { s.bind(1, user_id); }, read_friend);
    }

    LinkResult<std::optional<LinkSession>> session(std::int64_t friend_id) override {
        return query_one<LinkSession>(
            m_db, "SELECT order_number, started_at FROM link_sessions WHERE friend_id = ?1",
            [&](Statement& s) { s.bind(1, friend_id); },
            [](Statement& s) {
                return LinkSession{s.column_text(0), s.column_int64(1)};
            });
    }

    LinkResult<void> start_session(std::int64_t friend_id, std::string_view order_number,
                                   std::int64_t at_ms) override {
        return execute(
            m_db,
            "INSERT INTO link_sessions (friend_id, order_number, started_at) "
            "VALUES (?1, ?2, ?3) ON CONFLICT (friend_id) DO UPDATE SET "
            "order_number = excluded.order_number, started_at = excluded.started_at",
            [&](Statement& s) { s.bind(1, friend_id).bind(2, order_number).bind(3, at_ms); });
    }

    LinkResult<void> end_session(std::int64_t friend_id) override {
        return execute(m_db, "DELETE FROM link_sessions WHERE friend_id = ?1",
                       [&](Statement& s) { s.bind(1, friend_id); });
    }

    LinkResult<void> record_attempt(std::int64_t friend_id, std::string_view method,
                                    std::string_view outcome, std::int64_t at_ms) override {
        return execute(m_db,
                       "INSERT INTO link_attempts (friend_id, method, outcome, attempted_at) "
                       "VALUES (?1, ?2, ?3, ?4)",
                       [&](Statement& s) {
                           s.bind(1, friend_id).bind(2, method).bind(3, outcome).bind(4, at_ms);
                       });
    }

    LinkResult<std::int64_t> count_attempts(std::int64_t friend_id, std::int64_t since_ms,
                                            const std::vector<std::string>& outcomes) override {
        std::int64_t total = 0;
        for (const auto& outcome : outcomes) {
            auto count = query_one<std::int64_t>(
                m_db,
                "SELECT count(*) FROM link_attempts WHERE friend_id = ?1 AND attempted_at >= ?2 "
                "AND outcome = ?3",
                [&](Statement& s) { s.bind(1, friend_id).bind(2, since_ms).bind(3, outcome); },
                [](Statement& s) { return s.column_int64(0); });
            if (!count) {
                return tl::unexpected(count.error());
            }
            total += count->value_or(0);
        }
        return total;
    }

    LinkResult<std::optional<OrderBuyer>> order_buyer(std::string_view source,
                                                      std::string_view order_number) override {
        return query_one<OrderBuyer>(
            m_db,
            "SELECT b.id, b.phone_last4_hash FROM orders o JOIN buyers b ON b.id = o.buyer_id "
            "WHERE o.source = ?1 AND o.order_number = ?2",
            [&](Statement& s) { s.bind(1, source).bind(2, order_number); },
            [](Statement& s) {
                return OrderBuyer{s.column_int64(0), s.column_text(1)};
            });
    }

    LinkResult<std::int64_t> upsert_buyer(std::string_view buyer_key, std::int64_t at_ms) override {
        auto id = query_one<std::int64_t>(
            m_db,
            "INSERT INTO buyers (buyer_key, created_at) VALUES (?1, ?2) ON CONFLICT (buyer_key) "
            "DO UPDATE SET buyer_key = excluded.buyer_key RETURNING id",
            [&](Statement& s) { s.bind(1, buyer_key).bind(2, at_ms); },
            [](Statement& s) { return s.column_int64(0); });
        if (!id) {
            return tl::unexpected(id.error());
        }
        if (!*id) {
            return tl::unexpected(StoreError{"upserting a buyer returned no id", ""});
        }
        return **id;
    }

    LinkResult<std::optional<ActiveLink>> active_link(std::int64_t friend_id) override {
        return query_one<ActiveLink>(
            m_db,
            "SELECT id, buyer_id, method FROM links WHERE friend_id = ?1 AND unlinked_at IS NULL",
            [&](Statement& s) { s.bind(1, friend_id); },
            [](Statement& s) {
                return ActiveLink{s.column_int64(0), s.column_int64(1), s.column_text(2)};
            });
    }

    LinkResult<std::vector<std::int64_t>> friends_linked_to(std::int64_t buyer_id) override {
        auto statement =
            m_db.prepare("SELECT friend_id FROM links WHERE buyer_id = ?1 AND unlinked_at IS NULL");
        if (!statement) {
            return tl::unexpected(statement.error());
        }
        statement->bind(1, buyer_id);
        std::vector<std::int64_t> friends;
        while (true) {
            auto row = statement->step();
            if (!row) {
                return tl::unexpected(row.error());
            }
            if (!*row) {
                return friends;
            }
            friends.push_back(statement->column_int64(0));
        }
    }

    LinkResult<std::int64_t> add_link(std::int64_t friend_id, std::int64_t buyer_id,
                                      std::string_view method, std::int64_t at_ms) override {
        auto id = query_one<std::int64_t>(
            m_db,
            "INSERT INTO links (friend_id, buyer_id, method, linked_at) VALUES (?1, ?2, ?3, ?4) "
            "RETURNING id",
            [&](Statement& s) {
                s.bind(1, friend_id).bind(2, buyer_id).bind(3, method).bind(4, at_ms);
            },
            [](Statement& s) { return s.column_int64(0); });
        if (!id) {
            return tl::unexpected(id.error());
        }
        if (!*id) {
            return tl::unexpected(StoreError{"adding a link returned no id", ""});
        }
        return **id;
    }

    LinkResult<void> end_link(std::int64_t link_id, std::int64_t at_ms) override {
        return execute(m_db,
                       "UPDATE links SET unlinked_at = ?2 WHERE id = ?1 AND unlinked_at IS NULL",
                       [&](Statement& s) { s.bind(1, link_id).bind(2, at_ms); });
    }

    LinkResult<void> add_nonce(std::string_view nonce, std::string_view member_key,
                               std::int64_t at_ms) override {
        return execute(m_db,
                       "INSERT INTO account_link_nonces (nonce, member_key, created_at) "
                       "VALUES (?1, ?2, ?3)",
                       [&](Statement& s) { s.bind(1, nonce).bind(2, member_key).bind(3, at_ms); });
    }

    LinkResult<std::optional<UsedNonce>> use_nonce(std::string_view nonce,
                                                   std::int64_t at_ms) override {
        return query_one<UsedNonce>(
            m_db,
            "UPDATE account_link_nonces SET used_at = ?2 WHERE nonce = ?1 AND used_at IS NULL "
            "RETURNING member_key, created_at",
            [&](Statement& s) { s.bind(1, nonce).bind(2, at_ms); },
            [](Statement& s) {
                return UsedNonce{s.column_text(0), s.column_int64(1)};
            });
    }

    LinkResult<bool> record_fact(const FriendFact& fact) override {
        auto done = execute(
            m_db,
            "INSERT INTO facts (natural_key, kind, subject, friend_id, occurred_at, recorded_at, "
            "payload) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (natural_key) DO NOTHING",
            [&](Statement& s) {
                s.bind(1, fact.natural_key)
                    .bind(2, fact.kind)
                    .bind(3, fact.subject)
                    .bind(4, fact.friend_id)
                    .bind(5, fact.occurred_at_ms)
                    .bind(6, m_clock->now_ms())
                    .bind(7, fact.payload_json);
            });
        if (!done) {
            return tl::unexpected(done.error());
        }
        return sqlite3_changes(m_db.handle()) == 1;
    }

    LinkResult<bool> any_message(const std::vector<std::string>& retry_keys) override {
        for (const auto& key : retry_keys) {
            auto found = query_one<bool>(
                m_db, "SELECT 1 FROM outbox WHERE retry_key = ?1",
                [&](Statement& s) { s.bind(1, key); }, [](Statement&) { return true; });
            if (!found) {
                return tl::unexpected(found.error());
            }
            if (*found) {
                return true;
            }
        }
        return false;
    }

    LinkResult<bool> add_message(const NewMessage& message) override {
        return insert_outbox_row(m_db, message, m_clock->now_ms());
    }

    LinkResult<void> commit() override { return m_transaction.commit(); }

private:
    static LinkFriend read_friend(Statement& s) {
        return LinkFriend{s.column_int64(0), s.column_text(1), s.column_text(2)};
    }

    std::unique_lock<std::mutex> m_lock; // released after the transaction ends (declared first)
    Database& m_db;
    Transaction m_transaction;
    std::shared_ptr<const clock::Clock> m_clock;
};

} // namespace

LinkResult<std::unique_ptr<LinkTransaction>> SqliteLinks::begin() {
    std::unique_lock lock(m_mutex);
    auto transaction = Transaction::begin(m_db);
    if (!transaction) {
        return tl::unexpected(transaction.error());
    }
    return std::unique_ptr<LinkTransaction>(std::make_unique<SqliteLinkTransaction>(
        std::move(lock), m_db, std::move(*transaction), m_clock));
}

} // namespace musubi::store::sqlite
