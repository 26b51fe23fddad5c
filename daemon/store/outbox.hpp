#pragma once
// The dispatcher's view of the outbox: claiming due rows, recording each attempt's outcome.
// Rows are written by the engine and by linking (inside their own transactions); see
// schema_v1.hpp/schema_v2.hpp for the columns.
//
// A row's life: pending → (claim) sending → sent | failed | skipped | expired, or back to
// pending with a later due_at for a retry. A row is `sending` only while one dispatcher holds
// it; rows a crash left in `sending` are made due again by requeue_interrupted() at start-up
// and re-sent with their fixed retry key (LINE answers 409 to what it had already accepted).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "daemon/store/new_message.hpp"
#include "daemon/store/store_error.hpp"

namespace musubi::store {

// A row claimed for sending, with what the dispatcher needs to send it.
struct DueMessage {
    std::int64_t id = 0;
    std::string retry_key;
    std::optional<std::int64_t> friend_id;
    std::string line_user_id; // empty: no friend row
    bool friend_blocked = false;
    std::string scenario;
    std::string step;
    std::string kind; // push | reply | multicast
    std::string payload;
    bool critical = false;
    std::int64_t due_at = 0;
    std::int64_t first_attempt_at = 0; // set by the claim when it was not set before
    std::int64_t attempts = 0;         // including this one
    std::optional<std::string> reply_token;
    std::optional<std::int64_t> reply_until;
};

// What became of one claimed row.
enum class Disposition {
    sent,     // final: LINE accepted it, now or before (409)
    retry,    // back to pending, due again at retry_at (same retry key)
    failed,   // final: will never succeed as it is
    skipped,  // final: not sent on purpose (e.g. the friend blocked the account)
    expired,  // final: too old to resend safely
    released, // not attempted (stopping, paused): back to pending as it was, no deliveries row
};

struct AttemptRecord {
    std::int64_t outbox_id = 0;
    Disposition disposition = Disposition::retry;
    std::int64_t attempted_at = 0;
    std::int64_t retry_at = 0; // Disposition::retry only
    int http_status = 0;       // 0: no request, or no answer
    std::string outcome;       // "sent", "already_sent", "transient", "skipped", …
    std::string request_id;    // LINE's request id (the accepted one for a 409)
    std::string reason;        // the row's reason for final states; the delivery's detail
    // Disposition::retry: LINE refused the reply token and the row went by push; it stays a
    // push row, so that no later attempt replies in its stead.
    bool now_push = false;
};

struct OutboxCounts {
    std::int64_t pending = 0;
    std::int64_t sending = 0;
    std::int64_t sent = 0;
    std::int64_t failed = 0;
    std::int64_t skipped = 0;
    std::int64_t expired = 0;
};

class Outbox {
public:
    virtual ~Outbox() = default;

    // Rows left `sending` by a crash become pending again (due at once); how many. Call once
    // at start-up, before the first claim.
    virtual tl::expected<std::int64_t, StoreError> requeue_interrupted() = 0;
    // Up to `limit` pending rows with due_at <= now, oldest due first (then by id), marked
    // `sending` with attempts + 1 and first_attempt_at set if it was not; one transaction.
    virtual tl::expected<std::vector<DueMessage>, StoreError> claim_due(std::size_t limit) = 0;
    // Applies the outcomes (row state, reason, and a deliveries row for each attempt) in one
    // transaction.
    virtual tl::expected<void, StoreError> record(const std::vector<AttemptRecord>& records) = 0;
    // The earliest due_at of a pending row; nullopt when none.
    virtual tl::expected<std::optional<std::int64_t>, StoreError> next_due_at() = 0;
    virtual tl::expected<OutboxCounts, StoreError> counts() = 0;
    // Writes messages decided outside a fact's transaction (an announcement, an operator's
    // send) in one transaction; a retry key written before is left as it is. How many rows
    // are new.
    virtual tl::expected<std::int64_t, StoreError> add(const std::vector<NewMessage>& messages) = 0;
};

} // namespace musubi::store
