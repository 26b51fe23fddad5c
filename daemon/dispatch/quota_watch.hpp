#pragma once
// Reads LINE's monthly message quota and what this month has used so far, every
// dispatch.quota_check_interval, for /metrics (musubi_quota_messages) and the status page.
// Its own thread and client: a slow answer from LINE must never hold up sending.

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "connectors/line/messaging_client.hpp"
#include "daemon/dispatch/dispatcher.hpp"
#include "daemon/log/log.hpp"

namespace musubi::dispatch {

struct QuotaReading {
    std::optional<std::int64_t> limit; // nullopt: no monthly limit (LINE says "none")
    std::int64_t used = 0;
};

class QuotaWatch {
public:
    QuotaWatch() = default;
    ~QuotaWatch();
    QuotaWatch(const QuotaWatch&) = delete;
    QuotaWatch& operator=(const QuotaWatch&) = delete;

    // Reads at once, then every options.quota_check_interval. start() again applies new
    // settings (a reload) and reads at once.
    void start(const DispatcherOptions& options);
    void stop();

    // nullopt until LINE has answered once.
    std::optional<QuotaReading> latest() const;

private:
    void loop();
    void read(line::MessagingClient& client);

    mutable std::mutex m_mutex;
    std::condition_variable m_cv;
    std::shared_ptr<line::MessagingClient> m_client;
    std::chrono::milliseconds m_interval{};
    bool m_restart = false;
    bool m_stopping = false;
    std::optional<QuotaReading> m_latest;
    bool m_failing = false; // the last read failed (logged once, not on every try)
    std::thread m_thread;
    log::Logger m_logger{"dispatch"};
};

} // namespace musubi::dispatch
