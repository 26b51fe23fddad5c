#pragma once
// Turns parsed feed lines (connectors/ecfeed/feed_line.hpp) into what the store keeps, with
// the same facts and guarantees as Rakuten orders:
//  - every order becomes a store::OrderSnapshot of source "ecfeed" applied with
//    Store::apply_order, which records 'ecfeed:order:<no>:placed|shipped|cancelled' once each
//    however often the order is seen;
//  - buyers only as keyed hashes (daemon/rakuten/buyer_key.hpp, the same HMACs as RMS orders);
//  - reviews through Store::reviews(), as review.posted facts joined to their order by number
//    (also when the review comes first).
//
// Within one batch (a page or a file) orders are applied before shipments and cancellations,
// so their order inside the batch does not matter. A shipment or cancellation of an order
// neither in the batch nor in the store cannot be stored (its order's time, items and buyer are
// unknown): the line is reported as a problem and skipped.
//
// Backfill: orders placed before the horizon (fixed on the first start, cursor
// 'ecfeed:horizon') are stored with Triggers::no and never message anyone; reviews posted
// before it are not recorded (the review store's quiet rule knows only Rakuten's horizon).

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

#include "connectors/ecfeed/feed_line.hpp"
#include "daemon/log/log.hpp"
#include "daemon/store/store.hpp"

namespace musubi::ecfeed_worker {

inline constexpr const char* k_source = "ecfeed";
inline constexpr const char* k_cursor_since = "ecfeed:since";
inline constexpr const char* k_cursor_horizon = "ecfeed:horizon";

// The orders table's progress for feed orders (Rakuten's numbers for the same states).
inline constexpr int k_progress_placed = 100;
inline constexpr int k_progress_shipped = 500;
inline constexpr int k_progress_cancelled = 900;

store::OrderSnapshot order_snapshot(const ecfeed::OrderLine& order, std::string_view hashing_key);
void add_shipment(store::OrderSnapshot& snapshot, const ecfeed::ShipmentLine& shipment);
void add_cancellation(store::OrderSnapshot& snapshot, const ecfeed::CancellationLine& cancellation);
store::NewReview new_review(const ecfeed::ReviewLine& review);
// An order the store already holds, as a snapshot to add a shipment or cancellation to. The
// buyer is left empty: the store keeps the one it has.
store::OrderSnapshot stored_snapshot(const store::OrderView& order);

struct ApplyCounts {
    int orders = 0; // snapshots applied
    int placed = 0; // facts recorded now
    int shipped = 0;
    int cancelled = 0;
    int backfilled = 0;  // new orders placed before the horizon
    int reviews = 0;     // new reviews (each with its review.posted fact)
    int old_reviews = 0; // posted before the horizon: not recorded
    int skipped = 0;     // lines reported in `problems`
    int recorded() const { return placed + shipped + cancelled + reviews; }
};

struct ApplyResult {
    ApplyCounts counts;
    std::vector<ecfeed::LineProblem> problems;
    std::optional<std::string> store_error; // set: part of the batch was not stored; read it again
};

// The horizon in epoch ms: the stored one, or (first start) now − backfill_horizon, stored.
tl::expected<std::int64_t, store::StoreError> backfill_horizon(store::Store& store,
                                                               std::int64_t now_ms,
                                                               std::chrono::milliseconds backfill,
                                                               const log::Logger& logger);

class FeedApplier {
public:
    FeedApplier(store::Store& store, std::string hashing_key, std::int64_t horizon_ms)
        : m_store(store)
        , m_hashing_key(std::move(hashing_key))
        , m_horizon_ms(horizon_ms) {}

    ApplyResult apply(const std::vector<ecfeed::NumberedLine>& lines);

private:
    struct Pending;
    void apply_order(Pending& pending, ApplyResult& result);
    void apply_reviews(const std::vector<ecfeed::NumberedLine>& lines, ApplyResult& result);

    store::Store& m_store;
    std::string m_hashing_key;
    std::int64_t m_horizon_ms;
};

} // namespace musubi::ecfeed_worker
