#pragma once
// The SQLite side of Campaigns (see campaigns.hpp): schema_v4_campaigns.hpp, on a connection
// of its own.

#include <memory>
#include <mutex>

#include "daemon/clock/clock.hpp"
#include "daemon/store/campaigns.hpp"
#include "daemon/store/sqlite/database.hpp"

namespace musubi::store::sqlite {

class SqliteCampaigns final : public Campaigns {
public:
    SqliteCampaigns(Database db, std::shared_ptr<const clock::Clock> clock)
        : m_db(std::move(db))
        , m_clock(std::move(clock)) {}

private:
    std::mutex m_mutex; // one connection, used by one thread at a time
    Database m_db;
    std::shared_ptr<const clock::Clock> m_clock;
};

} // namespace musubi::store::sqlite
