#include "daemon/retention/purge.hpp"

#include <ostream>

#include <nlohmann/json.hpp>

#include "daemon/log/log.hpp"
#include "daemon/store/store.hpp"

namespace musubi::retention {

namespace {

const log::Logger& logger() {
    static const log::Logger instance("retention");
    return instance;
}

nlohmann::json counts_json(const store::PurgeCounts& counts) {
    return {{"orders", counts.orders},   {"facts", counts.facts},
            {"buyers", counts.buyers},   {"messages", counts.messages},
            {"friends", counts.friends}, {"webhook_bodies", counts.webhook_bodies},
            {"nonces", counts.nonces}};
}

// Retrying a failed purge soon is pointless (the store is in trouble) and waiting a whole
// interval is too long.
constexpr std::chrono::hours k_retry_after{1};

} // namespace

store::RetentionPolicy policy_of(const config::RetentionConfig& config) {
    store::RetentionPolicy policy;
    policy.orders_after = config.orders_after;
    policy.unlinked_after = config.unlinked_after;
    return policy;
}

RetentionWorker::RetentionWorker(store::Retention& retention,
                                 std::shared_ptr<const clock::Clock> clock)
    : m_retention(retention)
    , m_clock(std::move(clock)) {}

RetentionWorker::~RetentionWorker() {
    stop();
}

void RetentionWorker::start(const config::RetentionConfig& config) {
    {
        std::lock_guard lock(m_mutex);
        m_config = config;
    }
    if (!m_thread.joinable()) {
        m_thread = std::jthread([this](std::stop_token stop) { loop(stop); });
    }
}

void RetentionWorker::reload(const config::RetentionConfig& config) {
    {
        std::lock_guard lock(m_mutex);
        m_config = config;
        m_reloaded = true;
    }
    m_wake.notify_all();
}

void RetentionWorker::stop() {
    if (m_thread.joinable()) {
        m_thread.request_stop();
        m_wake.notify_all();
        m_thread.join();
    }
}

std::int64_t RetentionWorker::runs() const {
    std::lock_guard lock(m_mutex);
    return m_runs;
}

tl::expected<store::PurgeCounts, store::StoreError> RetentionWorker::run_once() {
    store::RetentionPolicy policy;
    {
        std::lock_guard lock(m_mutex);
        policy = policy_of(m_config);
    }
    auto counts = m_retention.purge(policy, store::PurgeMode::apply);
    {
        std::lock_guard lock(m_mutex);
        ++m_runs;
    }
    if (!counts) {
        logger().error("retention.store_error",
                       {{"error", counts.error().message},
                        {"action", "purging again in an hour; what was purged stays purged"}});
        return counts;
    }
    const auto& c = *counts;
    const std::initializer_list<log::Field> fields = {
        {"orders", c.orders},     {"facts", c.facts},     {"buyers", c.buyers},
        {"messages", c.messages}, {"friends", c.friends}, {"webhook_bodies", c.webhook_bodies},
        {"nonces", c.nonces}};
    if (c.empty()) {
        logger().debug("retention.purged", fields);
    } else {
        logger().info("retention.purged", fields);
    }
    return counts;
}

std::int64_t next_purge_at(std::optional<std::int64_t> last_run_ms, bool last_failed,
                           std::int64_t started_ms, const config::RetentionConfig& config) {
    if (!last_run_ms) {
        return started_ms +
               std::chrono::duration_cast<std::chrono::milliseconds>(k_first_purge_after).count();
    }
    const auto wait = last_failed
                          ? std::min<std::chrono::milliseconds>(config.interval, k_retry_after)
                          : std::chrono::milliseconds(config.interval);
    return *last_run_ms + wait.count();
}

void RetentionWorker::loop(std::stop_token stop) {
    // The next purge is due at a moment on musubi's clock, counted from the last purge: a
    // reload (a SIGHUP, maybe daily from log rotation) changes the interval but does not
    // start it again, or a daily purge could be put off for ever.
    const std::int64_t started_ms = m_clock->now_ms();
    std::optional<std::int64_t> last_run_ms;
    bool last_failed = false;
    while (true) {
        {
            std::unique_lock lock(m_mutex);
            const auto due_ms = next_purge_at(last_run_ms, last_failed, started_ms, m_config);
            const auto left =
                std::chrono::milliseconds(std::max<std::int64_t>(due_ms - m_clock->now_ms(), 0));
            const bool reloaded = m_wake.wait_for(lock, stop, clock::real_time(*m_clock, left),
                                                  [this] { return m_reloaded; });
            if (stop.stop_requested()) {
                return;
            }
            m_reloaded = false;
            if (reloaded || m_clock->now_ms() < due_ms) {
                continue; // the periods apply to the next run; or woken a little early
            }
        }
        const auto ran_at = m_clock->now_ms();
        last_failed = !run_once();
        last_run_ms = ran_at;
    }
}

int purge_command(const config::Config& config, const std::vector<std::string>& words, bool json,
                  std::ostream& out, std::ostream& err) {
    const bool dry_run = words.size() == 2 && words[1] == "--dry-run";
    if (words.empty() || words[0] != "purge" || (words.size() == 2 && !dry_run) ||
        words.size() > 2) {
        err << "usage: musubictl purge [--dry-run]\n";
        return 2;
    }
    const auto clock = clock::make_clock(config.clock.follow);
    auto store = store::open_store(config.store, clock);
    if (!store) {
        err << "musubictl: " << store.error().to_string() << "\n";
        return 4;
    }
    auto counts = (*store)->retention().purge(policy_of(config.retention),
                                              dry_run ? store::PurgeMode::count_only
                                                      : store::PurgeMode::apply);
    if (!counts) {
        err << "musubictl: the purge failed: " << counts.error().to_string()
            << "; what was purged before the failure stays purged, run it again\n";
        return 4;
    }
    if (json) {
        auto doc = counts_json(*counts);
        doc["dry_run"] = dry_run;
        out << doc.dump() << "\n";
        return 0;
    }
    const auto& c = *counts;
    out << (dry_run ? "would purge (nothing was changed):\n" : "purged:\n")
        << "  orders (items, tracking numbers)   " << c.orders << "\n"
        << "  facts (order details, chat texts)  " << c.facts << "\n"
        << "  buyers (names, hashes)             " << c.buyers << "\n"
        << "  messages (sent texts)              " << c.messages << "\n"
        << "  unlinked friends                   " << c.friends << "\n"
        << "  webhook bodies                     " << c.webhook_bodies << "\n"
        << "  account-link nonces                " << c.nonces << "\n"
        << "orders older than " << config::format_duration(config.retention.orders_after)
        << ", links ended more than " << config::format_duration(config.retention.unlinked_after)
        << " ago, chat data older than " << config::format_duration(store::k_chat_retention)
        << "; counts are kept\n";
    return 0;
}

} // namespace musubi::retention
