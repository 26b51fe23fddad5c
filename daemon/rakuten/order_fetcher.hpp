#pragma once
// Fetches one order from RMS on demand: a friend who links with an order placed a minute ago
// must not be told "unknown order" because the next poll has not come yet. Linking calls
// fetch_if_unknown() before it checks the order; an order the store knows costs one lookup.
//
// The fetch uses its own RMS client (the poller's belongs to the poller's thread), one at a
// time, with the poller's options (the same backfill horizon decides whether its facts may
// trigger scenarios). With RMS off it does nothing.

#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string_view>

#include "daemon/log/log.hpp"
#include "daemon/rakuten/order_poller.hpp"
#include "daemon/store/store.hpp"

namespace musubi::rakuten_poller {

class OrderFetcher {
public:
    explicit OrderFetcher(store::Store& store);

    void reload(PollerOptions options);
    // Ends a fetch in flight (shutting down).
    void stop();

    void fetch_if_unknown(std::string_view order_number);

private:
    store::Store& m_store;
    std::mutex m_mutex;
    std::optional<PollerOptions> m_options;
    std::stop_source m_stop;
    log::Logger m_logger{"rakuten"};
};

} // namespace musubi::rakuten_poller
