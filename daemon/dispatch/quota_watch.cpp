#include "daemon/dispatch/quota_watch.hpp"

namespace musubi::dispatch {

QuotaWatch::~QuotaWatch() {
    stop();
}

void QuotaWatch::start(const DispatcherOptions& options) {
    auto client = std::make_shared<line::MessagingClient>(options.client, options.token);
    std::lock_guard lock(m_mutex);
    m_client = std::move(client);
    m_interval = options.quota_check_interval;
    m_restart = true;
    if (!m_thread.joinable()) {
        m_stopping = false;
        m_thread = std::thread([this] { loop(); });
    }
    m_cv.notify_all();
}

void QuotaWatch::stop() {
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_cv.notify_all();
    if (m_thread.joinable()) {
        m_thread.join();
    }
}

std::optional<QuotaReading> QuotaWatch::latest() const {
    std::lock_guard lock(m_mutex);
    return m_latest;
}

void QuotaWatch::loop() {
    std::unique_lock lock(m_mutex);
    while (!m_stopping) {
        m_restart = false;
        auto client = m_client;
        lock.unlock();
        read(*client);
        lock.lock();
        m_cv.wait_for(lock, m_interval, [this] { return m_stopping || m_restart; });
    }
}

void QuotaWatch::read(line::MessagingClient& client) {
    auto quota = client.quota();
    tl::expected<long, line::ApiResult> used = tl::unexpected(line::ApiResult{});
    if (quota) {
        used = client.quota_consumption();
    }
    if (!quota || !used) {
        const line::ApiResult& error = quota ? used.error() : quota.error();
        std::lock_guard lock(m_mutex);
        if (!m_failing) {
            m_logger.warn("quota.unknown", {{"status", error.status}, {"error", error.message}});
        }
        m_failing = true;
        return;
    }
    QuotaReading reading;
    if (quota->limited) {
        reading.limit = quota->value;
    }
    reading.used = *used;
    std::lock_guard lock(m_mutex);
    m_failing = false;
    m_latest = reading;
}

} // namespace musubi::dispatch
