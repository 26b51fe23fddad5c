#pragma once
// searchOrder and getOrder as RMS answers them (shared/platform/rakuten-rms.md): the request
// rules (dateType, `+0900` datetimes, 730-day start, 63-day window, 1000 per page, pages from
// 1, the 15,000-hit cap; ≤100 numbers and `version` for getOrder) and the exact answers,
// message codes and HTTP statuses. Authentication happens before these are called.

#include <string>

#include "../core/service.hpp"
#include "order_store.hpp"

namespace musubi::sim::rakuten {

// The most hits one searchOrder query can page through.
inline constexpr std::size_t k_search_hit_cap = 15000;
inline constexpr int k_max_records_per_page = 1000;
inline constexpr int k_default_records_per_page = 30;
inline constexpr EpochSeconds k_max_window = 63 * k_day;
inline constexpr EpochSeconds k_max_start_age = 730 * k_day;
inline constexpr std::size_t k_max_get_order_numbers = 100;

// `cap_total_records`: totalRecordsAmount and totalPages stop at 15,000 hits (limits.hpp).
Response search_order(const OrderStore& store, EpochSeconds now, const std::string& body,
                      bool cap_total_records = false);
// `colon_offset`: datetimes in the answer end "+09:00" (a mode; RMS writes "+0900").
Response get_order(const OrderStore& store, const std::string& body, bool colon_offset = false);

} // namespace musubi::sim::rakuten
