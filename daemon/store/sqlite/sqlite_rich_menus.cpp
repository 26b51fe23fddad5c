#include "daemon/store/sqlite/sqlite_rich_menus.hpp"

#include "daemon/store/sqlite/columns.hpp"

namespace musubi::store::sqlite {

namespace {

RichMenuState parse_state(const std::string& text) {
    for (auto state : {RichMenuState::created, RichMenuState::uploaded, RichMenuState::current,
                       RichMenuState::superseded, RichMenuState::retired}) {
        if (rich_menu_state_name(state) == text) {
            return state;
        }
    }
    return RichMenuState::created;
}

} // namespace

tl::expected<void, StoreError> SqliteRichMenus::run(std::string_view sql,
                                                    std::initializer_list<std::string_view> texts,
                                                    std::optional<std::int64_t> at) {
    auto statement = m_db.prepare(sql);
    if (!statement) {
        return tl::unexpected(statement.error());
    }
    int index = 1;
    for (const auto text : texts) {
        statement->bind(index++, text);
    }
    if (at) {
        statement->bind(index, *at);
    }
    return statement->run();
}

tl::expected<std::optional<std::string>, StoreError>
SqliteRichMenus::one_text(std::string_view sql, const std::string& parameter) {
    auto statement = m_db.prepare(sql);
    if (!statement) {
        return tl::unexpected(statement.error());
    }
    statement->bind(1, parameter);
    auto row = statement->step();
    if (!row) {
        return tl::unexpected(row.error());
    }
    if (!*row) {
        return std::optional<std::string>();
    }
    return std::optional<std::string>(statement->column_text(0));
}

tl::expected<std::vector<RichMenuRecord>, StoreError> SqliteRichMenus::menus() {
    std::lock_guard lock(m_mutex);
    auto statement = m_db.prepare(
        "SELECT rich_menu_id, name, content_hash, state, created_at, current_at, superseded_at, "
        "retired_at FROM rich_menus WHERE state <> 'retired' ORDER BY created_at, rowid");
    if (!statement) {
        return tl::unexpected(statement.error());
    }
    std::vector<RichMenuRecord> records;
    while (true) {
        auto row = statement->step();
        if (!row) {
            return tl::unexpected(row.error());
        }
        if (!*row) {
            return records;
        }
        records.push_back({statement->column_text(0), statement->column_text(1),
                           statement->column_text(2), parse_state(statement->column_text(3)),
                           statement->column_int64(4), optional_int(*statement, 5),
                           optional_int(*statement, 6), optional_int(*statement, 7)});
    }
}

tl::expected<std::optional<std::string>, StoreError>
SqliteRichMenus::current_id(const std::string& name) {
    std::lock_guard lock(m_mutex);
    return one_text("SELECT rich_menu_id FROM rich_menus WHERE name = ?1 AND state = 'current'",
                    name);
}

tl::expected<std::vector<RichMenuMove>, StoreError> SqliteRichMenus::pending_moves() {
    std::lock_guard lock(m_mutex);
    auto statement = m_db.prepare(
        "SELECT old.name, old.rich_menu_id, COALESCE(new.rich_menu_id, ''), old.superseded_at "
        "FROM rich_menus AS old LEFT JOIN rich_menus AS new "
        "ON new.name = old.name AND new.state = 'current' "
        "WHERE old.state = 'superseded' ORDER BY old.superseded_at, old.rowid");
    if (!statement) {
        return tl::unexpected(statement.error());
    }
    std::vector<RichMenuMove> moves;
    while (true) {
        auto row = statement->step();
        if (!row) {
            return tl::unexpected(row.error());
        }
        if (!*row) {
            return moves;
        }
        moves.push_back({statement->column_text(0), statement->column_text(1),
                         statement->column_text(2), statement->column_int64(3)});
    }
}

tl::expected<void, StoreError> SqliteRichMenus::record_created(const std::string& name,
                                                               const std::string& content_hash,
                                                               const std::string& rich_menu_id,
                                                               std::int64_t at) {
    std::lock_guard lock(m_mutex);
    return run("INSERT INTO rich_menus (rich_menu_id, name, content_hash, state, created_at) "
               "VALUES (?1, ?2, ?3, 'created', ?4)",
               {rich_menu_id, name, content_hash}, at);
}

tl::expected<void, StoreError> SqliteRichMenus::mark_uploaded(const std::string& rich_menu_id,
                                                              std::int64_t) {
    std::lock_guard lock(m_mutex);
    return run("UPDATE rich_menus SET state = 'uploaded' WHERE rich_menu_id = ?1 AND state = "
               "'created'",
               {rich_menu_id}, std::nullopt);
}

tl::expected<std::optional<std::string>, StoreError>
SqliteRichMenus::supersede_current(const std::string& name, std::int64_t at) {
    auto old =
        one_text("SELECT rich_menu_id FROM rich_menus WHERE name = ?1 AND state = 'current'", name);
    if (!old || !*old) {
        return old;
    }
    auto superseded = run("UPDATE rich_menus SET state = 'superseded', superseded_at = ?2 "
                          "WHERE rich_menu_id = ?1",
                          {**old}, at);
    if (!superseded) {
        return tl::unexpected(superseded.error());
    }
    return old;
}

tl::expected<std::optional<std::string>, StoreError>
SqliteRichMenus::make_current(const std::string& rich_menu_id, std::int64_t at) {
    std::lock_guard lock(m_mutex);
    auto transaction = Transaction::begin(m_db);
    if (!transaction) {
        return tl::unexpected(transaction.error());
    }
    auto name = one_text("SELECT name FROM rich_menus WHERE rich_menu_id = ?1", rich_menu_id);
    if (!name) {
        return tl::unexpected(name.error());
    }
    if (!*name) {
        return tl::unexpected(StoreError{"no rich menu " + rich_menu_id + " is recorded",
                                         "record_created must come first"});
    }
    auto old = supersede_current(**name, at);
    if (!old) {
        return old;
    }
    auto made = run("UPDATE rich_menus SET state = 'current', current_at = ?2 "
                    "WHERE rich_menu_id = ?1",
                    {rich_menu_id}, at);
    if (!made) {
        return tl::unexpected(made.error());
    }
    if (auto committed = transaction->commit(); !committed) {
        return tl::unexpected(committed.error());
    }
    return old;
}

tl::expected<std::optional<std::string>, StoreError>
SqliteRichMenus::supersede_name(const std::string& name, std::int64_t at) {
    std::lock_guard lock(m_mutex);
    return supersede_current(name, at);
}

tl::expected<void, StoreError> SqliteRichMenus::mark_retired(const std::string& rich_menu_id,
                                                             std::int64_t at) {
    std::lock_guard lock(m_mutex);
    return run("UPDATE rich_menus SET state = 'retired', retired_at = ?2 WHERE rich_menu_id = ?1",
               {rich_menu_id}, at);
}

tl::expected<std::optional<std::string>, StoreError>
SqliteRichMenus::alias_target(const std::string& alias) {
    std::lock_guard lock(m_mutex);
    return one_text("SELECT rich_menu_id FROM rich_menu_aliases WHERE alias = ?1", alias);
}

tl::expected<void, StoreError> SqliteRichMenus::record_alias(const std::string& alias,
                                                             const std::string& rich_menu_id,
                                                             std::int64_t at) {
    std::lock_guard lock(m_mutex);
    return run("INSERT INTO rich_menu_aliases (alias, rich_menu_id, updated_at) VALUES (?1, ?2, "
               "?3) ON CONFLICT (alias) DO UPDATE SET rich_menu_id = excluded.rich_menu_id, "
               "updated_at = excluded.updated_at",
               {alias, rich_menu_id}, at);
}

tl::expected<std::optional<std::string>, StoreError> SqliteRichMenus::default_menu() {
    std::lock_guard lock(m_mutex);
    return one_text("SELECT rich_menu_id FROM rich_menu_default WHERE only = CAST(?1 AS INTEGER)",
                    "1");
}

tl::expected<void, StoreError> SqliteRichMenus::record_default(const std::string& rich_menu_id,
                                                               std::int64_t at) {
    std::lock_guard lock(m_mutex);
    return run("INSERT INTO rich_menu_default (only, rich_menu_id, set_at) VALUES (1, ?1, ?2) "
               "ON CONFLICT (only) DO UPDATE SET rich_menu_id = excluded.rich_menu_id, "
               "set_at = excluded.set_at",
               {rich_menu_id}, at);
}

} // namespace musubi::store::sqlite
