#pragma once

#include <memory>
#include <mutex>

#include "daemon/clock/clock.hpp"
#include "daemon/store/friend_events.hpp"
#include "daemon/store/sqlite/database.hpp"

namespace musubi::store::sqlite {

class SqliteFriendEvents final : public FriendEvents {
public:
    SqliteFriendEvents(Database db, std::shared_ptr<const clock::Clock> clock)
        : m_db(std::move(db))
        , m_clock(std::move(clock)) {}

    tl::expected<std::int64_t, StoreError> apply(const FriendEvent& event) override;
    tl::expected<void, StoreError> apply_all(const std::vector<FriendEvent>& events) override;
    tl::expected<std::int64_t, StoreError> ensure_friend(const std::string& line_user_id,
                                                         std::int64_t at_ms) override;
    tl::expected<void, StoreError> mark_processed(const std::string& event_id) override;
    tl::expected<void, StoreError>
    apply_chat_replies(const std::string& event_id,
                       const std::vector<NewMessage>& messages) override;
    tl::expected<std::int64_t, StoreError>
    forget_message(const std::string& message_id, const std::string& unsend_event_id) override;

private:
    tl::expected<std::int64_t, StoreError> upsert_friend(const FriendEvent& event);
    tl::expected<std::int64_t, StoreError> apply_locked(const FriendEvent& event);
    tl::expected<void, StoreError> mark_processed_locked(const std::string& event_id);

    std::mutex m_mutex; // one connection, used by one thread at a time
    Database m_db;
    std::shared_ptr<const clock::Clock> m_clock;
};

} // namespace musubi::store::sqlite
