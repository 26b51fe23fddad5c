#include "daemon/rakuten/order_snapshot.hpp"

#include "daemon/rakuten/buyer_key.hpp"

namespace musubi::rakuten_poller {

namespace {

bool is_shipped(int progress) {
    return progress == rakuten::k_progress_shipped ||
           progress == rakuten::k_progress_payment_processing ||
           progress == rakuten::k_progress_payment_done;
}

std::optional<store::Shipment> shipment_of(const rakuten::Order& order, const Carriers& carriers) {
    for (const auto& package : order.packages) {
        for (const auto& shipping : package.shippings) {
            if (shipping.delivery_company.empty() && shipping.shipping_number.empty()) {
                continue;
            }
            store::Shipment shipment;
            shipment.carrier_code = shipping.delivery_company;
            const Carrier* carrier = carriers.find(shipping.delivery_company);
            shipment.carrier_name =
                carrier != nullptr ? carrier->name : shipping.delivery_company_name;
            shipment.tracking_number = shipping.shipping_number;
            shipment.tracking_url =
                carriers.tracking_url(shipping.delivery_company, shipping.shipping_number);
            return shipment;
        }
    }
    return std::nullopt;
}

std::int64_t cancelled_at(const rakuten::Order& order, std::int64_t now_ms) {
    for (const auto& reason : order.change_reasons) {
        if (reason.change_type != 1) {
            continue;
        }
        for (const auto& at : {reason.change_fix_datetime, reason.change_cmpl_datetime}) {
            if (at) {
                return to_ms(*at);
            }
        }
    }
    return now_ms;
}

} // namespace

std::int64_t to_ms(rakuten::TimePoint at) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(at.time_since_epoch()).count();
}

store::OrderSnapshot make_snapshot(const rakuten::Order& order, const Carriers& carriers,
                                   std::string_view hashing_key, std::int64_t now_ms) {
    store::OrderSnapshot snapshot;
    snapshot.source = "rakuten";
    snapshot.order_number = order.order_number;
    snapshot.progress = order.order_progress;
    snapshot.total = order.total_price;
    snapshot.ordered_at_ms = to_ms(order.order_datetime);
    if (is_shipped(order.order_progress)) {
        snapshot.shipped_at_ms =
            order.shipping_cmpl_rpt_datetime ? to_ms(*order.shipping_cmpl_rpt_datetime) : now_ms;
        snapshot.shipment = shipment_of(order, carriers);
    }
    if (order.order_progress == rakuten::k_progress_cancelled) {
        snapshot.cancelled_at_ms = cancelled_at(order, now_ms);
    }
    for (const auto& package : order.packages) {
        for (const auto& item : package.items) {
            snapshot.items.push_back({item.manage_number, item.item_name, item.units, item.price});
        }
    }
    snapshot.buyer = buyer_identity(order.orderer, hashing_key);
    return snapshot;
}

} // namespace musubi::rakuten_poller
