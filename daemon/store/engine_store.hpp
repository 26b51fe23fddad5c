#pragma once
// What the scenario engine reads and writes. Each fact, and each due step, is handled inside
// one transaction (`transaction(work)`): the enrollment changes, the outbox rows and the fact's
// processed mark commit together or not at all.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "daemon/store/new_message.hpp"
#include "daemon/store/store_error.hpp"

namespace musubi::store {

struct FactRow {
    std::int64_t id = 0;
    std::string kind;
    std::string subject; // empty when none
    std::optional<std::int64_t> friend_id;
    std::int64_t occurred_at_ms = 0;
    std::string payload_json;
};

struct FriendView {
    std::int64_t id = 0;
    std::string line_user_id;
    std::string display_name;
    bool blocked = false;
    std::optional<std::int64_t> followed_at_ms;
    std::string inflow_source;
    std::vector<std::string> tags;
    std::optional<std::int64_t> buyer_id; // the active link's buyer
    std::string given_name;               // the buyer's, for greetings
    std::string segment; // as the segment worker last evaluated it; "" when none matched
};

struct BuyerStats {
    std::int64_t orders = 0;
    std::int64_t total_spent = 0;
    std::optional<std::int64_t> last_order_at_ms;
    std::int64_t reviews = 0;
};

struct OrderView {
    std::string number;
    std::optional<std::int64_t> total;
    std::int64_t ordered_at_ms = 0;
    std::string items_json = "[]";
    std::string carrier_code;
    bool first = false; // the buyer's first order
};

struct EnrollmentRow {
    std::int64_t id = 0;
    std::string scenario;
    std::int64_t friend_id = 0;
    std::string subject;
    std::string step;
    std::optional<std::int64_t> next_at_ms;
    std::string waiting_on; // a fact kind, or empty
    std::optional<std::int64_t> trigger_fact_id;
    std::int64_t started_at_ms = 0;
};

struct NewEnrollment {
    std::string scenario;
    std::int64_t friend_id = 0;
    std::string subject;
    std::string step;
    std::optional<std::int64_t> next_at_ms;
    std::string waiting_on;
    std::int64_t trigger_fact_id = 0;
    std::int64_t started_at_ms = 0;
};

struct EnrollmentHistory {
    std::int64_t count = 0; // enrollments ever started (any state)
    std::optional<std::int64_t> last_started_at_ms;
    bool active = false;
};

// Reads and writes inside one transaction.
class EngineTx {
public:
    virtual ~EngineTx() = default;

    virtual tl::expected<std::optional<std::int64_t>, StoreError>
    friend_for_order(const std::string& order_number) = 0;
    virtual tl::expected<std::optional<FriendView>, StoreError>
    friend_view(std::int64_t friend_id) = 0;
    virtual tl::expected<BuyerStats, StoreError> buyer_stats(std::int64_t buyer_id) = 0;
    virtual tl::expected<std::optional<OrderView>, StoreError>
    order(const std::string& order_number) = 0;
    virtual tl::expected<std::optional<FactRow>, StoreError> fact(std::int64_t fact_id) = 0;
    // The first fact of `kind` about `subject` (e.g. a review for the order), if any.
    virtual tl::expected<std::optional<FactRow>, StoreError>
    first_fact(const std::string& kind, const std::string& subject) = 0;

    virtual tl::expected<std::vector<EnrollmentRow>, StoreError>
    active_enrollments(std::int64_t friend_id) = 0;
    virtual tl::expected<std::optional<EnrollmentRow>, StoreError>
    enrollment(std::int64_t enrollment_id) = 0;
    // `subject` nullopt: over all subjects.
    virtual tl::expected<EnrollmentHistory, StoreError>
    history(const std::string& scenario, std::int64_t friend_id,
            const std::optional<std::string>& subject) = 0;
    virtual tl::expected<std::int64_t, StoreError> start_enrollment(const NewEnrollment& e) = 0;
    virtual tl::expected<void, StoreError> move_enrollment(std::int64_t enrollment_id,
                                                           const std::string& step,
                                                           std::optional<std::int64_t> next_at_ms,
                                                           const std::string& waiting_on) = 0;
    // state: done | cancelled | ended
    virtual tl::expected<void, StoreError> end_enrollment(std::int64_t enrollment_id,
                                                          const std::string& state,
                                                          const std::string& reason,
                                                          std::int64_t at_ms) = 0;
    // Pending outbox rows of the enrollment become skipped with `reason`; answers how many.
    virtual tl::expected<std::int64_t, StoreError>
    skip_pending_messages(std::int64_t enrollment_id, const std::string& reason) = 0;

    virtual tl::expected<bool, StoreError> write_message(const NewMessage& message) = 0;
    // Messages for the friend that count against daily caps (not critical, not failed or
    // skipped) decided within [from, to).
    virtual tl::expected<std::int64_t, StoreError>
    counted_messages(std::int64_t friend_id, std::int64_t from_ms, std::int64_t to_ms) = 0;

    // true when the tag changed; the caller records tag.added/tag.removed.
    virtual tl::expected<bool, StoreError> add_tag(std::int64_t friend_id,
                                                   const std::string& tag) = 0;
    virtual tl::expected<bool, StoreError> remove_tag(std::int64_t friend_id,
                                                      const std::string& tag) = 0;
    virtual tl::expected<void, StoreError>
    record_fact(const std::string& natural_key, const std::string& kind, const std::string& subject,
                std::int64_t friend_id, std::int64_t occurred_at_ms,
                const std::string& payload_json) = 0;
    virtual tl::expected<void, StoreError>
    mark_fact_processed(std::int64_t fact_id, std::optional<std::int64_t> friend_id) = 0;
};

class EngineStore {
public:
    virtual ~EngineStore() = default;

    // Unprocessed facts, oldest first.
    virtual tl::expected<std::vector<FactRow>, StoreError> unprocessed_facts(std::size_t limit) = 0;
    // Active enrollments whose next_at has come, earliest first.
    virtual tl::expected<std::vector<std::int64_t>, StoreError>
    due_enrollments(std::int64_t now_ms, std::size_t limit) = 0;
    // The earliest next_at of an active enrollment, to sleep until.
    virtual tl::expected<std::optional<std::int64_t>, StoreError> next_due_at() = 0;

    using Work = std::function<tl::expected<void, StoreError>(EngineTx&)>;
    // Runs `work` in one write transaction; commits when it succeeds, rolls back otherwise.
    virtual tl::expected<void, StoreError> transaction(const Work& work) = 0;
};

} // namespace musubi::store
