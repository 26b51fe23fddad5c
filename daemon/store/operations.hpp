#pragma once
// Operator views and deliberate actions behind musubictl: the outbox and its failures, a
// friend's record, retrying a failed message under a new retry key. Masking personal data is
// the caller's job (daemon/ctl/format.hpp); this part never reads hashes, phones or e-mail.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "daemon/store/store_error.hpp"

namespace musubi::store {

template <typename T>
using OpsResult = tl::expected<T, StoreError>;

// (Not status_report.hpp's FriendCounts: that one counts linked followers for a rate; this
// one counts every friend with an active link.)
struct FriendTotals {
    std::int64_t following = 0;
    std::int64_t blocked = 0;
    std::int64_t linked = 0; // with an active link
};

struct OperationsSummary {
    FriendTotals friends;
    std::map<std::string, std::int64_t> outbox_by_state; // every state, 0 when none
    std::int64_t failed_recently = 0;                    // failed rows updated since `since`
    std::optional<std::int64_t> next_due_at;             // earliest pending due_at
};

// Which outbox rows to list; newest first.
struct OutboxQuery {
    std::optional<std::string> state;
    std::vector<std::string> line_user_ids; // empty: any friend
    std::optional<std::string> scenario;
    std::optional<std::int64_t> updated_since;
    std::int64_t limit = 50;
};

struct OutboxEntry {
    std::int64_t id = 0;
    std::string retry_key;
    std::optional<std::int64_t> friend_id;
    std::string line_user_id; // empty: no friend (a multicast)
    std::string scenario;
    std::string step;
    std::string kind;
    std::string state;
    bool critical = false;
    std::int64_t due_at = 0;
    std::optional<std::int64_t> first_attempt_at;
    std::int64_t attempts = 0;
    std::optional<std::string> reason;
    std::int64_t created_at = 0;
    std::int64_t updated_at = 0;
    std::optional<std::int64_t> retry_of; // the row this one retries (musubictl outbox retry)
    std::string payload;
};

struct DeliveryEntry {
    std::int64_t id = 0;
    std::int64_t attempted_at = 0;
    std::optional<std::int64_t> http_status;
    std::string outcome;
    std::string request_id; // empty: none
    std::string detail;
};

struct ReasonCount {
    std::string reason;
    std::int64_t count = 0;
};

// Why a row was not retried.
enum class RetryRefusal {
    not_found,
    not_final,      // pending or sending: the dispatcher still works on it
    sent,           // LINE accepted it; a retry would send it twice
    still_blocked,  // skipped because the friend blocked the account, and still blocked
    retried_before, // a retry of this row exists (retry that one if it failed too)
};

struct RetryOutcome {
    std::optional<RetryRefusal> refused; // nullopt: retried
    OutboxEntry original;                // as it was (it is never changed)
    std::optional<OutboxEntry> retry;    // the new row, or the earlier retry (retried_before)
};

struct FriendLinkView {
    std::int64_t link_id = 0;
    std::string method;
    std::int64_t linked_at = 0;
    std::int64_t buyer_id = 0;
    std::string given_name; // empty when unknown
    std::int64_t orders = 0;
    std::int64_t total_spent = 0; // yen, orders with a fixed total and not cancelled
    std::string last_order_number;
    std::optional<std::int64_t> last_order_at;
};

struct EnrollmentEntry {
    std::int64_t id = 0;
    std::string scenario;
    std::string subject;
    std::string state;
    std::string step;
    std::optional<std::int64_t> next_at;
    std::string waiting_on;
    std::int64_t started_at = 0;
    std::string end_reason;
};

struct FriendRecord {
    std::int64_t id = 0;
    std::string line_user_id;
    std::string display_name; // unmasked: mask before showing
    std::string state;
    std::optional<std::int64_t> followed_at;
    std::optional<std::int64_t> blocked_at;
    std::string inflow_source;
    std::int64_t created_at = 0;
    std::vector<std::string> tags;
    std::optional<FriendLinkView> link;
    std::vector<EnrollmentEntry> enrollments;
    std::vector<OutboxEntry> recent_messages; // newest first, without payloads
};

class Operations {
public:
    virtual ~Operations() = default;

    // Friends, the outbox by state, failed rows updated at or after `failed_since_ms`.
    virtual OpsResult<OperationsSummary> summary(std::int64_t failed_since_ms) = 0;
    // Rows matching `query`, newest first; payloads left empty.
    virtual OpsResult<std::vector<OutboxEntry>> list_outbox(const OutboxQuery& query) = 0;
    virtual OpsResult<std::optional<OutboxEntry>> outbox_entry(std::int64_t id) = 0;
    virtual OpsResult<std::optional<OutboxEntry>> outbox_entry_by_key(const std::string& key) = 0;
    // Every attempt at sending the row, oldest first.
    virtual OpsResult<std::vector<DeliveryEntry>> deliveries(std::int64_t outbox_id) = 0;
    // Failed rows updated at or after `since_ms`, counted by reason (most frequent first).
    virtual OpsResult<std::vector<ReasonCount>> failure_reasons(std::int64_t since_ms) = 0;
    // The rows that retry `outbox_id`, oldest first.
    virtual OpsResult<std::vector<OutboxEntry>> retries_of(std::int64_t outbox_id) = 0;

    // A deliberate resend of a row that ended without reaching the friend: failed, expired,
    // or skipped when the friend follows again. In one transaction, writes a new pending row
    // (same friend, payload, scenario and step, due now; a reply becomes a push) under
    // `new_retry_key`, with retry_of = the old id and reason `note`; the old row is left as it
    // was. Anything else is refused (see RetryRefusal).
    virtual OpsResult<RetryOutcome> retry(std::int64_t outbox_id, const std::string& new_retry_key,
                                          const std::string& note) = 0;

    // The friend with this LINE user id; nullopt when unknown.
    virtual OpsResult<std::optional<FriendRecord>>
    friend_record(const std::string& line_user_id) = 0;
};

} // namespace musubi::store
