#include "daemon/rakuten/order_fetcher.hpp"

#include <algorithm>
#include <chrono>

namespace musubi::rakuten_poller {

OrderFetcher::OrderFetcher(store::Store& store)
    : m_store(store) {}

void OrderFetcher::reload(PollerOptions options) {
    std::lock_guard lock(m_mutex);
    m_options = std::move(options);
}

void OrderFetcher::stop() {
    m_stop.request_stop();
}

void OrderFetcher::fetch_if_unknown(std::string_view order_number) {
    const std::string number(order_number);
    std::lock_guard lock(m_mutex);
    if (!m_options || !m_options->rakuten.enabled || m_stop.stop_requested()) {
        return;
    }
    auto missing = m_store.missing_facts({"rakuten:order:" + number + ":placed"});
    if (!missing || missing->empty()) {
        return; // known (or the store cannot say: linking then answers from what it has)
    }
    const auto& options = *m_options;
    rakuten::ClientOptions client_options{options.rakuten.base_url, options.rakuten.timeout,
                                          options.rakuten.request_interval, options.retry};
    // One short try: a friend is waiting for the answer, and the next poll catches up.
    client_options.retry.attempts = 1;
    client_options.timeout =
        std::min<std::chrono::milliseconds>(client_options.timeout, std::chrono::seconds(5));
    rakuten::RmsClient client(
        client_options,
        {options.rakuten.service_secret.reveal(), options.rakuten.license_key.reveal()},
        m_stop.get_token());
    OrderSync sync(m_store, options, client, m_logger);
    auto found = sync.fetch(number);
    if (!found) {
        m_logger.warn("order.fetch_failed", {{"order", number},
                                             {"error", found.error().message},
                                             {"action", "linking answers from what is stored"}});
        return;
    }
    m_logger.info("order.fetched", {{"order", number}, {"found", *found}});
}

} // namespace musubi::rakuten_poller
