#pragma once
// The SQLite side of RichMenuLinks (see rich_menu_links.hpp): schema_v4_reconciler.hpp, on a
// connection of its own. Reads join friends, friend_segments and friend_rich_menus so that the
// reconciler decides from one query per page.

#include <memory>
#include <mutex>

#include "daemon/clock/clock.hpp"
#include "daemon/store/rich_menu_links.hpp"
#include "daemon/store/sqlite/database.hpp"

namespace musubi::store::sqlite {

class SqliteRichMenuLinks final : public RichMenuLinks {
public:
    SqliteRichMenuLinks(Database db, std::shared_ptr<const clock::Clock> clock)
        : m_db(std::move(db))
        , m_clock(std::move(clock)) {}

    tl::expected<FriendMenuPage, StoreError> segment_changes_after(std::int64_t after,
                                                                   std::size_t limit) override;
    tl::expected<std::int64_t, StoreError> last_segment_change_id() override;
    tl::expected<FriendMenuPage, StoreError> follow_facts_after(std::int64_t after,
                                                                std::size_t limit) override;
    tl::expected<std::int64_t, StoreError> last_fact_id() override;
    tl::expected<std::vector<FriendMenu>, StoreError> friends_after(std::int64_t after,
                                                                    std::size_t limit) override;
    tl::expected<std::vector<FriendMenu>, StoreError> linked_to(const std::string& rich_menu_id,
                                                                std::int64_t after_friend_id,
                                                                std::size_t limit) override;
    tl::expected<std::vector<FriendMenu>, StoreError>
    least_recently_checked(std::size_t limit) override;
    tl::expected<std::optional<FriendMenu>, StoreError>
    by_user(const std::string& line_user_id) override;
    tl::expected<void, StoreError>
    record_links(const std::vector<MenuLinkWrite>& writes,
                 const std::optional<std::pair<std::string, std::string>>& cursor) override;
    tl::expected<void, StoreError> mark_stale(const std::vector<std::int64_t>& friend_ids,
                                              bool forget_menu) override;
    tl::expected<void, StoreError>
    mark_checked(const std::vector<std::int64_t>& friend_ids) override;
    tl::expected<std::optional<std::string>, StoreError> cursor(const std::string& name) override;
    tl::expected<void, StoreError> set_cursor(const std::string& name,
                                              const std::string& value) override;
    tl::expected<std::map<std::string, std::int64_t>, StoreError> friends_per_menu() override;
    tl::expected<std::vector<MenuChange>, StoreError> changes(std::optional<std::int64_t> friend_id,
                                                              std::size_t limit) override;

private:
    tl::expected<std::int64_t, StoreError> max_id(const char* table);
    tl::expected<void, StoreError> write_cursor(const std::string& name, const std::string& value);

    std::mutex m_mutex; // one connection, used by one thread at a time
    Database m_db;
    std::shared_ptr<const clock::Clock> m_clock;
};

} // namespace musubi::store::sqlite
