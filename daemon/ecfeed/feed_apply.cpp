#include "daemon/ecfeed/feed_apply.hpp"

#include <map>

#include <nlohmann/json.hpp>

#include "daemon/rakuten/buyer_key.hpp"

namespace musubi::ecfeed_worker {

namespace {

std::vector<store::OrderItem> items_of(const std::string& items_json) {
    std::vector<store::OrderItem> items;
    const auto list = nlohmann::json::parse(items_json, nullptr, false);
    if (!list.is_array()) {
        return items;
    }
    for (const auto& item : list) {
        if (item.is_object()) {
            items.push_back({item.value("manageNumber", ""), item.value("name", ""),
                             item.value("units", std::int64_t{0}),
                             item.value("price", std::int64_t{0})});
        }
    }
    return items;
}

} // namespace

store::OrderSnapshot order_snapshot(const ecfeed::OrderLine& order, std::string_view hashing_key) {
    store::OrderSnapshot snapshot;
    snapshot.source = k_source;
    snapshot.order_number = order.order_number;
    snapshot.progress = k_progress_placed;
    snapshot.total = order.total;
    snapshot.ordered_at_ms = order.ordered_at_ms;
    for (const auto& item : order.items) {
        snapshot.items.push_back({item.sku, item.name, item.units, item.price});
    }
    // The same hashes as an RMS orderer's, so one person is one buyer across both shops.
    rakuten::Orderer orderer;
    orderer.email_address = order.buyer.email;
    orderer.phone_number1 = order.buyer.phone;
    orderer.first_name = order.buyer.given_name;
    snapshot.buyer = rakuten_poller::buyer_identity(orderer, hashing_key);
    return snapshot;
}

void add_shipment(store::OrderSnapshot& snapshot, const ecfeed::ShipmentLine& shipment) {
    snapshot.shipped_at_ms = shipment.shipped_at_ms;
    snapshot.shipment = store::Shipment{shipment.carrier_code, shipment.carrier,
                                        shipment.tracking_number, shipment.tracking_url};
    if (!snapshot.cancelled_at_ms) {
        snapshot.progress = k_progress_shipped;
    }
}

void add_cancellation(store::OrderSnapshot& snapshot,
                      const ecfeed::CancellationLine& cancellation) {
    snapshot.cancelled_at_ms = cancellation.cancelled_at_ms;
    snapshot.progress = k_progress_cancelled;
}

store::NewReview new_review(const ecfeed::ReviewLine& review) {
    store::NewReview row;
    row.order_number = review.order_number;
    row.review_type = review.about;
    if (review.about == "item") {
        row.item_id = review.sku;
        row.item_name = review.item_name;
    }
    row.rating = review.rating;
    row.posted_at_ms = review.posted_at_ms;
    return row;
}

store::OrderSnapshot stored_snapshot(const store::OrderView& order) {
    store::OrderSnapshot snapshot;
    snapshot.source = k_source;
    snapshot.order_number = order.number;
    snapshot.progress = k_progress_placed;
    snapshot.total = order.total;
    snapshot.ordered_at_ms = order.ordered_at_ms;
    snapshot.items = items_of(order.items_json);
    return snapshot;
}

tl::expected<std::int64_t, store::StoreError> backfill_horizon(store::Store& store,
                                                               std::int64_t now_ms,
                                                               std::chrono::milliseconds backfill,
                                                               const log::Logger& logger) {
    auto stored = store.cursor(k_cursor_horizon);
    if (!stored) {
        return tl::unexpected(stored.error());
    }
    if (*stored) {
        try {
            return std::stoll(**stored);
        } catch (const std::exception&) {
            logger.warn("cursor.unreadable",
                        {{"cursor", k_cursor_horizon}, {"action", "fixing a new horizon"}});
        }
    }
    const std::int64_t horizon = now_ms - backfill.count();
    if (auto saved = store.set_cursor(k_cursor_horizon, std::to_string(horizon)); !saved) {
        return tl::unexpected(saved.error());
    }
    logger.info("backfill.horizon", {{"horizon", ecfeed::format_timestamp_jst(horizon)},
                                     {"action", "older orders build the customer picture only"}});
    return horizon;
}

// What one batch says about one order.
struct FeedApplier::Pending {
    std::string order_number;
    std::optional<store::OrderSnapshot> order; // from an order line in the batch
    std::optional<ecfeed::ShipmentLine> shipment;
    std::optional<ecfeed::CancellationLine> cancellation;
    std::vector<int> change_lines; // shipment and cancellation lines, for problems
};

ApplyResult FeedApplier::apply(const std::vector<ecfeed::NumberedLine>& lines) {
    ApplyResult result;
    std::vector<Pending> pending;
    std::map<std::string, std::size_t> index;
    const auto pending_for = [&](const std::string& number) -> Pending& {
        auto [it, added] = index.try_emplace(number, pending.size());
        if (added) {
            pending.push_back(Pending{number, {}, {}, {}, {}});
        }
        return pending[it->second];
    };
    for (const auto& line : lines) {
        if (const auto* order = std::get_if<ecfeed::OrderLine>(&line.value)) {
            // A later line about the same order is its newer state.
            pending_for(order->order_number).order = order_snapshot(*order, m_hashing_key);
        } else if (const auto* shipment = std::get_if<ecfeed::ShipmentLine>(&line.value)) {
            auto& entry = pending_for(shipment->order_number);
            entry.shipment = *shipment;
            entry.change_lines.push_back(line.line);
        } else if (const auto* cancellation = std::get_if<ecfeed::CancellationLine>(&line.value)) {
            auto& entry = pending_for(cancellation->order_number);
            entry.cancellation = *cancellation;
            entry.change_lines.push_back(line.line);
        }
    }
    for (auto& entry : pending) {
        apply_order(entry, result);
    }
    apply_reviews(lines, result);
    return result;
}

void FeedApplier::apply_order(Pending& pending, ApplyResult& result) {
    std::optional<store::OrderSnapshot> snapshot = std::move(pending.order);
    if (!snapshot) {
        std::optional<store::OrderView> stored;
        auto read = m_store.engine().transaction(
            [&](store::EngineTx& tx) -> tl::expected<void, store::StoreError> {
                auto view = tx.order(pending.order_number);
                if (!view) {
                    return tl::unexpected(view.error());
                }
                stored = std::move(*view);
                return {};
            });
        if (!read) {
            result.store_error = read.error().to_string();
            return;
        }
        if (!stored) {
            for (const int line : pending.change_lines) {
                ++result.counts.skipped;
                result.problems.push_back(
                    {line, pending.order_number,
                     "the order is not known yet: its order line must come first (in this or an "
                     "earlier page or file)"});
            }
            return;
        }
        snapshot = stored_snapshot(*stored);
    }
    if (pending.shipment) {
        add_shipment(*snapshot, *pending.shipment);
    }
    if (pending.cancellation) {
        add_cancellation(*snapshot, *pending.cancellation);
    }
    const auto triggers =
        snapshot->ordered_at_ms >= m_horizon_ms ? store::Triggers::yes : store::Triggers::no;
    auto applied = m_store.apply_order(*snapshot, triggers);
    if (!applied) {
        result.store_error = applied.error().to_string();
        return;
    }
    ++result.counts.orders;
    if (applied->new_order && triggers == store::Triggers::no) {
        ++result.counts.backfilled;
    }
    for (const auto& key : applied->recorded) {
        if (key.ends_with(":placed")) {
            ++result.counts.placed;
        } else if (key.ends_with(":shipped")) {
            ++result.counts.shipped;
        } else if (key.ends_with(":cancelled")) {
            ++result.counts.cancelled;
        }
    }
}

void FeedApplier::apply_reviews(const std::vector<ecfeed::NumberedLine>& lines,
                                ApplyResult& result) {
    std::vector<store::NewReview> reviews;
    for (const auto& line : lines) {
        if (const auto* review = std::get_if<ecfeed::ReviewLine>(&line.value)) {
            if (review->posted_at_ms < m_horizon_ms) {
                ++result.counts.old_reviews;
                continue;
            }
            reviews.push_back(new_review(*review));
        }
    }
    if (reviews.empty()) {
        return;
    }
    auto imported = m_store.reviews().import(reviews);
    if (!imported) {
        result.store_error = imported.error().to_string();
        return;
    }
    result.counts.reviews += imported->inserted;
}

} // namespace musubi::ecfeed_worker
