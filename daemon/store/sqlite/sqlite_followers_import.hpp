#pragma once
// The SQLite side of FollowersImport (see followers_import.hpp): schema_v6_followers.hpp, on a
// connection of its own.

#include <memory>
#include <mutex>

#include "daemon/clock/clock.hpp"
#include "daemon/store/followers_import.hpp"
#include "daemon/store/sqlite/database.hpp"

namespace musubi::store::sqlite {

class SqliteFollowersImport final : public FollowersImport {
public:
    SqliteFollowersImport(Database db, std::shared_ptr<const clock::Clock> clock)
        : m_db(std::move(db))
        , m_clock(std::move(clock)) {}

    tl::expected<std::optional<ImportRun>, StoreError> latest_run() override;
    tl::expected<ImportRun, StoreError> begin_run(std::int64_t at_ms) override;
    tl::expected<std::int64_t, StoreError> apply_page(std::int64_t run_id,
                                                      const std::vector<std::string>& user_ids,
                                                      const std::string& next,
                                                      std::int64_t at_ms) override;
    tl::expected<void, StoreError> finish_run(std::int64_t run_id, ImportOutcome outcome,
                                              std::int64_t at_ms) override;
    tl::expected<std::vector<ProfileDue>, StoreError> profiles_due(std::int64_t now_ms,
                                                                   std::size_t limit) override;
    tl::expected<void, StoreError> set_profile(std::int64_t friend_id,
                                               const std::string& display_name) override;
    tl::expected<void, StoreError> postpone_profile(std::int64_t friend_id,
                                                    std::int64_t due_at_ms) override;
    tl::expected<bool, StoreError> mark_gone(std::int64_t friend_id,
                                             std::int64_t asked_at_ms) override;
    tl::expected<ImportTotals, StoreError> totals() override;

private:
    tl::expected<std::optional<ImportRun>, StoreError> latest_run_locked();

    std::mutex m_mutex; // one connection, used by one thread at a time
    Database m_db;
    std::shared_ptr<const clock::Clock> m_clock;
};

} // namespace musubi::store::sqlite
