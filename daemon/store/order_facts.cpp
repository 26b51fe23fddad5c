#include "daemon/store/order_facts.hpp"

#include <nlohmann/json.hpp>

namespace musubi::store {

namespace {

nlohmann::json base_payload(const OrderSnapshot& order, std::optional<std::int64_t> buyer_id) {
    nlohmann::json items = nlohmann::json::array();
    for (const auto& item : order.items) {
        items.push_back({{"manageNumber", item.manage_number},
                         {"name", item.name},
                         {"units", item.units},
                         {"price", item.price}});
    }
    return {{"source", order.source},
            {"order_number", order.order_number},
            {"progress", order.progress},
            {"total", order.total ? nlohmann::json(*order.total) : nlohmann::json(nullptr)},
            {"ordered_at", order.ordered_at_ms},
            {"items", std::move(items)},
            {"buyer_id", buyer_id ? nlohmann::json(*buyer_id) : nlohmann::json(nullptr)}};
}

NewFact make_fact(const OrderSnapshot& order, std::string_view change, std::int64_t at,
                  const nlohmann::json& payload) {
    return NewFact{order_fact_key(order, change), "order." + std::string(change),
                   order.order_number, at, payload.dump()};
}

} // namespace

std::string order_fact_key(const OrderSnapshot& order, std::string_view change) {
    return order.source + ":order:" + order.order_number + ":" + std::string(change);
}

std::vector<NewFact> derive_order_facts(const std::optional<StoredOrderState>& stored,
                                        const OrderSnapshot& order,
                                        std::optional<std::int64_t> buyer_id) {
    std::vector<NewFact> facts;
    const nlohmann::json payload = base_payload(order, buyer_id);
    if (!stored) {
        facts.push_back(make_fact(order, "placed", order.ordered_at_ms, payload));
    }
    const bool was_shipped = stored && stored->shipped;
    if (order.shipped_at_ms && !was_shipped) {
        nlohmann::json shipped = payload;
        if (order.shipment) {
            shipped["carrier"] = {{"code", order.shipment->carrier_code},
                                  {"name", order.shipment->carrier_name},
                                  {"tracking_number", order.shipment->tracking_number},
                                  {"tracking_url", order.shipment->tracking_url}};
        } else {
            shipped["carrier"] = nullptr;
        }
        facts.push_back(make_fact(order, "shipped", *order.shipped_at_ms, shipped));
    }
    const bool was_cancelled = stored && stored->cancelled;
    if (order.cancelled_at_ms && !was_cancelled) {
        facts.push_back(make_fact(order, "cancelled", *order.cancelled_at_ms, payload));
    }
    return facts;
}

} // namespace musubi::store
