#include "connectors/rakuten/order_walker.hpp"

#include <algorithm>
#include <span>
#include <unordered_set>

namespace musubi::rakuten {

namespace {

constexpr std::chrono::seconds k_second{1};

class Walker {
public:
    Walker(RmsClient& client, const OrderNumberRequest& request, OrderNumbers& result)
        : m_client(client)
        , m_request(request)
        , m_result(result) {}

    tl::expected<void, Error> walk(Window window) {
        ++m_result.windows;
        const bool single_second = window.second <= window.first;
        std::vector<std::string> found;
        for (int page = 1;; ++page) {
            auto answer = m_client.search_order(
                SearchQuery{m_request.date_type, window.first, window.second, m_request.progress},
                page);
            if (!answer) {
                return tl::unexpected(std::move(answer.error()));
            }
            if (answer->total_records >= k_max_fetchable_hits) {
                if (!single_second) {
                    // Pages past the 15,000th hit cannot be read (and the total may be capped
                    // there): what this window gave so far is dropped and its halves searched.
                    return split(window);
                }
                if (page == 1) {
                    report_full_second(window.first, answer->total_records);
                }
            }
            found.insert(found.end(), answer->order_numbers.begin(), answer->order_numbers.end());
            if (answer->order_numbers.empty() || page >= answer->total_pages ||
                page >= k_max_fetchable_pages) {
                break;
            }
        }
        for (auto& number : found) {
            if (m_seen.insert(number).second) {
                m_result.order_numbers.push_back(std::move(number));
            }
        }
        return {};
    }

private:
    static constexpr int k_max_fetchable_pages =
        static_cast<int>(k_max_fetchable_hits / k_max_records_per_page);

    tl::expected<void, Error> split(Window window) {
        ++m_result.splits;
        --m_result.windows;
        const TimePoint middle = window.first + (window.second - window.first) / 2;
        if (auto first = walk({window.first, middle}); !first) {
            return first;
        }
        return walk({middle + k_second, window.second});
    }

    void report_full_second(TimePoint second, std::int64_t hits) {
        m_result.problems.push_back(
            "RMS searchOrder (dateType " + std::to_string(static_cast<int>(m_request.date_type)) +
            ") reports " + std::to_string(hits) + " orders at " + format_rms_datetime(second) +
            " alone; it lists at most 15,000 for one query and a second cannot be split, so the "
            "first 15,000 were read and any beyond them are missing");
    }

    RmsClient& m_client;
    const OrderNumberRequest& m_request;
    OrderNumbers& m_result;
    std::unordered_set<std::string> m_seen;
};

} // namespace

std::vector<Window> split_into_windows(TimePoint from, TimePoint to) {
    std::vector<Window> windows;
    const auto span = std::chrono::duration_cast<std::chrono::seconds>(k_max_window) - k_second;
    for (TimePoint start = from; start <= to;) {
        const TimePoint end = to - start > span ? start + span : to;
        windows.emplace_back(start, end);
        if (end == to) {
            break;
        }
        start = end + k_second;
    }
    return windows;
}

tl::expected<OrderNumbers, Error> fetch_order_numbers(RmsClient& client,
                                                      const OrderNumberRequest& request) {
    if (request.to < request.from) {
        return tl::unexpected(Error{ErrorKind::other,
                                    0,
                                    {},
                                    "order search from " + format_rms_datetime(request.from) +
                                        " to the earlier " + format_rms_datetime(request.to)});
    }
    const TimePoint now = request.now.value_or(
        std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now()));
    const TimePoint oldest = now - k_max_start_age + k_start_age_margin;
    OrderNumbers result;
    result.clamped = request.from < oldest;
    result.searched_from = std::max(request.from, oldest);
    if (request.to < result.searched_from) {
        return result;
    }
    Walker walker(client, request, result);
    for (const auto& window : split_into_windows(result.searched_from, request.to)) {
        if (auto walked = walker.walk(window); !walked) {
            return tl::unexpected(std::move(walked.error()));
        }
    }
    return result;
}

tl::expected<GetOrderResult, Error> get_orders(RmsClient& client,
                                               const std::vector<std::string>& order_numbers) {
    GetOrderResult result;
    for (std::size_t first = 0; first < order_numbers.size(); first += k_max_get_order_numbers) {
        const std::span<const std::string> batch(
            order_numbers.data() + first,
            std::min(k_max_get_order_numbers, order_numbers.size() - first));
        auto answer = client.get_order(batch);
        if (!answer && answer.error().kind == ErrorKind::malformed) {
            for (const auto& number : batch) {
                result.problems.push_back(
                    OrderProblem{number, "order " + number + ": " + answer.error().message});
            }
            continue;
        }
        if (!answer) {
            return tl::unexpected(std::move(answer.error()));
        }
        std::move(answer->orders.begin(), answer->orders.end(), std::back_inserter(result.orders));
        std::move(answer->problems.begin(), answer->problems.end(),
                  std::back_inserter(result.problems));
        std::move(answer->not_found.begin(), answer->not_found.end(),
                  std::back_inserter(result.not_found));
    }
    return result;
}

} // namespace musubi::rakuten
