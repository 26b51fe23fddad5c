#include "order_store.hpp"

#include <limits>

namespace musubi::sim::rakuten {

std::string phone_digits(const std::string& phone) {
    std::string digits;
    for (char c : phone) {
        if (c >= '0' && c <= '9') {
            digits += c;
        }
    }
    return digits;
}

std::uint32_t OrderStore::add_buyer(Buyer buyer) {
    auto id = static_cast<std::uint32_t>(m_buyers.size());
    buyer.id = id;
    m_buyer_by_phone.emplace(phone_digits(buyer.phone()), id);
    m_buyers.push_back(std::move(buyer));
    return id;
}

std::uint32_t OrderStore::add_order(Order order) {
    auto index = static_cast<std::uint32_t>(m_orders.size());
    m_by_number.emplace(order.order_number, index);
    m_buyers[order.buyer].orders.push_back(index);
    m_orders.push_back(std::move(order));
    index_dates(index);
    return index;
}

std::optional<std::uint32_t> OrderStore::find(const std::string& order_number) const {
    auto it = m_by_number.find(order_number);
    if (it == m_by_number.end()) {
        return std::nullopt;
    }
    return it->second;
}

std::optional<std::uint32_t> OrderStore::find_buyer_by_phone(const std::string& digits) const {
    auto it = m_buyer_by_phone.find(digits);
    if (it == m_buyer_by_phone.end()) {
        return std::nullopt;
    }
    return it->second;
}

std::vector<std::uint32_t> OrderStore::in_window(int date_type, EpochSeconds from,
                                                 EpochSeconds to) const {
    std::vector<std::uint32_t> hits;
    if (date_type < 1 || date_type > k_date_type_count || to < from) {
        return hits;
    }
    const auto& index = m_by_date[std::size_t(date_type - 1)];
    auto end = index.upper_bound({to, std::numeric_limits<std::uint32_t>::max()});
    for (auto it = index.lower_bound({from, 0}); it != end; ++it) {
        hits.push_back(it->second);
    }
    return hits;
}

void OrderStore::clear() {
    m_orders.clear();
    m_buyers.clear();
    m_by_number.clear();
    m_buyer_by_phone.clear();
    for (auto& index : m_by_date) {
        index.clear();
    }
}

std::optional<EpochSeconds> OrderStore::date_of(const Order& order, int date_type) {
    switch (date_type) {
    case 1:
        return order.order_datetime;
    case 2:
        return order.shop_order_cfm_datetime;
    case 3:
        return order.order_fix_datetime;
    case 4:
        // The shipping date is a calendar day, indexed at its JST midnight.
        if (order.shipments.empty()) {
            return std::nullopt;
        }
        return jst_day_start(order.shipments.front().shipping_date);
    case 5:
        return order.shipping_cmpl_rpt_datetime;
    case 6:
        return order.payment_fix_datetime;
    default:
        return std::nullopt;
    }
}

void OrderStore::index_dates(std::uint32_t index) {
    for (int type = 1; type <= k_date_type_count; ++type) {
        if (auto at = date_of(m_orders[index], type)) {
            m_by_date[std::size_t(type - 1)].emplace(*at, index);
        }
    }
}

void OrderStore::unindex(std::uint32_t index) {
    for (int type = 1; type <= k_date_type_count; ++type) {
        if (auto at = date_of(m_orders[index], type)) {
            m_by_date[std::size_t(type - 1)].erase({*at, index});
        }
    }
}

} // namespace musubi::sim::rakuten
