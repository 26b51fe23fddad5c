#pragma once
// The SQLite side of RichMenus (see rich_menus.hpp): tables rich_menus, rich_menu_aliases and
// rich_menu_default (schema_v3_richmenus.hpp), on a connection of its own.

#include <mutex>

#include "daemon/store/rich_menus.hpp"
#include "daemon/store/sqlite/database.hpp"

namespace musubi::store::sqlite {

class SqliteRichMenus final : public RichMenus {
public:
    explicit SqliteRichMenus(Database db)
        : m_db(std::move(db)) {}

    tl::expected<std::vector<RichMenuRecord>, StoreError> menus() override;
    tl::expected<std::optional<std::string>, StoreError>
    current_id(const std::string& name) override;
    tl::expected<std::vector<RichMenuMove>, StoreError> pending_moves() override;
    tl::expected<void, StoreError> record_created(const std::string& name,
                                                  const std::string& content_hash,
                                                  const std::string& rich_menu_id,
                                                  std::int64_t at) override;
    tl::expected<void, StoreError> mark_uploaded(const std::string& rich_menu_id,
                                                 std::int64_t at) override;
    tl::expected<std::optional<std::string>, StoreError>
    make_current(const std::string& rich_menu_id, std::int64_t at) override;
    tl::expected<std::optional<std::string>, StoreError> supersede_name(const std::string& name,
                                                                        std::int64_t at) override;
    tl::expected<void, StoreError> mark_retired(const std::string& rich_menu_id,
                                                std::int64_t at) override;
    tl::expected<std::optional<std::string>, StoreError>
    alias_target(const std::string& alias) override;
    tl::expected<void, StoreError> record_alias(const std::string& alias,
                                                const std::string& rich_menu_id,
                                                std::int64_t at) override;
    tl::expected<std::optional<std::string>, StoreError> default_menu() override;
    tl::expected<void, StoreError> record_default(const std::string& rich_menu_id,
                                                  std::int64_t at) override;

private:
    // Runs one statement with text/integer parameters in order (no rows expected).
    tl::expected<void, StoreError> run(std::string_view sql,
                                       std::initializer_list<std::string_view> texts,
                                       std::optional<std::int64_t> at);
    tl::expected<std::optional<std::string>, StoreError> one_text(std::string_view sql,
                                                                  const std::string& parameter);
    tl::expected<std::optional<std::string>, StoreError> supersede_current(const std::string& name,
                                                                           std::int64_t at);

    std::mutex m_mutex; // one connection, used by one thread at a time
    Database m_db;
};

} // namespace musubi::store::sqlite
