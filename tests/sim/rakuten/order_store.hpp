#pragma once
// All simulated orders and buyers, in memory, indexed so that searchOrder stays fast with
// 100,000+ orders: one ordered index per searchable date type (dateType 1..6) and a lookup
// by order number. Every change to a searchable date goes through the store so the indexes
// stay true. Not thread-safe: the service serialises access.

#include <array>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "order.hpp"

namespace musubi::sim::rakuten {

// searchOrder's dateType: 1 order, 2 order confirmed, 3 order fixed, 4 shipping date,
// 5 shipping completion reported, 6 payment fixed.
inline constexpr int k_date_type_count = 6;

class OrderStore {
public:
    std::uint32_t add_buyer(Buyer buyer);
    // Takes an order whose buyer exists and whose number is new; returns its index.
    std::uint32_t add_order(Order order);

    std::size_t order_count() const { return m_orders.size(); }
    std::size_t buyer_count() const { return m_buyers.size(); }
    const Order& order(std::uint32_t index) const { return m_orders[index]; }
    const Buyer& buyer(std::uint32_t id) const { return m_buyers[id]; }
    std::optional<std::uint32_t> find(const std::string& order_number) const;
    std::optional<std::uint32_t> find_buyer_by_phone(const std::string& digits) const;

    // Runs `change` on the order, then re-indexes its dates.
    template <typename Change>
    void update(std::uint32_t index, Change&& change) {
        unindex(index);
        change(m_orders[index]);
        index_dates(index);
    }

    // Indexes of orders whose `date_type` date lies in [from, to], in date order.
    std::vector<std::uint32_t> in_window(int date_type, EpochSeconds from, EpochSeconds to) const;

    void clear();

private:
    static std::optional<EpochSeconds> date_of(const Order& order, int date_type);
    void index_dates(std::uint32_t index);
    void unindex(std::uint32_t index);

    std::vector<Order> m_orders;
    std::vector<Buyer> m_buyers;
    std::unordered_map<std::string, std::uint32_t> m_by_number;
    std::unordered_map<std::string, std::uint32_t> m_buyer_by_phone;
    std::array<std::set<std::pair<EpochSeconds, std::uint32_t>>, k_date_type_count> m_by_date;
};

// The phone number with everything but digits removed.
std::string phone_digits(const std::string& phone);

} // namespace musubi::sim::rakuten
