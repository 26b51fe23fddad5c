#pragma once
// The SQLite side of StatusReport (see status_report.hpp), over its own connection. The
// queries read indexes added for them in schema_v3_status.hpp, so a page load costs little
// even with a large outbox.

#include <memory>
#include <mutex>

#include "daemon/clock/clock.hpp"
#include "daemon/store/sqlite/database.hpp"
#include "daemon/store/status_report.hpp"

namespace musubi::store::sqlite {

class SqliteStatusReport final : public StatusReport {
public:
    SqliteStatusReport(Database db, std::shared_ptr<const clock::Clock> clock)
        : m_db(std::move(db))
        , m_clock(std::move(clock)) {}

    tl::expected<StatusData, StoreError> read() override;

private:
    tl::expected<void, StoreError> read_locked(StatusData& data);

    std::mutex m_mutex; // one connection, used by one thread at a time
    Database m_db;
    std::shared_ptr<const clock::Clock> m_clock;
};

} // namespace musubi::store::sqlite
