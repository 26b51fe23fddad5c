#pragma once
// The store is the one interface through which the daemon reads and writes its data. Callers
// never see SQL or SQLite; a PostgreSQL backend can be added beside sqlite/ without touching
// them. Every method is one transaction unless it says otherwise.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

#include "daemon/clock/clock.hpp"
#include "daemon/config/config.hpp"
#include "daemon/store/engine_store.hpp"
#include "daemon/store/forward_queue.hpp"
#include "daemon/store/friend_events.hpp"
#include "daemon/store/links.hpp"
#include "daemon/store/operations.hpp"
#include "daemon/store/outbox.hpp"
#include "daemon/store/retention.hpp"
#include "daemon/store/reviews.hpp"
#include "daemon/store/rich_menus.hpp"
#include "daemon/store/segment_store.hpp"
#include "daemon/store/status_report.hpp"
#include "daemon/store/store_error.hpp"
#include "daemon/store/webhook_inbox.hpp"

namespace musubi::store {

class RichMenuLinks;   // rich_menu_links.hpp
class Campaigns;       // campaigns.hpp
class FollowersImport; // followers_import.hpp

// A fact to record: something that happened, identified by a natural key so that seeing it
// again (a re-polled order, a redelivered webhook) records nothing new.
struct NewFact {
    std::string natural_key; // e.g. "rakuten:order:123456-20261122-0000000001:shipped"
    std::string kind;        // e.g. "order.shipped"
    std::optional<std::string> subject;
    std::int64_t occurred_at_ms = 0;
    std::string payload_json = "{}";
};

enum class Recorded { inserted, duplicate };

// A buyer as the store keeps them: keyed hashes only (see daemon/rakuten/buyer_key.hpp), and
// the given name for greetings. Empty strings are stored as NULL.
struct BuyerIdentity {
    std::string buyer_key; // empty: the order carries neither e-mail nor phone
    std::string email_hash;
    std::string phone_hash;
    std::string phone_last4_hash;
    std::string given_name;
};

struct OrderItem {
    std::string manage_number;
    std::string name;
    std::int64_t units = 0;
    std::int64_t price = 0;
};

struct Shipment {
    std::string carrier_code; // RMS deliveryCompany, e.g. "1001"
    std::string carrier_name;
    std::string tracking_number;
    std::string tracking_url; // empty when the carrier has no per-parcel page
};

// An order as one poll saw it. The store compares it with what it holds to derive facts.
struct OrderSnapshot {
    std::string source = "rakuten";
    std::string order_number;
    int progress = 0;
    std::optional<std::int64_t> total; // nullopt: not fixed yet
    std::int64_t ordered_at_ms = 0;
    std::optional<std::int64_t> shipped_at_ms;   // set once shipping completion is reported
    std::optional<std::int64_t> cancelled_at_ms; // set once the cancellation is fixed
    std::optional<Shipment> shipment;
    std::vector<OrderItem> items;
    BuyerIdentity buyer;
};

// Whether facts of a newly seen order may trigger scenarios. Backfilled orders (older than
// the backfill horizon) only build the customer picture: the order row keeps triggers = 0
// and its facts are recorded already processed (processed_at = recorded_at), so the engine
// never acts on them. The choice is made when the order is first stored and kept after.
enum class Triggers { yes, no };

struct AppliedOrder {
    bool new_order = false;
    std::vector<std::string> recorded; // natural keys of the facts recorded now
};

struct OrderToApply {
    OrderSnapshot snapshot;
    Triggers triggers = Triggers::yes;
};
using OrderResults = std::vector<tl::expected<AppliedOrder, StoreError>>;

struct StoreInfo {
    std::string backend;  // "sqlite"
    std::string location; // the file
    int schema_version = 0;
    int migrated_from = 0; // the version found when opening
};

class Store {
public:
    virtual ~Store() = default;

    virtual const StoreInfo& info() const = 0;

    virtual tl::expected<Recorded, StoreError> record_fact(const NewFact& fact) = 0;
    virtual tl::expected<std::int64_t, StoreError> count_facts(std::string_view kind) = 0;
    // Facts by kind, for metrics and status (one pass over the facts).
    virtual tl::expected<std::map<std::string, std::int64_t>, StoreError> facts_by_kind() = 0;

    // Upserts the buyer (by buyer key) and the order (by source and number), and records
    // each state change not recorded before as a fact ('<source>:order:<no>:placed',
    // ':shipped', ':cancelled'), all in one transaction. Seeing the same order again records
    // nothing new.
    virtual tl::expected<AppliedOrder, StoreError> apply_order(const OrderSnapshot& order,
                                                               Triggers triggers) = 0;
    // apply_order for each of `orders`, with one result per order in the same order. A backend
    // may do the batch in one transaction (far fewer commits while a big shop is read in),
    // but an order that fails must fail alone: the others are still applied.
    virtual OrderResults apply_orders(const std::vector<OrderToApply>& orders) {
        OrderResults results;
        results.reserve(orders.size());
        for (const auto& order : orders) {
            results.push_back(apply_order(order.snapshot, order.triggers));
        }
        return results;
    }
    // The natural keys of `keys` not recorded yet (pollers skip fetching what they know).
    virtual tl::expected<std::vector<std::string>, StoreError>
    missing_facts(const std::vector<std::string>& keys) = 0;

    // Pollers' positions, surviving restarts.
    virtual tl::expected<std::optional<std::string>, StoreError> cursor(std::string_view name) = 0;
    virtual tl::expected<void, StoreError> set_cursor(std::string_view name,
                                                      std::string_view value) = 0;

    // The parts of the store each worker uses, each over its own connection so that one
    // worker's reads never wait for another's writes. Owned by the store.
    virtual WebhookInbox& webhook_inbox() = 0;
    virtual Outbox& outbox() = 0;
    virtual Links& links() = 0;
    virtual Reviews& reviews() = 0;
    virtual FriendEvents& friend_events() = 0;
    virtual EngineStore& engine() = 0;
    virtual Operations& operations() = 0;
    virtual StatusReport& status_report() = 0;
    virtual Retention& retention() = 0;
    virtual SegmentStore& segments() = 0;
    virtual RichMenus& rich_menus() = 0;
    virtual RichMenuLinks& rich_menu_links() = 0;
    virtual Campaigns& campaigns() = 0;
    // webhook.forward: the forward worker's queue (rows added by webhook_inbox().receive()).
    virtual ForwardQueue& forward_queue() = 0;
    virtual FollowersImport& followers_import() = 0;
};

// Opens the configured store, creating it and applying migrations as needed.
// `clock` is the daemon's "now" for due times and expiry (the system clock unless the
// configuration follows the simulator's).
tl::expected<std::unique_ptr<Store>, StoreError>
open_store(const config::StoreConfig& config,
           std::shared_ptr<const clock::Clock> clock = std::make_shared<clock::SystemClock>());

} // namespace musubi::store
