#include "lifecycle.hpp"

#include <algorithm>
#include <array>

namespace musubi::sim::rakuten {

void confirm_order(Order& order, EpochSeconds at) {
    order.progress = k_progress_awaiting_shipment;
    order.shop_order_cfm_datetime = at;
    order.order_fix_datetime = at;
    // A confirmed order of a card payment is released for shipping at once.
    order.shipping_inst_datetime = at;
    order.price_fixed = true;
}

void ship_order(Order& order, EpochSeconds at, const std::string& delivery_company,
                const std::string& shipping_number, std::int64_t shipping_detail_id) {
    if (!order.shop_order_cfm_datetime) {
        confirm_order(order, at);
    }
    order.progress = k_progress_shipped;
    if (!order.shipping_inst_datetime) {
        order.shipping_inst_datetime = at;
    }
    order.shipping_cmpl_rpt_datetime = at;
    order.shipments.push_back(Shipment{shipping_detail_id, delivery_company, shipping_number, at});
    order.plan.delivery_company = delivery_company;
}

void start_payment(Order& order, EpochSeconds) {
    order.progress = k_progress_payment_processing;
}

void finish_payment(Order& order, EpochSeconds at) {
    order.progress = k_progress_payment_done;
    order.payment_fix_datetime = at;
}

void request_cancel(Order& order, EpochSeconds at) {
    order.progress = k_progress_awaiting_cancel;
    order.cancel_requested_datetime = at;
}

void cancel_order(Order& order, EpochSeconds at) {
    if (!order.cancel_requested_datetime) {
        order.cancel_requested_datetime = at;
    }
    order.progress = k_progress_cancelled;
    order.cancel_fixed_datetime = at;
    // A cancelled order is settled at zero, so its money is fixed.
    order.price_fixed = true;
}

std::optional<EpochSeconds> next_step_at(const Order& order) {
    const LifecyclePlan& plan = order.plan;
    if (!plan.automatic) {
        return std::nullopt;
    }
    std::optional<EpochSeconds> next;
    for (const auto& at :
         {plan.confirm_at, plan.cancel_at, plan.ship_at, plan.payment_at, plan.paid_at}) {
        if (at && (!next || *at < *next)) {
            next = at;
        }
    }
    return next;
}

void apply_due_steps(Order& order, EpochSeconds now, std::int64_t& next_shipping_detail_id) {
    LifecyclePlan& plan = order.plan;
    while (plan.automatic) {
        auto due = next_step_at(order);
        if (!due || *due > now) {
            return;
        }
        EpochSeconds at = *due;
        if (plan.confirm_at == due) {
            plan.confirm_at.reset();
            if (order.progress == k_progress_awaiting_confirmation) {
                confirm_order(order, at);
            }
        } else if (plan.cancel_at == due) {
            plan.cancel_at.reset();
            if (order.progress < k_progress_shipped) {
                cancel_order(order, at);
            }
        } else if (plan.ship_at == due) {
            plan.ship_at.reset();
            if (order.progress == k_progress_awaiting_shipment) {
                ship_order(order, at, plan.delivery_company, plan.shipping_number,
                           next_shipping_detail_id++);
            }
        } else if (plan.payment_at == due) {
            plan.payment_at.reset();
            if (order.progress == k_progress_shipped) {
                start_payment(order, at);
            }
        } else {
            plan.paid_at.reset();
            if (order.progress == k_progress_payment_processing) {
                finish_payment(order, at);
            }
        }
    }
}

bool move_order_to(Order& order, int progress, EpochSeconds at, const std::string& delivery_company,
                   const std::string& shipping_number, std::int64_t& next_shipping_detail_id) {
    if (!is_progress_code(progress) || order.progress == k_progress_cancelled ||
        (progress < order.progress && progress != k_progress_cancelled &&
         progress != k_progress_awaiting_cancel)) {
        return false;
    }
    std::string planned_company = order.plan.delivery_company;
    order.plan = LifecyclePlan{};
    order.plan.delivery_company = planned_company;
    switch (progress) {
    case k_progress_awaiting_cancel:
        request_cancel(order, at);
        return true;
    case k_progress_cancelled:
        cancel_order(order, at);
        return true;
    case k_progress_rakuten_processing:
    case k_progress_awaiting_change:
        order.progress = progress;
        return true;
    default:
        break;
    }
    if (progress >= k_progress_awaiting_shipment && !order.shop_order_cfm_datetime) {
        confirm_order(order, at);
    }
    if (progress >= k_progress_shipped && order.shipments.empty()) {
        ship_order(order, at, delivery_company, shipping_number, next_shipping_detail_id++);
    }
    if (progress >= k_progress_payment_processing) {
        start_payment(order, at);
    }
    if (progress >= k_progress_payment_done) {
        finish_payment(order, at);
    }
    order.progress = progress;
    return true;
}

} // namespace musubi::sim::rakuten
