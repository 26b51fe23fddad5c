#pragma once
// Which facts an order snapshot adds to what the store already holds about the order. Kept
// apart from any backend so that SQLite and a later PostgreSQL store derive the same facts.
// Natural keys are '<source>:order:<number>:placed|shipped|cancelled'; the store's unique key
// on them is the second guard that makes each fact fire once.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "daemon/store/store.hpp"

namespace musubi::store {

// What the store holds about an order before a snapshot is applied.
struct StoredOrderState {
    bool shipped = false;
    bool cancelled = false;
};

std::string order_fact_key(const OrderSnapshot& order, std::string_view change);

// The facts `order` adds to `stored` (nullopt: the order is new). `buyer_id` goes into the
// payloads (never personal data).
std::vector<NewFact> derive_order_facts(const std::optional<StoredOrderState>& stored,
                                        const OrderSnapshot& order,
                                        std::optional<std::int64_t> buyer_id);

} // namespace musubi::store
