#pragma once
// How an order moves through RMS's progress codes: 100 → 300 (confirmed and fixed: money
// stops reading -9999) → 500 (shipped: ShippingModelList and shippingCmplRptDatetime) →
// 600 → 700 (payment fixed), or to 900 (cancelled, with ChangeReasonModelList). Used by the
// automatic lifecycle and by the control routes that move an order by hand. These change the
// order only; callers go through OrderStore::update so the date indexes follow.

#include <optional>
#include <string>

#include "order.hpp"

namespace musubi::sim::rakuten {

void confirm_order(Order& order, EpochSeconds at);
void ship_order(Order& order, EpochSeconds at, const std::string& delivery_company,
                const std::string& shipping_number, std::int64_t shipping_detail_id);
void start_payment(Order& order, EpochSeconds at);
void finish_payment(Order& order, EpochSeconds at);
void request_cancel(Order& order, EpochSeconds at);
void cancel_order(Order& order, EpochSeconds at);

// Applies every step of `order.plan` due at or before `now`, in time order.
// `next_shipping_detail_id` is consumed when the order ships.
void apply_due_steps(Order& order, EpochSeconds now, std::int64_t& next_shipping_detail_id);
// When the next planned step is due, if any.
std::optional<EpochSeconds> next_step_at(const Order& order);

// Moves an order to `progress` by hand, passing through the steps on the way (a 500 is
// confirmed first, then shipped). Turns the automatic lifecycle off for this order.
// Returns false for a move RMS would not make (e.g. back from a shipped order to 100).
bool move_order_to(Order& order, int progress, EpochSeconds at, const std::string& delivery_company,
                   const std::string& shipping_number, std::int64_t& next_shipping_detail_id);

} // namespace musubi::sim::rakuten
