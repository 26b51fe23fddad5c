#include "daemon/store/sqlite/sqlite_segment_store.hpp"

#include <unordered_map>

#include "daemon/store/sqlite/columns.hpp"

namespace musubi::store::sqlite {

namespace {

using tl::unexpected;

// A batch of ids as one parameter: `IN (SELECT value FROM json_each(?1))` reads it, so a batch
// is one query whatever its size.
std::string ids_json(const std::vector<std::int64_t>& ids) {
    std::string json = "[";
    for (std::size_t i = 0; i < ids.size(); ++i) {
        if (i > 0) {
            json += ',';
        }
        json += std::to_string(ids[i]);
    }
    return json + "]";
}

// Calls `row` for each result row of `statement`.
template <class Row>
tl::expected<void, StoreError> each_row(Statement& statement, Row&& row) {
    while (true) {
        auto more = statement.step();
        if (!more) {
            return unexpected(more.error());
        }
        if (!*more) {
            return {};
        }
        row(statement);
    }
}

// Prepares `sql`, binds the ids as ?1 and calls `row` for each result row.
template <class Row>
tl::expected<void, StoreError> for_ids(Database& db, const char* sql, const std::string& ids,
                                       Row&& row) {
    auto statement = db.prepare(sql);
    if (!statement) {
        return unexpected(statement.error());
    }
    statement->bind(1, ids);
    return each_row(*statement, std::forward<Row>(row));
}

constexpr const char* k_in_ids = " IN (SELECT value FROM json_each(?1))";

std::string with_ids(const char* before, const char* after = "") {
    return std::string(before) + k_in_ids + after;
}

// Order facts (and reviews, which name their order) reach a friend through the order's buyer.
constexpr const char* k_order_kinds = "(f.kind LIKE 'order.%' OR f.kind = 'review.posted')";

} // namespace

tl::expected<std::vector<FriendProfile>, StoreError>
SqliteSegmentStore::load_profiles(const std::vector<std::int64_t>& friend_ids, bool with_items) {
    std::lock_guard lock(m_mutex);
    std::vector<FriendProfile> profiles;
    if (friend_ids.empty()) {
        return profiles;
    }
    const std::string ids = ids_json(friend_ids);
    std::unordered_map<std::int64_t, std::size_t> index;
    const auto profile = [&](const Statement& s) -> FriendProfile& {
        return profiles[index.at(s.column_int64(0))];
    };
    // One reader snapshot for all the queries, so a profile is never half old, half new.
    if (auto begun = m_db.exec("BEGIN"); !begun) {
        return unexpected(begun.error());
    }
    const auto done = [&]() -> tl::expected<void, StoreError> {
        const std::string friends =
            with_ids("SELECT f.id, f.followed_at, coalesce(f.inflow_source, ''), l.buyer_id "
                     "FROM friends f LEFT JOIN links l ON l.friend_id = f.id AND "
                     "l.unlinked_at IS NULL WHERE f.id",
                     " ORDER BY f.id");
        if (auto r = for_ids(m_db, friends.c_str(), ids,
                             [&](const Statement& s) {
                                 index.emplace(s.column_int64(0), profiles.size());
                                 FriendProfile p;
                                 p.friend_id = s.column_int64(0);
                                 p.followed_at_ms = optional_int(s, 1);
                                 p.inflow_source = s.column_text(2);
                                 p.buyer_id = optional_int(s, 3);
                                 profiles.push_back(std::move(p));
                             });
            !r) {
            return r;
        }
        const std::string tags = with_ids("SELECT friend_id, tag FROM friend_tags WHERE friend_id",
                                          " ORDER BY friend_id, tag");
        if (auto r =
                for_ids(m_db, tags.c_str(), ids,
                        [&](const Statement& s) { profile(s).tags.push_back(s.column_text(1)); });
            !r) {
            return r;
        }
        // Counted as the engine's buyer_stats counts them (not cancelled; reviews of any order).
        const std::string orders = with_ids(
            "SELECT l.friend_id, count(*), coalesce(sum(o.total), 0), max(o.ordered_at) FROM "
            "links l JOIN orders o ON o.buyer_id = l.buyer_id AND o.cancelled_at IS NULL WHERE "
            "l.unlinked_at IS NULL AND l.friend_id",
            " GROUP BY l.friend_id");
        if (auto r = for_ids(m_db, orders.c_str(), ids,
                             [&](const Statement& s) {
                                 auto& p = profile(s);
                                 p.buyer.orders = s.column_int64(1);
                                 p.buyer.total_spent = s.column_int64(2);
                                 p.buyer.last_order_at_ms = optional_int(s, 3);
                             });
            !r) {
            return r;
        }
        const std::string reviews =
            with_ids("SELECT l.friend_id, count(*) FROM links l JOIN orders o ON o.buyer_id = "
                     "l.buyer_id JOIN reviews r ON r.order_number = o.order_number WHERE "
                     "l.unlinked_at IS NULL AND l.friend_id",
                     " GROUP BY l.friend_id");
        if (auto r =
                for_ids(m_db, reviews.c_str(), ids,
                        [&](const Statement& s) { profile(s).buyer.reviews = s.column_int64(1); });
            !r) {
            return r;
        }
        if (!with_items) {
            return {};
        }
        const std::string items = with_ids(
            "SELECT DISTINCT l.friend_id, json_extract(j.value, '$.manageNumber') FROM links l "
            "JOIN orders o ON o.buyer_id = l.buyer_id AND o.cancelled_at IS NULL, "
            "json_each(CASE WHEN json_valid(o.items) THEN o.items ELSE '[]' END) j WHERE "
            "json_type(j.value, '$.manageNumber') = 'text' AND l.unlinked_at IS NULL AND "
            "l.friend_id",
            " ORDER BY 1, 2");
        return for_ids(m_db, items.c_str(), ids, [&](const Statement& s) {
            profile(s).items_bought.push_back(s.column_text(1));
        });
    }();
    if (auto ended = m_db.exec(done ? "COMMIT" : "ROLLBACK"); !ended && done) {
        return unexpected(ended.error());
    }
    if (!done) {
        return unexpected(done.error());
    }
    return profiles;
}

tl::expected<std::vector<Membership>, StoreError>
SqliteSegmentStore::read_memberships(const std::string& ids) {
    std::vector<Membership> out;
    const std::string sql = with_ids("SELECT friend_id, segment, since, next_check_at, "
                                     "next_check_reason FROM friend_segments WHERE friend_id");
    auto done = for_ids(m_db, sql.c_str(), ids, [&](const Statement& s) {
        out.push_back(Membership{s.column_int64(0), optional_text(s, 1), s.column_int64(2),
                                 optional_int(s, 3), s.column_text(4)});
    });
    if (!done) {
        return unexpected(done.error());
    }
    return out;
}

tl::expected<std::vector<Membership>, StoreError>
SqliteSegmentStore::memberships(const std::vector<std::int64_t>& friend_ids) {
    std::lock_guard lock(m_mutex);
    if (friend_ids.empty()) {
        return std::vector<Membership>();
    }
    return read_memberships(ids_json(friend_ids));
}

tl::expected<std::optional<Membership>, StoreError>
SqliteSegmentStore::membership(std::int64_t friend_id) {
    std::lock_guard lock(m_mutex);
    auto found = read_memberships(ids_json({friend_id}));
    if (!found) {
        return unexpected(found.error());
    }
    if (found->empty()) {
        return std::optional<Membership>();
    }
    return std::optional<Membership>(found->front());
}

tl::expected<void, StoreError> SqliteSegmentStore::save(const std::vector<MembershipWrite>& writes,
                                                        const std::optional<CursorValue>& cursor) {
    std::lock_guard lock(m_mutex);
    const std::int64_t now = m_clock->now_ms();
    auto tx = Transaction::begin(m_db);
    if (!tx) {
        return unexpected(tx.error());
    }
    auto moved = m_db.prepare(
        "INSERT INTO friend_segments (friend_id, segment, since, next_check_at, "
        "next_check_reason, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?3) ON CONFLICT (friend_id) "
        "DO UPDATE SET segment = excluded.segment, since = excluded.since, next_check_at = "
        "excluded.next_check_at, next_check_reason = excluded.next_check_reason, updated_at = "
        "excluded.updated_at");
    auto change = m_db.prepare("INSERT INTO segment_changes (friend_id, from_segment, "
                               "to_segment, why, at) VALUES (?1, ?2, ?3, ?4, ?5)");
    auto rechecked = m_db.prepare("UPDATE friend_segments SET next_check_at = ?2, "
                                  "next_check_reason = ?3, updated_at = ?4 WHERE friend_id = ?1");
    if (!moved || !change || !rechecked) {
        return unexpected(!moved ? moved.error() : !change ? change.error() : rechecked.error());
    }
    for (const auto& write : writes) {
        if (write.changed) {
            moved->bind(1, write.friend_id).bind_optional(2, write.segment).bind(3, now);
            bind_optional_int(*moved, 4, write.next_check_at_ms);
            moved->bind(5, write.next_check_reason);
            if (auto r = moved->run(); !r) {
                return r;
            }
            change->bind(1, write.friend_id)
                .bind_optional(2, write.from)
                .bind_optional(3, write.segment)
                .bind(4, write.why)
                .bind(5, now);
            if (auto r = change->run(); !r) {
                return r;
            }
        } else {
            rechecked->bind(1, write.friend_id);
            bind_optional_int(*rechecked, 2, write.next_check_at_ms);
            rechecked->bind(3, write.next_check_reason).bind(4, now);
            if (auto r = rechecked->run(); !r) {
                return r;
            }
        }
    }
    if (cursor) {
        auto set = m_db.prepare(
            "INSERT INTO cursors (name, value, updated_at) VALUES (?1, ?2, ?3) ON CONFLICT "
            "(name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at");
        if (!set) {
            return unexpected(set.error());
        }
        set->bind(1, cursor->name).bind(2, cursor->value).bind(3, now);
        if (auto r = set->run(); !r) {
            return r;
        }
    }
    return tx->commit();
}

tl::expected<FactScan, StoreError> SqliteSegmentStore::facts_after(std::int64_t after_fact_id,
                                                                   std::size_t limit) {
    std::lock_guard lock(m_mutex);
    FactScan scan;
    scan.last_fact_id = after_fact_id;
    auto last = m_db.prepare(
        "SELECT max(id), count(*) FROM (SELECT id FROM facts WHERE id > ?1 ORDER BY id LIMIT ?2)");
    if (!last) {
        return unexpected(last.error());
    }
    last->bind(1, after_fact_id).bind(2, static_cast<std::int64_t>(limit));
    if (auto row = last->step(); !row) {
        return unexpected(row.error());
    }
    if (last->column_is_null(0)) {
        return scan;
    }
    scan.last_fact_id = last->column_int64(0);
    scan.looked_at = static_cast<std::size_t>(last->column_int64(1));
    // A fact names its friend, or an order whose buyer is linked to friends (all of whom see
    // their buyer's figures change).
    auto touched = m_db.prepare(
        std::string("SELECT f.id, f.kind, f.friend_id FROM facts f WHERE f.id > ?1 AND f.id <= "
                    "?2 AND f.friend_id IS NOT NULL UNION SELECT f.id, f.kind, l.friend_id FROM "
                    "facts f JOIN orders o ON o.order_number = f.subject JOIN links l ON "
                    "l.buyer_id = o.buyer_id AND l.unlinked_at IS NULL WHERE f.id > ?1 AND f.id "
                    "<= ?2 AND ") +
        k_order_kinds + " ORDER BY 1");
    if (!touched) {
        return unexpected(touched.error());
    }
    touched->bind(1, after_fact_id).bind(2, scan.last_fact_id);
    auto done = each_row(*touched, [&](const Statement& s) {
        scan.facts.push_back({s.column_int64(0), s.column_text(1), s.column_int64(2)});
    });
    if (!done) {
        return unexpected(done.error());
    }
    return scan;
}

tl::expected<std::int64_t, StoreError> SqliteSegmentStore::last_fact_id() {
    std::lock_guard lock(m_mutex);
    auto s = m_db.prepare("SELECT coalesce(max(id), 0) FROM facts");
    if (!s) {
        return unexpected(s.error());
    }
    if (auto row = s->step(); !row) {
        return unexpected(row.error());
    }
    return s->column_int64(0);
}

namespace {

tl::expected<std::vector<std::int64_t>, StoreError> ids(tl::expected<Statement, StoreError>& s) {
    std::vector<std::int64_t> out;
    if (!s) {
        return unexpected(s.error());
    }
    auto done = each_row(*s, [&](const Statement& row) { out.push_back(row.column_int64(0)); });
    if (!done) {
        return unexpected(done.error());
    }
    return out;
}

} // namespace

tl::expected<std::vector<std::int64_t>, StoreError>
SqliteSegmentStore::due_for_check(std::int64_t now_ms, std::size_t limit) {
    std::lock_guard lock(m_mutex);
    auto s = m_db.prepare("SELECT friend_id FROM friend_segments WHERE next_check_at IS NOT NULL "
                          "AND next_check_at <= ?1 ORDER BY next_check_at LIMIT ?2");
    if (s) {
        s->bind(1, now_ms).bind(2, static_cast<std::int64_t>(limit));
    }
    return ids(s);
}

tl::expected<std::map<std::string, std::int64_t>, StoreError> SqliteSegmentStore::sizes() {
    std::lock_guard lock(m_mutex);
    auto s = m_db.prepare("SELECT coalesce(m.segment, ''), count(*) FROM friend_segments m "
                          "JOIN friends f ON f.id = m.friend_id WHERE f.state = 'following' "
                          "GROUP BY 1");
    if (!s) {
        return unexpected(s.error());
    }
    std::map<std::string, std::int64_t> sizes;
    while (true) {
        auto row = s->step();
        if (!row) {
            return unexpected(row.error());
        }
        if (!*row) {
            return sizes;
        }
        sizes[s->column_text(0)] = s->column_int64(1);
    }
}

tl::expected<std::optional<std::int64_t>, StoreError> SqliteSegmentStore::next_check_at() {
    std::lock_guard lock(m_mutex);
    auto s = m_db.prepare(
        "SELECT min(next_check_at) FROM friend_segments WHERE next_check_at IS NOT NULL");
    if (!s) {
        return unexpected(s.error());
    }
    if (auto row = s->step(); !row) {
        return unexpected(row.error());
    }
    return optional_int(*s, 0);
}

tl::expected<std::vector<std::int64_t>, StoreError>
SqliteSegmentStore::friends_after(std::int64_t after_friend_id, std::size_t limit) {
    std::lock_guard lock(m_mutex);
    auto s = m_db.prepare("SELECT id FROM friends WHERE id > ?1 ORDER BY id LIMIT ?2");
    if (s) {
        s->bind(1, after_friend_id).bind(2, static_cast<std::int64_t>(limit));
    }
    return ids(s);
}

tl::expected<std::vector<SegmentChange>, StoreError>
SqliteSegmentStore::changes_after(std::int64_t after_change_id, std::size_t limit) {
    std::lock_guard lock(m_mutex);
    auto s = m_db.prepare("SELECT id, friend_id, from_segment, to_segment, why, at FROM "
                          "segment_changes WHERE id > ?1 ORDER BY id LIMIT ?2");
    if (!s) {
        return unexpected(s.error());
    }
    s->bind(1, after_change_id).bind(2, static_cast<std::int64_t>(limit));
    std::vector<SegmentChange> out;
    auto done = each_row(*s, [&](const Statement& row) {
        out.push_back({row.column_int64(0), row.column_int64(1), optional_text(row, 2),
                       optional_text(row, 3), row.column_text(4), row.column_int64(5)});
    });
    if (!done) {
        return unexpected(done.error());
    }
    return out;
}

tl::expected<std::vector<std::int64_t>, StoreError>
SqliteSegmentStore::friends_in(const std::string& segment, std::int64_t after_friend_id,
                               std::size_t limit) {
    std::lock_guard lock(m_mutex);
    auto s = m_db.prepare("SELECT friend_id FROM friend_segments WHERE segment = ?1 AND "
                          "friend_id > ?2 ORDER BY friend_id LIMIT ?3");
    if (s) {
        s->bind(1, segment).bind(2, after_friend_id).bind(3, static_cast<std::int64_t>(limit));
    }
    return ids(s);
}

tl::expected<std::optional<std::string>, StoreError>
SqliteSegmentStore::cursor(const std::string& name) {
    std::lock_guard lock(m_mutex);
    auto s = m_db.prepare("SELECT value FROM cursors WHERE name = ?1");
    if (!s) {
        return unexpected(s.error());
    }
    s->bind(1, name);
    auto row = s->step();
    if (!row) {
        return unexpected(row.error());
    }
    if (!*row) {
        return std::optional<std::string>();
    }
    return std::optional<std::string>(s->column_text(0));
}

} // namespace musubi::store::sqlite
