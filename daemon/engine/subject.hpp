#pragma once
// Everything a scenario's conditions and templates can look at for one fact: the friend, the
// buyer behind them, and the order the fact is about (when it is about one).

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "daemon/config/scenario.hpp"
#include "daemon/store/engine_store.hpp"

namespace musubi::engine {

struct Subject {
    store::FriendView friend_view;
    std::optional<store::BuyerStats> buyer;
    std::optional<store::OrderView> order;
    std::int64_t now_ms = 0;
};

// Whether every condition holds. A condition on something unknown (an order field without an
// order, orders.* without a linked buyer) does not hold, except `ne`.
bool conditions_hold(const std::vector<config::Condition>& conditions, const Subject& subject);

} // namespace musubi::engine
