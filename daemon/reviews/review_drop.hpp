#pragma once
// The review drop folder (reviews.drop_dir): a thread that looks at the folder every
// reviews.scan_interval and imports each *.csv put there (import_review_file), then moves it:
//   - read (even when some rows were rejected) → done/<file>; rejected rows are listed by line
//     and reason in done/<file>.rejected.txt (no row contents: they hold reviewers' text);
//   - unreadable (wrong header, not CP932/UTF-8, empty) → rejected/<file> with
//     rejected/<file>.reason saying why in Japanese and English;
//   - the database failed → left where it is and tried again at the next scan.
// Nothing is deleted or overwritten: a name already taken in done/ or rejected/ gets "-2",
// "-3", … before its extension.
//
// A file still being written is left alone: it is taken once it was seen with the same size
// and modification time at the previous scan, or when it was last modified more than
// k_settle ago (an export copied in whole). Files ending in .part and hidden files are
// ignored. The folder mechanics are daemon/files/drop_folder.hpp's. Logs name the file and the
// counts only, never a reviewer's data.

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

#include "daemon/clock/clock.hpp"
#include "daemon/config/config.hpp"
#include "daemon/files/drop_folder.hpp"
#include "daemon/log/log.hpp"
#include "daemon/reviews/review_import.hpp"
#include "daemon/store/reviews.hpp"

namespace musubi::reviews {

inline constexpr std::chrono::seconds k_settle{5};

// What one look at the folder did.
struct ScanResult {
    int done = 0;     // files imported and moved to done/
    int rejected = 0; // files moved to rejected/
    int waiting = 0;  // files left for a later scan (still being written, or the store failed)
    int imported = 0; // new reviews over all files
};

class ReviewDrop {
public:
    // `on_recorded` (may be empty) is called after a file added new review.posted facts, so
    // the engine can wake up instead of waiting for its own next look.
    explicit ReviewDrop(store::Reviews& reviews, std::string logger_name = "reviews",
                        std::function<void()> on_recorded = {});
    ~ReviewDrop();
    ReviewDrop(const ReviewDrop&) = delete;
    ReviewDrop& operator=(const ReviewDrop&) = delete;

    // Starts the thread (if needed) with this configuration; again later = a reload. `clock`
    // paces the scans (the simulator's clock in tests and the demo).
    void reload(config::ReviewsConfig config, std::shared_ptr<const clock::Clock> clock);
    // Stops and joins; a file being imported is finished first.
    void stop();

    // One look at `drop_dir` (the thread calls it; tests and tools may too, but not while the
    // thread runs).
    ScanResult scan(const std::filesystem::path& drop_dir);

    std::int64_t scans() const { return m_scans.load(); }
    std::int64_t files_done() const { return m_files_done.load(); }
    std::int64_t files_rejected() const { return m_files_rejected.load(); }

private:
    void run(std::stop_token stop);
    files::Outcome process(const std::filesystem::path& file, ScanResult& result);

    store::Reviews& m_reviews;
    log::Logger m_logger;
    files::DropFolder m_folder;
    std::function<void()> m_on_recorded;
    std::mutex m_mutex;
    std::condition_variable_any m_changed;
    std::optional<config::ReviewsConfig> m_config;
    std::shared_ptr<const clock::Clock> m_clock;
    std::uint64_t m_generation = 0; // bumped by reload() so the thread picks up the change
    std::atomic<std::int64_t> m_scans{0};
    std::atomic<std::int64_t> m_files_done{0};
    std::atomic<std::int64_t> m_files_rejected{0};
    std::jthread m_thread;
};

} // namespace musubi::reviews
