#include "daemon/store/sqlite/sqlite_retention.hpp"

#include <limits>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include <nlohmann/json.hpp>

namespace musubi::store::sqlite {

namespace {

using Result = tl::expected<void, StoreError>;

constexpr const char* k_final_states = "('sent', 'failed', 'skipped', 'expired')";

// Items keep what totals and unit counts need; the name and item number say what a person
// bought.
nlohmann::json reduced_items(const nlohmann::json& items) {
    nlohmann::json kept = nlohmann::json::array();
    for (const auto& item : items) {
        nlohmann::json one = nlohmann::json::object();
        for (const char* key : {"units", "price"}) {
            if (item.is_object() && item.contains(key)) {
                one[key] = item[key];
            }
        }
        kept.push_back(std::move(one));
    }
    return kept;
}

std::string reduced_items_text(const std::string& items_json) {
    auto items = nlohmann::json::parse(items_json, nullptr, false);
    return items.is_array() ? reduced_items(items).dump() : std::string("[]");
}

// An order or review fact's payload without item names, tracking number and URL.
std::string reduced_fact_payload(const std::string& payload_json) {
    auto payload = nlohmann::json::parse(payload_json, nullptr, false);
    if (!payload.is_object()) {
        return "{}";
    }
    if (payload.contains("items") && payload["items"].is_array()) {
        payload["items"] = reduced_items(payload["items"]);
    }
    if (payload.contains("carrier") && payload["carrier"].is_object()) {
        payload["carrier"].erase("tracking_number");
        payload["carrier"].erase("tracking_url");
    }
    payload.erase("item_name");
    return payload.dump();
}

struct Horizons {
    std::int64_t orders = 0;   // orders placed before this lose their personal data
    std::int64_t unlinked = 0; // links ended before this lose theirs
    std::int64_t chat = 0;     // webhook bodies and chat texts before this go
};

// One purge run: each step walks its rows in batches by a cursor, one transaction each
// (rolled back when only counting, which is why the cursors never depend on what a batch
// wrote).
class Purge {
public:
    Purge(Database& db, PurgeMode mode, Horizons horizons, std::int64_t now)
        : m_db(db)
        , m_mode(mode)
        , m_horizons(horizons)
        , m_now(now) {}

    tl::expected<PurgeCounts, StoreError> run() {
        for (auto step :
             {&Purge::orders, &Purge::old_buyers, &Purge::old_messages, &Purge::chat_texts,
              &Purge::webhook_bodies, &Purge::nonces, &Purge::unlinked}) {
            if (auto done = (this->*step)(); !done) {
                return tl::unexpected(done.error());
            }
        }
        return m_counts;
    }

private:
    // Runs `batch` (answers how many rows it looked at) in its own transaction until a batch
    // comes back short.
    template <typename Batch>
    Result in_batches(Batch&& batch) {
        while (true) {
            auto transaction = Transaction::begin(m_db);
            if (!transaction) {
                return tl::unexpected(transaction.error());
            }
            auto seen = batch();
            if (!seen) {
                return tl::unexpected(seen.error());
            }
            if (m_mode == PurgeMode::apply) {
                if (auto committed = transaction->commit(); !committed) {
                    return committed;
                }
            }
            if (*seen < k_purge_batch) {
                return {};
            }
        }
    }

    std::int64_t changes() const { return sqlite3_changes(m_db.handle()); }

    Result run(std::string_view sql, std::int64_t a) {
        auto statement = m_db.prepare(sql);
        if (!statement) {
            return tl::unexpected(statement.error());
        }
        statement->bind(1, a);
        return statement->run();
    }

    Result orders() {
        std::int64_t last_at = std::numeric_limits<std::int64_t>::min();
        std::int64_t last_id = 0;
        return in_batches([&]() -> tl::expected<std::int64_t, StoreError> {
            auto select = m_db.prepare(
                "SELECT id, ordered_at, order_number, items FROM orders WHERE purged_at IS NULL "
                "AND ordered_at < ?1 AND (ordered_at, id) > (?2, ?3) ORDER BY ordered_at, id "
                "LIMIT ?4");
            auto update = m_db.prepare("UPDATE orders SET items = ?1, tracking_number = NULL, "
                                       "purged_at = ?2 WHERE id = ?3");
            auto facts = m_db.prepare(
                "SELECT id, payload FROM facts WHERE subject = ?1 AND (kind IN ('order.placed', "
                "'order.shipped', 'order.cancelled', 'review.posted'))");
            auto update_fact = m_db.prepare("UPDATE facts SET payload = ?1 WHERE id = ?2");
            auto reviews = m_db.prepare("UPDATE reviews SET item_name = NULL WHERE order_number "
                                        "= ?1 AND item_name IS NOT NULL");
            for (auto* s : {&select, &update, &facts, &update_fact, &reviews}) {
                if (!*s) {
                    return tl::unexpected(s->error());
                }
            }
            select->bind(1, m_horizons.orders)
                .bind(2, last_at)
                .bind(3, last_id)
                .bind(4, k_purge_batch);
            struct Row {
                std::int64_t id;
                std::string number, items;
            };
            std::vector<Row> rows;
            while (true) {
                auto row = select->step();
                if (!row) {
                    return tl::unexpected(row.error());
                }
                if (!*row) {
                    break;
                }
                last_id = select->column_int64(0);
                last_at = select->column_int64(1);
                rows.push_back({last_id, select->column_text(2), select->column_text(3)});
            }
            for (const auto& order : rows) {
                update->bind(1, reduced_items_text(order.items)).bind(2, m_now).bind(3, order.id);
                if (auto done = update->run(); !done) {
                    return tl::unexpected(done.error());
                }
                ++m_counts.orders;
                if (auto done = reduce_facts(*facts, *update_fact, order.number); !done) {
                    return tl::unexpected(done.error());
                }
                reviews->bind(1, order.number);
                if (auto done = reviews->run(); !done) {
                    return tl::unexpected(done.error());
                }
            }
            return static_cast<std::int64_t>(rows.size());
        });
    }

    Result reduce_facts(Statement& facts, Statement& update, const std::string& subject) {
        facts.reset();
        facts.bind(1, subject);
        std::vector<std::pair<std::int64_t, std::string>> changed;
        while (true) {
            auto row = facts.step();
            if (!row) {
                return tl::unexpected(row.error());
            }
            if (!*row) {
                break;
            }
            const auto payload = facts.column_text(1);
            auto reduced = reduced_fact_payload(payload);
            if (reduced != payload) {
                changed.emplace_back(facts.column_int64(0), std::move(reduced));
            }
        }
        facts.reset();
        for (const auto& [id, payload] : changed) {
            update.bind(1, payload).bind(2, id);
            if (auto done = update.run(); !done) {
                return done;
            }
            ++m_counts.facts;
        }
        return {};
    }

    // Ids of up to one batch of rows after `last` (updated), from `sql` with ?1 = last,
    // ?2 = the batch size, ?3 = `horizon`.
    tl::expected<std::vector<std::int64_t>, StoreError>
    next_ids(std::string_view sql, std::int64_t& last, std::int64_t horizon) {
        auto select = m_db.prepare(sql);
        if (!select) {
            return tl::unexpected(select.error());
        }
        select->bind(1, last).bind(2, k_purge_batch).bind(3, horizon);
        std::vector<std::int64_t> ids;
        while (true) {
            auto row = select->step();
            if (!row) {
                return tl::unexpected(row.error());
            }
            if (!*row) {
                return ids;
            }
            ids.push_back(last = select->column_int64(0));
        }
    }

    // Runs `sql` (?1 = the id) for each of `ids`, counting each in `counter`; answers how many.
    tl::expected<std::int64_t, StoreError> update_each(const std::string& sql,
                                                       const std::vector<std::int64_t>& ids,
                                                       std::int64_t& counter) {
        auto update = m_db.prepare(sql);
        if (!update) {
            return tl::unexpected(update.error());
        }
        for (const auto id : ids) {
            update->bind(1, id);
            if (auto done = update->run(); !done) {
                return tl::unexpected(done.error());
            }
            ++counter;
        }
        return static_cast<std::int64_t>(ids.size());
    }

    Result old_buyers() {
        std::int64_t last = 0;
        return in_batches([&]() -> tl::expected<std::int64_t, StoreError> {
            auto ids = next_ids(
                "SELECT b.id FROM buyers b WHERE b.id > ?1 AND b.purged_at IS NULL AND "
                "b.created_at < ?3 AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.buyer_id = b.id "
                "AND o.ordered_at >= ?3) AND NOT EXISTS (SELECT 1 FROM links l WHERE l.buyer_id "
                "= b.id AND l.unlinked_at IS NULL) ORDER BY b.id LIMIT ?2",
                last, m_horizons.orders);
            if (!ids) {
                return tl::unexpected(ids.error());
            }
            for (const auto id : *ids) {
                if (auto done = purge_buyer(id); !done) {
                    return tl::unexpected(done.error());
                }
            }
            return static_cast<std::int64_t>(ids->size());
        });
    }

    Result purge_buyer(std::int64_t id) {
        if (!m_buyers.insert(id).second) {
            return {};
        }
        if (!m_purge_buyer) {
            auto prepared = m_db.prepare(
                "UPDATE buyers SET buyer_key = 'purged:' || id, email_hash = NULL, phone_hash = "
                "NULL, phone_last4_hash = NULL, given_name = NULL, purged_at = ?2 WHERE id = ?1 "
                "AND purged_at IS NULL");
            if (!prepared) {
                return tl::unexpected(prepared.error());
            }
            m_purge_buyer = std::move(*prepared);
        }
        m_purge_buyer->bind(1, id).bind(2, m_now);
        if (auto done = m_purge_buyer->run(); !done) {
            return done;
        }
        m_counts.buyers += changes();
        return {};
    }

    Result old_messages() {
        std::int64_t last = 0;
        return in_batches([&]() -> tl::expected<std::int64_t, StoreError> {
            auto ids = next_ids(std::string("SELECT id FROM outbox WHERE id > ?1 AND created_at < "
                                            "?3 AND state IN ") +
                                    k_final_states + " AND payload <> '" + k_purged_payload +
                                    "' ORDER BY id LIMIT ?2",
                                last, m_horizons.orders);
            if (!ids) {
                return tl::unexpected(ids.error());
            }
            return update_each(std::string("UPDATE outbox SET payload = '") + k_purged_payload +
                                   "', reply_token = NULL WHERE id = ?1",
                               *ids, m_counts.messages);
        });
    }

    static constexpr const char* k_has_text =
        "kind = 'friend.message' AND processed_at IS NOT NULL AND json_valid(payload) AND "
        "json_extract(payload, '$.text') IS NOT NULL";

    Result chat_texts() {
        std::int64_t last = 0;
        return in_batches([&]() -> tl::expected<std::int64_t, StoreError> {
            auto ids = next_ids(std::string("SELECT id FROM facts WHERE id > ?1 AND occurred_at < "
                                            "?3 AND ") +
                                    k_has_text + " ORDER BY id LIMIT ?2",
                                last, m_horizons.chat);
            if (!ids) {
                return tl::unexpected(ids.error());
            }
            return update_each(
                "UPDATE facts SET payload = json_remove(payload, '$.text') WHERE id = ?1", *ids,
                m_counts.facts);
        });
    }

    // Deletes, a batch at a time, the rows of `table` whose text key `key` comes after the
    // cursor and that `condition` (with ?1 = horizon) selects.
    Result delete_by_text_key(const std::string& table, const std::string& key,
                              const std::string& condition, std::int64_t& counter) {
        std::string last;
        return in_batches([&]() -> tl::expected<std::int64_t, StoreError> {
            auto select = m_db.prepare("SELECT " + key + " FROM " + table + " WHERE " + key +
                                       " > ?2 AND " + condition + " ORDER BY " + key + " LIMIT ?3");
            auto remove = m_db.prepare("DELETE FROM " + table + " WHERE " + key + " = ?1");
            if (!select || !remove) {
                return tl::unexpected(!select ? select.error() : remove.error());
            }
            select->bind(1, m_horizons.chat).bind(2, last).bind(3, k_purge_batch);
            std::vector<std::string> keys;
            while (true) {
                auto row = select->step();
                if (!row) {
                    return tl::unexpected(row.error());
                }
                if (!*row) {
                    break;
                }
                keys.push_back(last = select->column_text(0));
            }
            for (const auto& one : keys) {
                remove->bind(1, one);
                if (auto done = remove->run(); !done) {
                    return tl::unexpected(done.error());
                }
                ++counter;
            }
            return static_cast<std::int64_t>(keys.size());
        });
    }

    Result webhook_bodies() {
        return delete_by_text_key("webhook_events", "event_id",
                                  "processed_at IS NOT NULL AND processed_at < ?1",
                                  m_counts.webhook_bodies);
    }

    Result nonces() {
        return delete_by_text_key("account_link_nonces", "nonce", "created_at < ?1",
                                  m_counts.nonces);
    }

    Result unlinked() {
        std::int64_t last = 0;
        return in_batches([&]() -> tl::expected<std::int64_t, StoreError> {
            auto select = m_db.prepare(
                "SELECT id, friend_id, buyer_id FROM links WHERE id > ?1 AND purged_at IS NULL "
                "AND unlinked_at IS NOT NULL AND unlinked_at < ?3 ORDER BY id LIMIT ?2");
            if (!select) {
                return tl::unexpected(select.error());
            }
            select->bind(1, last).bind(2, k_purge_batch).bind(3, m_horizons.unlinked);
            struct Row {
                std::int64_t link, friend_id, buyer;
            };
            std::vector<Row> rows;
            while (true) {
                auto row = select->step();
                if (!row) {
                    return tl::unexpected(row.error());
                }
                if (!*row) {
                    break;
                }
                last = select->column_int64(0);
                rows.push_back({last, select->column_int64(1), select->column_int64(2)});
            }
            for (const auto& link : rows) {
                if (auto done = unlinked_link(link.link, link.friend_id, link.buyer); !done) {
                    return tl::unexpected(done.error());
                }
            }
            return static_cast<std::int64_t>(rows.size());
        });
    }

    tl::expected<bool, StoreError> exists(std::string_view sql, std::int64_t id) {
        auto select = m_db.prepare(sql);
        if (!select) {
            return tl::unexpected(select.error());
        }
        select->bind(1, id);
        return select->step();
    }

    Result unlinked_link(std::int64_t link, std::int64_t friend_id, std::int64_t buyer) {
        auto buyer_linked =
            exists("SELECT 1 FROM links WHERE buyer_id = ?1 AND unlinked_at IS NULL", buyer);
        if (!buyer_linked) {
            return tl::unexpected(buyer_linked.error());
        }
        if (!*buyer_linked) {
            if (auto done = purge_buyer(buyer); !done) {
                return done;
            }
        }
        auto friend_linked =
            exists("SELECT 1 FROM links WHERE friend_id = ?1 AND unlinked_at IS NULL", friend_id);
        if (!friend_linked) {
            return tl::unexpected(friend_linked.error());
        }
        if (!*friend_linked && m_friends.insert(friend_id).second) {
            if (auto done = unlinked_friend(friend_id); !done) {
                return done;
            }
        }
        auto mark = m_db.prepare("UPDATE links SET purged_at = ?2 WHERE id = ?1");
        if (!mark) {
            return tl::unexpected(mark.error());
        }
        mark->bind(1, link).bind(2, m_now);
        return mark->run();
    }

    Result unlinked_friend(std::int64_t friend_id) {
        if (auto done = run("DELETE FROM link_sessions WHERE friend_id = ?1", friend_id); !done) {
            return done;
        }
        // Older rows were purged by age already (old_messages, chat_texts run first).
        auto messages = m_db.prepare(
            std::string("UPDATE outbox SET payload = '") + k_purged_payload +
            "', reply_token = NULL WHERE friend_id = ?1 AND state IN " + k_final_states +
            " AND payload <> '" + k_purged_payload + "' AND created_at >= ?2");
        auto texts = m_db.prepare(std::string("UPDATE facts SET payload = json_remove(payload, "
                                              "'$.text') WHERE friend_id = ?1 AND ") +
                                  k_has_text + " AND occurred_at >= ?2");
        auto name = m_db.prepare("UPDATE friends SET display_name = NULL WHERE id = ?1 AND "
                                 "state = 'blocked' AND display_name IS NOT NULL");
        if (!messages || !texts || !name) {
            return tl::unexpected(!messages ? messages.error()
                                  : !texts  ? texts.error()
                                            : name.error());
        }
        messages->bind(1, friend_id).bind(2, m_horizons.orders);
        if (auto done = messages->run(); !done) {
            return done;
        }
        m_counts.messages += changes();
        texts->bind(1, friend_id).bind(2, m_horizons.chat);
        if (auto done = texts->run(); !done) {
            return done;
        }
        m_counts.facts += changes();
        name->bind(1, friend_id);
        if (auto done = name->run(); !done) {
            return done;
        }
        ++m_counts.friends;
        return {};
    }

    Database& m_db;
    PurgeMode m_mode;
    Horizons m_horizons;
    std::int64_t m_now;
    PurgeCounts m_counts;
    // Counted once per run even when only counting (nothing is marked then).
    std::unordered_set<std::int64_t> m_buyers;
    std::unordered_set<std::int64_t> m_friends;
    std::optional<Statement> m_purge_buyer; // one per buyer: prepared once
};

} // namespace

tl::expected<PurgeCounts, StoreError> SqliteRetention::purge(const RetentionPolicy& policy,
                                                             PurgeMode mode) {
    std::lock_guard lock(m_mutex);
    const auto now = m_clock->now_ms();
    const Horizons horizons{now - policy.orders_after.count(), now - policy.unlinked_after.count(),
                            now - policy.chat_after.count()};
    return Purge(m_db, mode, horizons, now).run();
}

} // namespace musubi::store::sqlite
