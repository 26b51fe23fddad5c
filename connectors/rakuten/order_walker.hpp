#pragma once
// Finds every order of a time range, however large, within searchOrder's limits: windows of
// at most 62 days (a day's margin on RMS's 63, whose counting is not published), pages of
// 1000, and a window that reports 15,000 hits or more (RMS cannot page past the 15,000th, and
// may stop counting there) split in half until each part fits. A single second that still
// reports 15,000 or more cannot be split: its first 15,000 are read and the rest is reported
// as a problem, never dropped silently. Then reads the orders with getOrder, 100 at a time.

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <tl/expected.hpp>

#include "connectors/rakuten/order.hpp"
#include "connectors/rakuten/rms_client.hpp"

namespace musubi::rakuten {

inline constexpr std::chrono::days k_max_window{62};
inline constexpr std::chrono::days k_max_start_age{730};
inline constexpr std::int64_t k_max_fetchable_hits = 15000;
// Our clock and RMS's differ by an unknown amount; keep clear of the 730-day edge by this.
inline constexpr std::chrono::hours k_start_age_margin{1};

// [start, end], both inclusive, to the second.
using Window = std::pair<TimePoint, TimePoint>;

// Splits [from, to] into consecutive windows no longer than 62 days (end − start ≤ 62 days
// − 1 s, so the next window starts one second after the previous one ends).
std::vector<Window> split_into_windows(TimePoint from, TimePoint to);

struct OrderNumberRequest {
    DateType date_type = DateType::order;
    TimePoint from{};
    TimePoint to{};
    std::vector<int> progress; // empty = any
    // "Now" by which the 730-day rule is judged; default: the system clock.
    std::optional<TimePoint> now;
};

struct OrderNumbers {
    std::vector<std::string> order_numbers; // each once, windows in time order
    TimePoint searched_from{};              // `from`, or later when clamped
    bool clamped = false;                   // `from` was older than RMS lets us search
    int windows = 0;                        // windows searched (after splitting)
    int splits = 0;                         // windows split for having 15,000 hits or more
    // Seconds with more hits than RMS can list: what was missed, for the operator.
    std::vector<std::string> problems;
};

// Every order number whose `date_type` datetime is in [from, to]. A `from` older than 730
// days (less a margin) is clamped to the oldest searchable time and `clamped` is set; a range
// entirely older than that gives no numbers. Stops at the first error (after the client's
// retries).
tl::expected<OrderNumbers, Error> fetch_order_numbers(RmsClient& client,
                                                      const OrderNumberRequest& request);

// getOrder in batches of 100. A batch whose answer is unreadable becomes one problem per
// order of that batch and the other batches go on; any other error stops and is returned.
tl::expected<GetOrderResult, Error> get_orders(RmsClient& client,
                                               const std::vector<std::string>& order_numbers);

} // namespace musubi::rakuten
