#pragma once

#include <memory>
#include <mutex>

#include "daemon/clock/clock.hpp"
#include "daemon/store/links.hpp"
#include "daemon/store/sqlite/database.hpp"

namespace musubi::store::sqlite {

class SqliteLinks final : public Links {
public:
    SqliteLinks(Database db, std::shared_ptr<const clock::Clock> clock)
        : m_db(std::move(db))
        , m_clock(std::move(clock)) {}

    LinkResult<std::unique_ptr<LinkTransaction>> begin() override;

private:
    std::mutex m_mutex; // one connection, used by one transaction at a time
    Database m_db;
    std::shared_ptr<const clock::Clock> m_clock;
};

} // namespace musubi::store::sqlite
