#pragma once
// The outbox over its own SQLite connection (the dispatcher's), see store/outbox.hpp.

#include <memory>
#include <mutex>

#include "daemon/clock/clock.hpp"
#include "daemon/store/outbox.hpp"
#include "daemon/store/sqlite/database.hpp"

namespace musubi::store::sqlite {

class SqliteOutbox final : public Outbox {
public:
    SqliteOutbox(Database db, std::shared_ptr<const clock::Clock> clock)
        : m_db(std::move(db))
        , m_clock(std::move(clock)) {}

    tl::expected<std::int64_t, StoreError> requeue_interrupted() override;
    tl::expected<std::vector<DueMessage>, StoreError> claim_due(std::size_t limit) override;
    tl::expected<void, StoreError> record(const std::vector<AttemptRecord>& records) override;
    tl::expected<std::optional<std::int64_t>, StoreError> next_due_at() override;
    tl::expected<OutboxCounts, StoreError> counts() override;
    tl::expected<std::int64_t, StoreError> add(const std::vector<NewMessage>& messages) override;

private:
    tl::expected<std::vector<DueMessage>, StoreError> select_due(std::int64_t now,
                                                                 std::size_t limit);
    tl::expected<void, StoreError> mark_sending(const std::vector<DueMessage>& rows,
                                                std::int64_t now);

    std::mutex m_mutex; // one connection, used by one thread at a time
    Database m_db;
    std::shared_ptr<const clock::Clock> m_clock;
};

} // namespace musubi::store::sqlite
