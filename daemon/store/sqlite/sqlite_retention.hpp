#pragma once
// The SQLite side of Retention (see retention.hpp), over its own connection.

#include <memory>
#include <mutex>

#include "daemon/clock/clock.hpp"
#include "daemon/store/retention.hpp"
#include "daemon/store/sqlite/database.hpp"

namespace musubi::store::sqlite {

class SqliteRetention final : public Retention {
public:
    SqliteRetention(Database db, std::shared_ptr<const clock::Clock> clock)
        : m_db(std::move(db))
        , m_clock(std::move(clock)) {}

    tl::expected<PurgeCounts, StoreError> purge(const RetentionPolicy& policy,
                                                PurgeMode mode) override;

private:
    std::mutex m_mutex; // one connection, used by one thread at a time
    Database m_db;
    std::shared_ptr<const clock::Clock> m_clock;
};

} // namespace musubi::store::sqlite
