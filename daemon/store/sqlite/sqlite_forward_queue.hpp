#pragma once
// The forward worker's part of the store (forward_queue.hpp), over its own connection.

#include <mutex>

#include "daemon/store/forward_queue.hpp"
#include "daemon/store/sqlite/database.hpp"

namespace musubi::store::sqlite {

class SqliteForwardQueue final : public ForwardQueue {
public:
    explicit SqliteForwardQueue(Database db)
        : m_db(std::move(db)) {}

    tl::expected<std::optional<QueuedForward>, StoreError> head(const std::string& target) override;
    tl::expected<void, StoreError> remove(std::int64_t id) override;
    tl::expected<void, StoreError> retry_at(std::int64_t id, std::int64_t next_at_ms,
                                            const std::string& error) override;
    tl::expected<std::int64_t, StoreError> remove_target(const std::string& target) override;
    tl::expected<std::map<std::string, ForwardDepth>, StoreError> depths() override;

private:
    std::mutex m_mutex;
    Database m_db;
};

} // namespace musubi::store::sqlite
