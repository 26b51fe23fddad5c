#pragma once
// The generic EC feed worker: one thread that, every ecfeed.poll_interval,
//  - reads the shop site's feed (ecfeed.url): GET <url>?since=<cursor>, page after page while
//    the cursor line says `more`, each page applied (feed_apply.hpp) before its cursor is
//    stored ('ecfeed:since'), so a restart — even after SIGKILL — resumes at the last page
//    applied completely and re-reads at most one page (which records nothing twice);
//    transient failures are retried with backoff and jitter (feed_client.hpp);
//  - looks at the drop folder (ecfeed.drop_dir) and reads each *.jsonl put there, with the
//    review drop folder's rules (daemon/files/drop_folder.hpp): read → done/<file> (bad lines
//    listed in done/<file>.rejected.txt); unreadable → rejected/<file> with a .reason file;
//    the database failed → left in place and tried again.
// Bad lines are logged by line number, order number and reason and skipped; logs never hold a
// buyer's data.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>

#include <tl/expected.hpp>

#include "connectors/ecfeed/feed_client.hpp"
#include "daemon/clock/clock.hpp"
#include "daemon/clock/freshness.hpp"
#include "daemon/config/config.hpp"
#include "daemon/ecfeed/feed_apply.hpp"
#include "daemon/files/drop_folder.hpp"
#include "daemon/log/log.hpp"
#include "daemon/store/store.hpp"

namespace musubi::ecfeed_worker {

inline constexpr std::uintmax_t k_max_file_bytes = 64u * 1024 * 1024;
// Pages read in one poll at most; the rest waits for the next poll.
inline constexpr int k_max_pages_per_poll = 100;

struct WorkerOptions {
    config::EcfeedConfig ecfeed;
    std::string hashing_key;
    rakuten::RetryPolicy retry;
    // A dropped file is taken once it was seen unchanged at the previous scan or was last
    // modified longer ago than this (a file copied in whole).
    std::chrono::milliseconds settle{5000};
};

WorkerOptions worker_options(const config::Config& config);

struct PollCounts {
    int pages = 0;
    int lines = 0; // non-blank lines read
    ApplyCounts applied;
};

struct PollError {
    bool cancelled = false;
    bool refused = false; // the feed refused (4xx): retried at the next poll all the same
    std::string message;
};

struct ScanResult {
    int done = 0;
    int rejected = 0;
    int waiting = 0;
    ApplyCounts applied;
};

// One poll and one scan, synchronously (the thread calls them; tests too).
class FeedSync {
public:
    FeedSync(store::Store& store, const WorkerOptions& options, const log::Logger& logger);

    tl::expected<PollCounts, PollError> poll(ecfeed::FeedClient& client, std::int64_t now_ms);
    ScanResult scan(const std::filesystem::path& drop_dir, std::int64_t now_ms);

private:
    tl::expected<FeedApplier, std::string> applier(std::int64_t now_ms);
    void log_problems(const std::string& where, const std::vector<ecfeed::LineProblem>& problems);
    files::Outcome process(const std::filesystem::path& file, FeedApplier& applier,
                           ScanResult& result);
    files::Outcome reject(const std::filesystem::path& file, const std::string& reason,
                          const std::string& reason_ja);

    store::Store& m_store;
    const WorkerOptions& m_options;
    const log::Logger& m_logger;
    files::DropFolder m_folder;
};

class FeedWorker {
public:
    // `on_recorded` (may be empty) is called after facts were recorded, to wake the engine.
    explicit FeedWorker(store::Store& store, std::string logger_name = "ecfeed",
                        std::function<void()> on_recorded = {});
    ~FeedWorker();
    FeedWorker(const FeedWorker&) = delete;
    FeedWorker& operator=(const FeedWorker&) = delete;

    // Starts the thread (if needed) with these options; again later = a reload. With neither
    // ecfeed.url nor ecfeed.drop_dir set the thread idles.
    void reload(WorkerOptions options, std::shared_ptr<const clock::Clock> clock);
    // Stops and joins; a request in flight runs to its timeout, a backoff wait ends at once.
    void stop();

    std::int64_t polls() const { return m_polls.load(); }
    std::int64_t scans() const { return m_scans.load(); }
    // Seconds since the start of the last feed poll that succeeded (-1 before the first poll
    // of a configured URL).
    double lag_seconds() const { return m_freshness.lag_seconds(); }

private:
    void run(std::stop_token stop);
    void run_session(const WorkerOptions& options, const std::shared_ptr<const clock::Clock>& clock,
                     std::stop_token session);

    store::Store& m_store;
    log::Logger m_logger;
    std::function<void()> m_on_recorded;
    std::mutex m_mutex;
    std::condition_variable_any m_changed;
    std::optional<WorkerOptions> m_pending;
    std::shared_ptr<const clock::Clock> m_clock;
    std::stop_source m_session;
    std::atomic<std::int64_t> m_polls{0};
    std::atomic<std::int64_t> m_scans{0};
    clock::Freshness m_freshness;
    std::jthread m_thread;
};

} // namespace musubi::ecfeed_worker
