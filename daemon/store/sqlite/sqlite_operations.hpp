#pragma once
// The SQLite side of Operations (see operations.hpp), over its own connection.

#include <memory>
#include <mutex>
#include <string>
#include <variant>
#include <vector>

#include "daemon/clock/clock.hpp"
#include "daemon/store/operations.hpp"
#include "daemon/store/sqlite/database.hpp"

namespace musubi::store::sqlite {

class SqliteOperations final : public Operations {
public:
    SqliteOperations(Database db, std::shared_ptr<const clock::Clock> clock)
        : m_db(std::move(db))
        , m_clock(std::move(clock)) {}

    OpsResult<OperationsSummary> summary(std::int64_t failed_since_ms) override;
    OpsResult<std::vector<OutboxEntry>> list_outbox(const OutboxQuery& query) override;
    OpsResult<std::optional<OutboxEntry>> outbox_entry(std::int64_t id) override;
    OpsResult<std::optional<OutboxEntry>> outbox_entry_by_key(const std::string& key) override;
    OpsResult<std::vector<DeliveryEntry>> deliveries(std::int64_t outbox_id) override;
    OpsResult<std::vector<ReasonCount>> failure_reasons(std::int64_t since_ms) override;
    OpsResult<std::vector<OutboxEntry>> retries_of(std::int64_t outbox_id) override;
    OpsResult<RetryOutcome> retry(std::int64_t outbox_id, const std::string& new_retry_key,
                                  const std::string& note) override;
    OpsResult<std::optional<FriendRecord>> friend_record(const std::string& line_user_id) override;

private:
    // Callers hold m_mutex.
    using Parameter = std::variant<std::int64_t, std::string>;
    // Outbox rows (joined to their friend) after `rest` (WHERE … ORDER BY … LIMIT …), with
    // ?1, ?2, … bound to `parameters` in order.
    OpsResult<std::vector<OutboxEntry>> select_entries(const std::string& rest,
                                                       const std::vector<Parameter>& parameters,
                                                       bool with_payload);
    OpsResult<std::optional<OutboxEntry>> one_entry(const std::string& rest,
                                                    const std::vector<Parameter>& parameters);

    std::mutex m_mutex; // one connection, used by one thread at a time
    Database m_db;
    std::shared_ptr<const clock::Clock> m_clock;
};

} // namespace musubi::store::sqlite
