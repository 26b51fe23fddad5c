#pragma once

#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "daemon/clock/clock.hpp"
#include "daemon/store/sqlite/database.hpp"
#include "daemon/store/webhook_inbox.hpp"

namespace musubi::store::sqlite {

class SqliteWebhookInbox final : public WebhookInbox {
public:
    SqliteWebhookInbox(Database db, std::shared_ptr<const clock::Clock> clock)
        : m_db(std::move(db))
        , m_clock(std::move(clock)) {}

    tl::expected<std::size_t, StoreError> receive(const std::vector<InboundEvent>& events) override;
    tl::expected<std::size_t, StoreError>
    receive_forwarding(const std::vector<InboundEvent>& events,
                       const std::vector<ForwardBody>& forwards) override; // webhook.forward
    tl::expected<std::vector<InboundEvent>, StoreError> pending(std::size_t limit) override;
    tl::expected<std::int64_t, StoreError> count_pending() override;

private:
    tl::expected<void, StoreError> queue_forwards(const std::vector<ForwardBody>& forwards,
                                                  const std::set<std::string>& stored_now,
                                                  std::int64_t now);

    std::mutex m_mutex;
    Database m_db;
    std::shared_ptr<const clock::Clock> m_clock;
};

} // namespace musubi::store::sqlite
