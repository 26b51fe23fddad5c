#pragma once
// The retention purge (what it drops and keeps: daemon/store/retention.hpp), run by musubid on
// a schedule and by `musubictl purge [--dry-run]` on command.
//
// In musubid: construct with the store's retention part and the daemon's clock, start() after
// the store is open, reload() with a new configuration, stop() (or destroy) on the way down.
// The first purge runs k_first_purge_after (clock time) after start, then every
// retention.interval. Each run logs
//   retention.purged orders=… facts=… buyers=… messages=… friends=… webhook_bodies=… nonces=…
// (counts only, never a personal value); a run that purged nothing logs at debug.

#include <chrono>
#include <condition_variable>
#include <iosfwd>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include <tl/expected.hpp>

#include "daemon/clock/clock.hpp"
#include "daemon/config/config.hpp"
#include "daemon/store/retention.hpp"

namespace musubi::retention {

inline constexpr std::chrono::minutes k_first_purge_after{1};

store::RetentionPolicy policy_of(const config::RetentionConfig& config);

// When the worker purges next, on musubi's clock: a minute after it started, then an
// `interval` after the last purge (at most an hour after one that failed).
std::int64_t next_purge_at(std::optional<std::int64_t> last_run_ms, bool last_failed,
                           std::int64_t started_ms, const config::RetentionConfig& config);

class RetentionWorker {
public:
    RetentionWorker(store::Retention& retention, std::shared_ptr<const clock::Clock> clock);
    ~RetentionWorker();
    RetentionWorker(const RetentionWorker&) = delete;
    RetentionWorker& operator=(const RetentionWorker&) = delete;

    void start(const config::RetentionConfig& config);
    // New periods apply from the next run; a new interval counts from the last run.
    void reload(const config::RetentionConfig& config);
    void stop();

    // One purge and its log line, synchronously (the thread's step; tests call it).
    tl::expected<store::PurgeCounts, store::StoreError> run_once();
    std::int64_t runs() const;

private:
    void loop(std::stop_token stop);

    store::Retention& m_retention;
    std::shared_ptr<const clock::Clock> m_clock;
    mutable std::mutex m_mutex;
    config::RetentionConfig m_config;
    bool m_reloaded = false;
    std::int64_t m_runs = 0;
    std::condition_variable_any m_wake;
    std::jthread m_thread;
};

// `musubictl purge [--dry-run]`: opens the configured store and purges now (or, with
// --dry-run, counts what a purge would drop and changes nothing). Exit status: 0 done,
// 2 usage, 4 the store could not be opened or failed.
int purge_command(const config::Config& config, const std::vector<std::string>& words, bool json,
                  std::ostream& out, std::ostream& err);

} // namespace musubi::retention
