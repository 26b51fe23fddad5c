#pragma once
// Turns an RMS order into the store's OrderSnapshot: hashes instead of personal data, the
// carrier's name and tracking page from carriers.yaml, and the times of shipping and
// cancellation that the store derives facts from.

#include <cstdint>
#include <string_view>

#include "connectors/rakuten/order.hpp"
#include "daemon/rakuten/carriers.hpp"
#include "daemon/store/store.hpp"

namespace musubi::rakuten_poller {

// Shipped: progress 500–700 (shipping completion reported). Cancelled: progress 900 only;
// 800 is a request the shop may still refuse. `now_ms` dates a change RMS gives no time for.
store::OrderSnapshot make_snapshot(const rakuten::Order& order, const Carriers& carriers,
                                   std::string_view hashing_key, std::int64_t now_ms);

std::int64_t to_ms(rakuten::TimePoint at);

} // namespace musubi::rakuten_poller
