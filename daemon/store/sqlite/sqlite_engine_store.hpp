#pragma once

#include <memory>
#include <mutex>

#include "daemon/clock/clock.hpp"
#include "daemon/store/engine_store.hpp"
#include "daemon/store/sqlite/database.hpp"

namespace musubi::store::sqlite {

class SqliteEngineStore final : public EngineStore {
public:
    SqliteEngineStore(Database db, std::shared_ptr<const clock::Clock> clock)
        : m_db(std::move(db))
        , m_clock(std::move(clock)) {}

    tl::expected<std::vector<FactRow>, StoreError> unprocessed_facts(std::size_t limit) override;
    tl::expected<std::vector<std::int64_t>, StoreError> due_enrollments(std::int64_t now_ms,
                                                                        std::size_t limit) override;
    tl::expected<std::optional<std::int64_t>, StoreError> next_due_at() override;
    tl::expected<void, StoreError> transaction(const Work& work) override;

private:
    std::mutex m_mutex; // one connection, used by one thread at a time
    Database m_db;
    std::shared_ptr<const clock::Clock> m_clock;
};

} // namespace musubi::store::sqlite
