#include "daemon/store/sqlite/outbox_rows.hpp"

namespace musubi::store::sqlite {

namespace {

// Whether another row that will be sent holds this reply token already.
tl::expected<bool, StoreError> reply_token_taken(Database& db, const NewMessage& message) {
    auto select = db.prepare("SELECT 1 FROM outbox WHERE friend_id = ?1 AND reply_token = ?2 "
                             "AND state NOT IN ('skipped', 'failed') LIMIT 1");
    if (!select) {
        return tl::unexpected(select.error());
    }
    select->bind(1, message.friend_id).bind(2, *message.reply_token);
    return select->step();
}

} // namespace

tl::expected<bool, StoreError> insert_outbox_row(Database& db, const NewMessage& original,
                                                 std::int64_t now_ms) {
    // One row per reply token: LINE takes a token once, and the dispatcher reads "Invalid
    // reply token" on a resend as "this row replied before" (dispatcher.cpp). A second message
    // for the same event goes by push.
    std::optional<NewMessage> as_push;
    if (original.kind == "reply" && original.reply_token && original.state == "pending") {
        auto taken = reply_token_taken(db, original);
        if (!taken) {
            return tl::unexpected(taken.error());
        }
        if (*taken) {
            as_push = original;
            as_push->kind = "push";
            as_push->reply_token.reset();
            as_push->reply_until.reset();
        }
    }
    const NewMessage& message = as_push ? *as_push : original;
    auto insert = db.prepare(
        "INSERT INTO outbox (retry_key, enrollment_id, friend_id, scenario, step, kind, payload, "
        "state, reason, critical, due_at, reply_token, reply_until, created_at, updated_at) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?14) "
        "ON CONFLICT (retry_key) DO NOTHING");
    if (!insert) {
        return tl::unexpected(insert.error());
    }
    insert->bind(1, message.retry_key);
    if (message.enrollment_id) {
        insert->bind(2, *message.enrollment_id);
    } else {
        insert->bind_null(2);
    }
    if (message.friend_id != 0) {
        insert->bind(3, message.friend_id);
    } else {
        insert->bind_null(3);
    }
    insert->bind(4, message.scenario)
        .bind(5, message.step)
        .bind(6, message.kind)
        .bind(7, message.payload)
        .bind(8, message.state)
        .bind_optional(9, message.reason)
        .bind(10, static_cast<std::int64_t>(message.critical ? 1 : 0))
        .bind(11, message.due_at)
        .bind_optional(12, message.reply_token);
    if (message.reply_until) {
        insert->bind(13, *message.reply_until);
    } else {
        insert->bind_null(13);
    }
    insert->bind(14, now_ms);
    if (auto done = insert->run(); !done) {
        return tl::unexpected(done.error());
    }
    return sqlite3_changes(db.handle()) == 1;
}

} // namespace musubi::store::sqlite
