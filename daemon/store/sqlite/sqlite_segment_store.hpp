#pragma once
// The SQLite side of SegmentStore (see segment_store.hpp), over its own connection.

#include <memory>
#include <mutex>

#include "daemon/clock/clock.hpp"
#include "daemon/store/segment_store.hpp"
#include "daemon/store/sqlite/database.hpp"

namespace musubi::store::sqlite {

class SqliteSegmentStore final : public SegmentStore {
public:
    SqliteSegmentStore(Database db, std::shared_ptr<const clock::Clock> clock)
        : m_db(std::move(db))
        , m_clock(std::move(clock)) {}

    tl::expected<std::vector<FriendProfile>, StoreError>
    load_profiles(const std::vector<std::int64_t>& friend_ids, bool with_items) override;
    tl::expected<std::vector<Membership>, StoreError>
    memberships(const std::vector<std::int64_t>& friend_ids) override;
    tl::expected<std::optional<Membership>, StoreError> membership(std::int64_t friend_id) override;
    tl::expected<std::map<std::string, std::int64_t>, StoreError> sizes() override;
    tl::expected<void, StoreError> save(const std::vector<MembershipWrite>& writes,
                                        const std::optional<CursorValue>& cursor) override;
    tl::expected<FactScan, StoreError> facts_after(std::int64_t after_fact_id,
                                                   std::size_t limit) override;
    tl::expected<std::int64_t, StoreError> last_fact_id() override;
    tl::expected<std::vector<std::int64_t>, StoreError> due_for_check(std::int64_t now_ms,
                                                                      std::size_t limit) override;
    tl::expected<std::optional<std::int64_t>, StoreError> next_check_at() override;
    tl::expected<std::vector<std::int64_t>, StoreError> friends_after(std::int64_t after_friend_id,
                                                                      std::size_t limit) override;
    tl::expected<std::vector<SegmentChange>, StoreError> changes_after(std::int64_t after_change_id,
                                                                       std::size_t limit) override;
    tl::expected<std::vector<std::int64_t>, StoreError> friends_in(const std::string& segment,
                                                                   std::int64_t after_friend_id,
                                                                   std::size_t limit) override;
    tl::expected<std::optional<std::string>, StoreError> cursor(const std::string& name) override;

private:
    tl::expected<std::vector<Membership>, StoreError> read_memberships(const std::string& ids_json);

    std::mutex m_mutex; // one connection, used by one thread at a time
    Database m_db;
    std::shared_ptr<const clock::Clock> m_clock;
};

} // namespace musubi::store::sqlite
