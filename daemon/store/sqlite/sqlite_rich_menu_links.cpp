#include "daemon/store/sqlite/sqlite_rich_menu_links.hpp"

#include <unordered_map>

#include "daemon/store/sqlite/columns.hpp"

namespace musubi::store::sqlite {

namespace {

using tl::unexpected;

// The columns every read answers, after any leading ones (see read_friend).
constexpr const char* k_friend_columns =
    "f.id, f.line_user_id, f.state, fs.segment, r.menu, r.rich_menu_id, "
    "coalesce(r.stale, 0), coalesce(r.linked_at, 0)";
constexpr const char* k_friend_joins = " LEFT JOIN friend_segments AS fs ON fs.friend_id = f.id"
                                       " LEFT JOIN friend_rich_menus AS r ON r.friend_id = f.id";

FriendMenu read_friend(const Statement& row, int first) {
    FriendMenu friend_menu;
    friend_menu.friend_id = row.column_int64(first);
    friend_menu.line_user_id = row.column_text(first + 1);
    friend_menu.following = row.column_text(first + 2) == "following";
    friend_menu.segment = optional_text(row, first + 3);
    friend_menu.menu = optional_text(row, first + 4);
    friend_menu.rich_menu_id = optional_text(row, first + 5);
    friend_menu.stale = row.column_int64(first + 6) != 0;
    friend_menu.linked_at = row.column_int64(first + 7);
    return friend_menu;
}

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

std::string ids_json(const std::vector<std::int64_t>& ids) {
    std::string json = "[";
    for (std::size_t i = 0; i < ids.size(); ++i) {
        json += (i > 0 ? "," : "") + std::to_string(ids[i]);
    }
    return json + "]";
}

tl::expected<std::vector<FriendMenu>, StoreError> friends(tl::expected<Statement, StoreError> s) {
    if (!s) {
        return unexpected(s.error());
    }
    std::vector<FriendMenu> out;
    auto done = each_row(*s, [&](const Statement& row) { out.push_back(read_friend(row, 0)); });
    if (!done) {
        return unexpected(done.error());
    }
    return out;
}

std::string select_friends(const std::string& where_and_order) {
    return std::string("SELECT ") + k_friend_columns + " FROM friends AS f" + k_friend_joins + " " +
           where_and_order;
}

} // namespace

tl::expected<std::int64_t, StoreError> SqliteRichMenuLinks::max_id(const char* table) {
    auto s = m_db.prepare(std::string("SELECT coalesce(max(id), 0) FROM ") + table);
    if (!s) {
        return unexpected(s.error());
    }
    auto row = s->step();
    if (!row) {
        return unexpected(row.error());
    }
    return s->column_int64(0);
}

tl::expected<FriendMenuPage, StoreError>
SqliteRichMenuLinks::segment_changes_after(std::int64_t after, std::size_t limit) {
    std::lock_guard lock(m_mutex);
    auto s = m_db.prepare(std::string("SELECT c.id, ") + k_friend_columns +
                          " FROM segment_changes AS c JOIN friends AS f ON f.id = c.friend_id" +
                          k_friend_joins + " WHERE c.id > ?1 ORDER BY c.id LIMIT ?2");
    if (!s) {
        return unexpected(s.error());
    }
    s->bind(1, after).bind(2, static_cast<std::int64_t>(limit));
    FriendMenuPage page;
    page.last_id = after;
    std::unordered_map<std::int64_t, std::size_t> seen;
    auto done = each_row(*s, [&](const Statement& row) {
        ++page.looked_at;
        page.last_id = row.column_int64(0);
        auto friend_menu = read_friend(row, 1);
        if (seen.emplace(friend_menu.friend_id, page.friends.size()).second) {
            page.friends.push_back(std::move(friend_menu));
            page.unfollowed.push_back(false);
            page.came_back.push_back(false);
        }
    });
    if (!done) {
        return unexpected(done.error());
    }
    return page;
}

tl::expected<std::int64_t, StoreError> SqliteRichMenuLinks::last_segment_change_id() {
    std::lock_guard lock(m_mutex);
    return max_id("segment_changes");
}

tl::expected<FriendMenuPage, StoreError>
SqliteRichMenuLinks::follow_facts_after(std::int64_t after, std::size_t limit) {
    std::lock_guard lock(m_mutex);
    // Up to the highest id now: a fact committed after this read has a higher id.
    auto last = max_id("facts");
    if (!last) {
        return unexpected(last.error());
    }
    auto s =
        m_db.prepare(std::string("SELECT x.id, x.kind, coalesce(json_extract(x.payload, "
                                 "'$.unblocked'), 0), ") +
                     k_friend_columns + " FROM facts AS x JOIN friends AS f ON f.id = x.friend_id" +
                     k_friend_joins +
                     " WHERE x.id > ?1 AND x.id <= ?2 AND x.kind IN ('friend.followed', "
                     "'friend.unfollowed') ORDER BY x.id LIMIT ?3");
    if (!s) {
        return unexpected(s.error());
    }
    s->bind(1, after).bind(2, *last).bind(3, static_cast<std::int64_t>(limit));
    FriendMenuPage page;
    page.last_id = *last;
    std::unordered_map<std::int64_t, std::size_t> seen;
    std::int64_t last_seen = after;
    std::vector<bool> blocked_here; // an unfollow of the friend was seen in this page
    auto done = each_row(*s, [&](const Statement& row) {
        ++page.looked_at;
        last_seen = row.column_int64(0);
        const bool unfollowed = row.column_text(1) == "friend.unfollowed";
        const bool unblocked = row.column_int64(2) != 0;
        auto friend_menu = read_friend(row, 3);
        auto [at, inserted] = seen.emplace(friend_menu.friend_id, page.friends.size());
        const std::size_t i = at->second;
        if (inserted) {
            page.friends.push_back(std::move(friend_menu));
            page.unfollowed.push_back(false);
            page.came_back.push_back(false);
            blocked_here.push_back(false);
        }
        page.unfollowed[i] = unfollowed; // the latest fact counts
        if (unfollowed) {
            blocked_here[i] = true;
            page.came_back[i] = false;
        } else if (unblocked || blocked_here[i]) {
            page.came_back[i] = true;
        }
    });
    if (!done) {
        return unexpected(done.error());
    }
    if (page.looked_at == limit) {
        page.last_id = last_seen; // more may be waiting before `last`
    }
    return page;
}

tl::expected<std::int64_t, StoreError> SqliteRichMenuLinks::last_fact_id() {
    std::lock_guard lock(m_mutex);
    return max_id("facts");
}

tl::expected<std::vector<FriendMenu>, StoreError>
SqliteRichMenuLinks::friends_after(std::int64_t after, std::size_t limit) {
    std::lock_guard lock(m_mutex);
    auto s = m_db.prepare(select_friends("WHERE f.id > ?1 ORDER BY f.id LIMIT ?2"));
    if (s) {
        s->bind(1, after).bind(2, static_cast<std::int64_t>(limit));
    }
    return friends(std::move(s));
}

tl::expected<std::vector<FriendMenu>, StoreError>
SqliteRichMenuLinks::linked_to(const std::string& rich_menu_id, std::int64_t after_friend_id,
                               std::size_t limit) {
    std::lock_guard lock(m_mutex);
    auto s = m_db.prepare(std::string("SELECT ") + k_friend_columns +
                          " FROM friend_rich_menus AS r JOIN friends AS f ON f.id = r.friend_id"
                          " LEFT JOIN friend_segments AS fs ON fs.friend_id = f.id"
                          " WHERE r.rich_menu_id = ?1 AND r.friend_id > ?2"
                          " ORDER BY r.friend_id LIMIT ?3");
    if (s) {
        s->bind(1, rich_menu_id).bind(2, after_friend_id).bind(3, static_cast<std::int64_t>(limit));
    }
    return friends(std::move(s));
}

tl::expected<std::vector<FriendMenu>, StoreError>
SqliteRichMenuLinks::least_recently_checked(std::size_t limit) {
    std::lock_guard lock(m_mutex);
    auto s = m_db.prepare(select_friends("WHERE f.state = 'following' "
                                         "ORDER BY coalesce(r.checked_at, 0), f.id LIMIT ?1"));
    if (s) {
        s->bind(1, static_cast<std::int64_t>(limit));
    }
    return friends(std::move(s));
}

tl::expected<std::optional<FriendMenu>, StoreError>
SqliteRichMenuLinks::by_user(const std::string& line_user_id) {
    std::lock_guard lock(m_mutex);
    auto s = m_db.prepare(select_friends("WHERE f.line_user_id = ?1"));
    if (s) {
        s->bind(1, line_user_id);
    }
    auto found = friends(std::move(s));
    if (!found) {
        return unexpected(found.error());
    }
    if (found->empty()) {
        return std::optional<FriendMenu>();
    }
    return std::optional<FriendMenu>(found->front());
}

tl::expected<void, StoreError> SqliteRichMenuLinks::write_cursor(const std::string& name,
                                                                 const std::string& value) {
    auto s = m_db.prepare("INSERT INTO cursors (name, value, updated_at) VALUES (?1, ?2, ?3) "
                          "ON CONFLICT (name) DO UPDATE SET value = excluded.value, "
                          "updated_at = excluded.updated_at");
    if (!s) {
        return unexpected(s.error());
    }
    s->bind(1, name).bind(2, value).bind(3, m_clock->now_ms());
    return s->run();
}

tl::expected<void, StoreError> SqliteRichMenuLinks::record_links(
    const std::vector<MenuLinkWrite>& writes,
    const std::optional<std::pair<std::string, std::string>>& cursor) {
    std::lock_guard lock(m_mutex);
    auto tx = Transaction::begin(m_db);
    if (!tx) {
        return unexpected(tx.error());
    }
    auto upsert = m_db.prepare(
        "INSERT INTO friend_rich_menus (friend_id, menu, rich_menu_id, stale, linked_at) "
        "VALUES (?1, ?2, ?3, 0, ?4) ON CONFLICT (friend_id) DO UPDATE SET menu = excluded.menu, "
        "rich_menu_id = excluded.rich_menu_id, stale = 0, linked_at = excluded.linked_at");
    auto change = m_db.prepare("INSERT INTO rich_menu_changes (friend_id, from_menu, to_menu, "
                               "why, at) VALUES (?1, ?2, ?3, ?4, ?5)");
    if (!upsert) {
        return unexpected(upsert.error());
    }
    if (!change) {
        return unexpected(change.error());
    }
    const std::int64_t now = m_clock->now_ms();
    for (const auto& write : writes) {
        upsert->bind(1, write.friend_id)
            .bind_optional(2, write.to)
            .bind_optional(3, write.to_rich_menu_id)
            .bind(4, now);
        if (auto done = upsert->run(); !done) {
            return unexpected(done.error());
        }
        change->bind(1, write.friend_id)
            .bind_optional(2, write.from)
            .bind_optional(3, write.to)
            .bind(4, write.why)
            .bind(5, now);
        if (auto done = change->run(); !done) {
            return unexpected(done.error());
        }
    }
    if (cursor) {
        if (auto done = write_cursor(cursor->first, cursor->second); !done) {
            return unexpected(done.error());
        }
    }
    return tx->commit();
}

tl::expected<void, StoreError>
SqliteRichMenuLinks::mark_stale(const std::vector<std::int64_t>& friend_ids, bool forget_menu) {
    std::lock_guard lock(m_mutex);
    auto s = m_db.prepare(forget_menu ? "UPDATE friend_rich_menus SET stale = 1, rich_menu_id = "
                                        "NULL WHERE friend_id IN (SELECT value FROM json_each(?1))"
                                      : "UPDATE friend_rich_menus SET stale = 1 WHERE friend_id "
                                        "IN (SELECT value FROM json_each(?1))");
    if (!s) {
        return unexpected(s.error());
    }
    s->bind(1, ids_json(friend_ids));
    return s->run();
}

tl::expected<void, StoreError>
SqliteRichMenuLinks::mark_checked(const std::vector<std::int64_t>& friend_ids) {
    std::lock_guard lock(m_mutex);
    auto s = m_db.prepare("INSERT INTO friend_rich_menus (friend_id, checked_at) SELECT value, ?2 "
                          "FROM json_each(?1) WHERE true ON CONFLICT (friend_id) DO UPDATE SET "
                          "checked_at = excluded.checked_at");
    if (!s) {
        return unexpected(s.error());
    }
    s->bind(1, ids_json(friend_ids)).bind(2, m_clock->now_ms());
    return s->run();
}

tl::expected<std::optional<std::string>, StoreError>
SqliteRichMenuLinks::cursor(const std::string& name) {
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
    return *row ? std::optional<std::string>(s->column_text(0)) : std::nullopt;
}

tl::expected<void, StoreError> SqliteRichMenuLinks::set_cursor(const std::string& name,
                                                               const std::string& value) {
    std::lock_guard lock(m_mutex);
    return write_cursor(name, value);
}

tl::expected<std::map<std::string, std::int64_t>, StoreError>
SqliteRichMenuLinks::friends_per_menu() {
    std::lock_guard lock(m_mutex);
    auto s = m_db.prepare("SELECT coalesce(menu, ''), count(*) FROM friend_rich_menus "
                          "GROUP BY 1 ORDER BY 1");
    if (!s) {
        return unexpected(s.error());
    }
    std::map<std::string, std::int64_t> out;
    auto done =
        each_row(*s, [&](const Statement& row) { out[row.column_text(0)] = row.column_int64(1); });
    if (!done) {
        return unexpected(done.error());
    }
    return out;
}

tl::expected<std::vector<MenuChange>, StoreError>
SqliteRichMenuLinks::changes(std::optional<std::int64_t> friend_id, std::size_t limit) {
    std::lock_guard lock(m_mutex);
    auto s = m_db.prepare("SELECT c.id, c.friend_id, f.line_user_id, c.from_menu, c.to_menu, "
                          "c.why, c.at FROM rich_menu_changes AS c JOIN friends AS f ON f.id = "
                          "c.friend_id WHERE ?1 IS NULL OR c.friend_id = ?1 ORDER BY c.id DESC "
                          "LIMIT ?2");
    if (!s) {
        return unexpected(s.error());
    }
    bind_optional_int(*s, 1, friend_id);
    s->bind(2, static_cast<std::int64_t>(limit));
    std::vector<MenuChange> out;
    auto done = each_row(*s, [&](const Statement& row) {
        out.push_back({row.column_int64(0), row.column_int64(1), row.column_text(2),
                       optional_text(row, 3), optional_text(row, 4), row.column_text(5),
                       row.column_int64(6)});
    });
    if (!done) {
        return unexpected(done.error());
    }
    return out;
}

} // namespace musubi::store::sqlite
