#include "daemon/store/sqlite/sqlite_friend_events.hpp"

#include <sqlite3.h>

#include "daemon/store/sqlite/outbox_rows.hpp"

namespace musubi::store::sqlite {

namespace {

// An unknown user's first event creates the friend. A follow (re)sets the state and the
// display name; an unfollow marks the friend blocked. Events arrive in timestamp order, but a
// redelivered older event must not undo a newer one: a change applies only when it is not older
// than the friend's last change.
constexpr const char* k_upsert_friend = R"SQL(
INSERT INTO friends (line_user_id, display_name, state, followed_at, blocked_at, created_at,
                     updated_at)
VALUES (?1, ?2, CASE WHEN ?3 = 'unfollow' THEN 'blocked' ELSE 'following' END,
        CASE WHEN ?3 = 'follow' THEN ?4 END, CASE WHEN ?3 = 'unfollow' THEN ?4 END, ?5, ?5)
ON CONFLICT (line_user_id) DO UPDATE SET
    display_name = coalesce(excluded.display_name, friends.display_name),
    state = CASE
        WHEN ?3 = 'follow' AND ?4 >= coalesce(friends.blocked_at, 0) THEN 'following'
        WHEN ?3 = 'unfollow' AND ?4 >= coalesce(friends.followed_at, 0) THEN 'blocked'
        ELSE friends.state END,
    followed_at = CASE WHEN ?3 = 'follow' THEN max(coalesce(friends.followed_at, 0), ?4)
                       ELSE friends.followed_at END,
    blocked_at = CASE WHEN ?3 = 'unfollow' THEN max(coalesce(friends.blocked_at, 0), ?4)
                      ELSE friends.blocked_at END,
    updated_at = ?5
RETURNING id
)SQL";

const char* change_name(FriendChange change) {
    switch (change) {
    case FriendChange::follow:
        return "follow";
    case FriendChange::unfollow:
        return "unfollow";
    case FriendChange::none:
        break;
    }
    return "none";
}

} // namespace

tl::expected<std::int64_t, StoreError> SqliteFriendEvents::upsert_friend(const FriendEvent& event) {
    auto upsert = m_db.prepare(k_upsert_friend);
    if (!upsert) {
        return tl::unexpected(upsert.error());
    }
    upsert->bind(1, event.line_user_id)
        .bind_optional(2, event.display_name)
        .bind(3, std::string_view(change_name(event.change)))
        .bind(4, event.occurred_at_ms)
        .bind(5, m_clock->now_ms());
    auto row = upsert->step();
    if (!row) {
        return tl::unexpected(row.error());
    }
    if (!*row) {
        return tl::unexpected(StoreError{"upserting a friend returned no id", ""});
    }
    const auto id = upsert->column_int64(0);
    (void)upsert->step();
    return id;
}

tl::expected<void, StoreError>
SqliteFriendEvents::mark_processed_locked(const std::string& event_id) {
    auto update = m_db.prepare("UPDATE webhook_events SET processed_at = ?2 WHERE event_id = ?1");
    if (!update) {
        return tl::unexpected(update.error());
    }
    update->bind(1, event_id).bind(2, m_clock->now_ms());
    return update->run();
}

tl::expected<std::int64_t, StoreError> SqliteFriendEvents::apply_locked(const FriendEvent& event) {
    if (event.line_user_id.empty()) { // nothing to apply but the processed mark
        if (auto marked = mark_processed_locked(event.event_id); !marked) {
            return tl::unexpected(marked.error());
        }
        return std::int64_t{0};
    }
    auto friend_id = upsert_friend(event);
    if (!friend_id) {
        return tl::unexpected(friend_id.error());
    }
    if (event.fact_kind) {
        auto insert = m_db.prepare(
            "INSERT INTO facts (natural_key, kind, friend_id, occurred_at, recorded_at, payload) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (natural_key) DO NOTHING");
        if (!insert) {
            return tl::unexpected(insert.error());
        }
        insert->bind(1, "line:event:" + event.event_id)
            .bind(2, *event.fact_kind)
            .bind(3, *friend_id)
            .bind(4, event.occurred_at_ms)
            .bind(5, m_clock->now_ms())
            .bind(6, event.payload_json);
        if (auto done = insert->run(); !done) {
            return tl::unexpected(done.error());
        }
    }
    if (auto marked = mark_processed_locked(event.event_id); !marked) {
        return tl::unexpected(marked.error());
    }
    return *friend_id;
}

tl::expected<std::int64_t, StoreError> SqliteFriendEvents::apply(const FriendEvent& event) {
    std::lock_guard lock(m_mutex);
    auto transaction = Transaction::begin(m_db);
    if (!transaction) {
        return tl::unexpected(transaction.error());
    }
    auto friend_id = apply_locked(event);
    if (!friend_id) {
        return friend_id;
    }
    if (auto committed = transaction->commit(); !committed) {
        return tl::unexpected(committed.error());
    }
    return friend_id;
}

tl::expected<void, StoreError>
SqliteFriendEvents::apply_all(const std::vector<FriendEvent>& events) {
    std::lock_guard lock(m_mutex);
    auto transaction = Transaction::begin(m_db);
    if (!transaction) {
        return tl::unexpected(transaction.error());
    }
    for (const auto& event : events) {
        if (auto applied = apply_locked(event); !applied) {
            return tl::unexpected(applied.error());
        }
    }
    return transaction->commit();
}

tl::expected<std::int64_t, StoreError>
SqliteFriendEvents::ensure_friend(const std::string& line_user_id, std::int64_t at_ms) {
    std::lock_guard lock(m_mutex);
    FriendEvent event;
    event.line_user_id = line_user_id;
    event.occurred_at_ms = at_ms;
    return upsert_friend(event);
}

tl::expected<void, StoreError> SqliteFriendEvents::mark_processed(const std::string& event_id) {
    std::lock_guard lock(m_mutex);
    return mark_processed_locked(event_id);
}

// --- Groups and unsend (issue 17)
tl::expected<void, StoreError>
SqliteFriendEvents::apply_chat_replies(const std::string& event_id,
                                       const std::vector<NewMessage>& messages) {
    std::lock_guard lock(m_mutex);
    auto transaction = Transaction::begin(m_db);
    if (!transaction) {
        return tl::unexpected(transaction.error());
    }
    for (const auto& message : messages) {
        if (auto inserted = insert_outbox_row(m_db, message, m_clock->now_ms()); !inserted) {
            return tl::unexpected(inserted.error());
        }
    }
    if (auto marked = mark_processed_locked(event_id); !marked) {
        return tl::unexpected(marked.error());
    }
    return transaction->commit();
}

// The stored message events with this message id (a redelivery is the same event, so at most
// one), found by the message id inside the body: webhook_events holds a week of bodies.
constexpr const char* k_blank_bodies = R"SQL(
UPDATE webhook_events SET body = json_set(body, '$.message.text', '')
WHERE json_valid(body) AND json_extract(body, '$.type') = 'message'
  AND json_extract(body, '$.message.id') = ?1
  AND json_extract(body, '$.message.text') IS NOT NULL
RETURNING event_id
)SQL";

tl::expected<std::int64_t, StoreError>
SqliteFriendEvents::forget_message(const std::string& message_id,
                                   const std::string& unsend_event_id) {
    std::lock_guard lock(m_mutex);
    auto transaction = Transaction::begin(m_db);
    if (!transaction) {
        return tl::unexpected(transaction.error());
    }
    std::vector<std::string> events;
    {
        auto blank = m_db.prepare(k_blank_bodies);
        if (!blank) {
            return tl::unexpected(blank.error());
        }
        blank->bind(1, message_id);
        while (true) {
            auto row = blank->step();
            if (!row) {
                return tl::unexpected(row.error());
            }
            if (!*row) {
                break;
            }
            events.push_back(blank->column_text(0));
        }
    }
    std::int64_t blanked = static_cast<std::int64_t>(events.size());
    for (const auto& event_id : events) {
        auto fact = m_db.prepare(
            "UPDATE facts SET payload = json_set(payload, '$.text', '') WHERE natural_key = ?1 "
            "AND json_valid(payload) AND json_extract(payload, '$.text') IS NOT NULL");
        if (!fact) {
            return tl::unexpected(fact.error());
        }
        fact->bind(1, "line:event:" + event_id);
        if (auto done = fact->run(); !done) {
            return tl::unexpected(done.error());
        }
        blanked += sqlite3_changes(m_db.handle());
    }
    if (auto marked = mark_processed_locked(unsend_event_id); !marked) {
        return tl::unexpected(marked.error());
    }
    if (auto committed = transaction->commit(); !committed) {
        return tl::unexpected(committed.error());
    }
    return blanked;
}

} // namespace musubi::store::sqlite
