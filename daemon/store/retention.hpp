#pragma once
// Data retention (DESIGN.md "Privacy"): personal data of old orders and of friends who
// unlinked is purged, keeping the counts that analytics need. What is personal, and what a
// purge does with it (every count stays: orders per day, totals, facts by kind, outbox rows by
// state, links, reviews, link attempts):
//
// 1. An order placed before now - orders_after (retention.orders_after, default 1095d):
//    - orders.items keeps units and price of each item, drops the item name and item number
//      (what a person bought); orders.tracking_number → NULL (it finds the parcel's address).
//      carrier_code (the delivery company), total, progress and the times stay.
//    - its facts (order.placed/shipped/cancelled, review.posted; subject = the order number)
//      lose the same: items' names and numbers, the carrier's tracking number and URL, the
//      reviewed item's name. Kind, subject, times, total and buyer_id stay.
//    - reviews.item_name of the order → NULL (rating and type stay).
//    - orders.purged_at marks it, so a second run does nothing.
// 2. A buyer with no order after that horizon and no active link: given_name, email_hash,
//    phone_hash, phone_last4_hash → NULL, and buyer_key (an HMAC of e-mail/phone: still a
//    pseudonym of the person) → "purged:<id>", so a returning customer is a new buyer rather
//    than re-attached to a history the shop was meant to forget. The row and orders.buyer_id
//    stay, so "orders per buyer" over the past still counts. buyers.purged_at marks it.
// 3. Outbox rows created before that horizon, in a final state (sent, failed, skipped,
//    expired): payload (rendered text: display name, given name, items, tracking number) →
//    k_purged_payload; reply_token → NULL. Scenario, step, kind, state, times stay.
// 4. A link that ended before now - unlinked_after (retention.unlinked_after, default 30d):
//    - its buyer as in 2 (if no other friend holds an active link to it), whatever the age of
//      its orders: the friend asked to be unlinked;
//    - if the friend holds no active link now: their link_sessions row (an order number they
//      typed) is deleted, their final outbox payloads become k_purged_payload, their chat
//      texts (friend.message facts' "text") are dropped, and, if the friend has also blocked
//      the account, friends.display_name → NULL. (A friend who still follows keeps the
//      display name: it comes from LINE's profile because they follow, not from linking,
//      and greetings use it.) link_attempts stay: method, outcome and time, nothing
//      personal, and the link rate counts them.
//    - links.purged_at marks it.
// 5. Short-lived data older than k_chat_retention (7 days): processed webhook_events are
//    deleted (their bodies hold chat text such as phone digits; they exist to de-duplicate
//    LINE's redeliveries, which come within minutes, and the facts' natural keys
//    'line:event:<id>' still de-duplicate after that); processed friend.message facts lose
//    their "text"; account_link_nonces (single use, 10 minutes) are deleted.
//
// Each batch of up to k_purge_batch rows is one transaction, so a large purge never holds
// the write lock for long; the purge may be interrupted between batches and run again.

#include <chrono>
#include <cstdint>

#include <tl/expected.hpp>

#include "daemon/store/store_error.hpp"

namespace musubi::store {

inline constexpr const char* k_purged_payload = R"({"purged":true})";
inline constexpr std::chrono::milliseconds k_chat_retention = std::chrono::hours(24 * 7);
inline constexpr std::int64_t k_purge_batch = 500;

struct RetentionPolicy {
    std::chrono::milliseconds orders_after{};
    std::chrono::milliseconds unlinked_after{};
    std::chrono::milliseconds chat_after = k_chat_retention;
};

// How many rows lost (or, counting only, would lose) personal data.
struct PurgeCounts {
    std::int64_t orders = 0;         // 1
    std::int64_t facts = 0;          // 1 and 5 (order/review payloads, chat texts)
    std::int64_t buyers = 0;         // 2 and 4
    std::int64_t messages = 0;       // 3 and 4 (outbox payloads)
    std::int64_t friends = 0;        // 4 (links ended long ago)
    std::int64_t webhook_bodies = 0; // 5
    std::int64_t nonces = 0;         // 5

    bool empty() const {
        return orders == 0 && facts == 0 && buyers == 0 && messages == 0 && friends == 0 &&
               webhook_bodies == 0 && nonces == 0;
    }
};

enum class PurgeMode { apply, count_only };

class Retention {
public:
    virtual ~Retention() = default;

    // Purges what `policy` says is due at the store's "now" (count_only: changes nothing and
    // answers what apply would purge; a few rows may be counted in two categories the same
    // way apply counts them, e.g. a buyer due both by age and by unlinking counts once).
    virtual tl::expected<PurgeCounts, StoreError> purge(const RetentionPolicy& policy,
                                                        PurgeMode mode) = 0;
};

} // namespace musubi::store
