#include "daemon/ecfeed/feed_worker.hpp"

#include <algorithm>
#include <fstream>
#include <system_error>
#include <vector>

namespace musubi::ecfeed_worker {

namespace {

namespace fs = std::filesystem;

// Problems beyond this many per page or file are summed up in one line.
constexpr int k_max_logged_problems = 20;

std::optional<std::string> read_text(const fs::path& file, std::uintmax_t size) {
    std::ifstream in(file, std::ios::binary);
    std::string text(size, '\0');
    in.read(text.data(), static_cast<std::streamsize>(size));
    if (!in) {
        return std::nullopt; // changed or gone meanwhile: looked at again next scan
    }
    return text;
}

std::string reason_text(const std::string& name, const std::string& reason,
                        const std::string& reason_ja) {
    return "このファイルは取り込めませんでした: " + name + "\n理由: " + reason_ja +
           "\n\nThis file was not imported: " + name + "\nReason: " + reason +
           "\n\n直したファイルを取り込みフォルダーに置き直すと取り込まれます（取り込み済みの"
           "注文やレビューは重複しません）。\nPut a corrected file into the drop folder again to "
           "import it (orders and reviews already imported are not duplicated).\n";
}

std::string rejected_lines_text(const std::string& name,
                                const std::vector<ecfeed::LineProblem>& problems) {
    std::string text = "# 取り込めなかった行 / lines not imported: " + name + "\n" +
                       "# 他の行は取り込み済みです / the other lines were imported\n";
    for (const auto& problem : problems) {
        text += "line " + std::to_string(problem.line) + ": ";
        if (!problem.order_number.empty()) {
            text += "order " + problem.order_number + ": ";
        }
        text += problem.reason + "\n";
    }
    return text;
}

void add(ApplyCounts& total, const ApplyCounts& more) {
    total.orders += more.orders;
    total.placed += more.placed;
    total.shipped += more.shipped;
    total.cancelled += more.cancelled;
    total.backfilled += more.backfilled;
    total.reviews += more.reviews;
    total.old_reviews += more.old_reviews;
    total.skipped += more.skipped;
}

} // namespace

WorkerOptions worker_options(const config::Config& config) {
    WorkerOptions options;
    options.ecfeed = config.ecfeed;
    options.hashing_key = config.privacy.hashing_key.reveal();
    return options;
}

FeedSync::FeedSync(store::Store& store, const WorkerOptions& options, const log::Logger& logger)
    : m_store(store)
    , m_options(options)
    , m_logger(logger)
    , m_folder(logger, files::DropFolderOptions{".jsonl", options.settle, "ecfeed.drop_dir"}) {}

tl::expected<FeedApplier, std::string> FeedSync::applier(std::int64_t now_ms) {
    auto horizon = backfill_horizon(m_store, now_ms, m_options.ecfeed.backfill_horizon, m_logger);
    if (!horizon) {
        return tl::unexpected(horizon.error().to_string());
    }
    return FeedApplier(m_store, m_options.hashing_key, *horizon);
}

void FeedSync::log_problems(const std::string& where,
                            const std::vector<ecfeed::LineProblem>& problems) {
    int logged = 0;
    for (const auto& problem : problems) {
        if (++logged > k_max_logged_problems) {
            m_logger.warn("line.skipped_more",
                          {{"from", where},
                           {"more", static_cast<int>(problems.size()) - k_max_logged_problems}});
            break;
        }
        // Order numbers are not personal data; the line's other contents may be.
        m_logger.warn("line.skipped", {{"from", where},
                                       {"line", problem.line},
                                       {"order", problem.order_number},
                                       {"reason", problem.reason}});
    }
}

tl::expected<PollCounts, PollError> FeedSync::poll(ecfeed::FeedClient& client,
                                                   std::int64_t now_ms) {
    auto applier_now = applier(now_ms);
    if (!applier_now) {
        return tl::unexpected(PollError{false, false, applier_now.error()});
    }
    auto since = m_store.cursor(k_cursor_since);
    if (!since) {
        return tl::unexpected(PollError{false, false, since.error().to_string()});
    }
    std::optional<std::string> cursor = *since;
    PollCounts counts;
    for (int page = 1; page <= k_max_pages_per_poll; ++page) {
        auto body = client.fetch(cursor);
        if (!body) {
            return tl::unexpected(PollError{body.error().kind == ecfeed::FetchErrorKind::cancelled,
                                            body.error().kind == ecfeed::FetchErrorKind::refused,
                                            body.error().message});
        }
        ++counts.pages;
        const auto parsed = ecfeed::parse_feed(*body);
        counts.lines += parsed.read;
        const std::string where = "page since=" + cursor.value_or("(start)");
        log_problems(where, parsed.problems);
        auto applied = applier_now->apply(parsed.lines);
        log_problems(where, applied.problems);
        applied.counts.skipped += static_cast<int>(parsed.problems.size());
        add(counts.applied, applied.counts);
        if (applied.store_error) {
            // The cursor stays: the page is read again and what was stored records nothing.
            return tl::unexpected(PollError{false, false, *applied.store_error});
        }
        if (!parsed.cursor) {
            if (parsed.read > 0) {
                m_logger.warn("page.no_cursor",
                              {{"from", where},
                               {"action", "the page did not end with a cursor line (cut short?); "
                                          "it is read again at the next poll"}});
            }
            break;
        }
        if (auto saved = m_store.set_cursor(k_cursor_since, parsed.cursor->next); !saved) {
            return tl::unexpected(PollError{false, false, saved.error().to_string()});
        }
        cursor = parsed.cursor->next;
        if (!parsed.cursor->more) {
            break;
        }
    }
    return counts;
}

ScanResult FeedSync::scan(const fs::path& drop_dir, std::int64_t now_ms) {
    ScanResult result;
    std::optional<FeedApplier> applier_now;
    const auto counts = m_folder.scan(drop_dir, [&](const fs::path& file) {
        if (!applier_now) {
            auto made = applier(now_ms);
            if (!made) {
                m_logger.error("store.failed",
                               {{"error", made.error()}, {"action", "retrying next scan"}});
                return files::Outcome::retry;
            }
            applier_now.emplace(std::move(*made));
        }
        return process(file, *applier_now, result);
    });
    result.done = counts.done;
    result.rejected = counts.rejected;
    result.waiting = counts.waiting;
    return result;
}

files::Outcome FeedSync::reject(const fs::path& file, const std::string& reason,
                                const std::string& reason_ja) {
    return m_folder.reject(file, reason, reason_text(file.filename().string(), reason, reason_ja));
}

files::Outcome FeedSync::process(const fs::path& file, FeedApplier& applier, ScanResult& result) {
    const std::string name = file.filename().string();
    std::error_code error;
    const auto size = fs::file_size(file, error);
    if (error) {
        return files::Outcome::retry;
    }
    if (size > k_max_file_bytes) {
        return reject(file,
                      "the file is larger than " + std::to_string(k_max_file_bytes / 1024 / 1024) +
                          " MiB; split it into smaller files",
                      "ファイルが " + std::to_string(k_max_file_bytes / 1024 / 1024) +
                          " MiB より大きいです。小さなファイルに分けてください");
    }
    const auto text = read_text(file, size);
    if (!text) {
        return files::Outcome::retry;
    }
    const auto parsed = ecfeed::parse_feed(*text);
    if (parsed.read == 0) {
        return reject(file, "the file is empty", "ファイルが空です");
    }
    if (parsed.lines.empty() && !parsed.problems.empty()) {
        const auto& first = parsed.problems.front();
        const std::string where = "line " + std::to_string(first.line) + ": " + first.reason;
        return reject(file, "no line could be read (first problem: " + where + ")",
                      "読める行がありませんでした（最初の問題: " + where + "）");
    }
    auto applied = applier.apply(parsed.lines);
    if (applied.store_error) {
        m_logger.error("file.store_failed", {{"file", name},
                                             {"error", *applied.store_error},
                                             {"action", "the file stays; retrying next scan"}});
        return files::Outcome::retry;
    }
    const auto target =
        m_folder.move_to_done(file, "make the folder writable by musubi; the file will be read "
                                    "again (nothing in it is recorded twice)");
    if (!target) {
        return files::Outcome::retry;
    }
    std::vector<ecfeed::LineProblem> problems = parsed.problems;
    problems.insert(problems.end(), applied.problems.begin(), applied.problems.end());
    std::sort(problems.begin(), problems.end(),
              [](const auto& a, const auto& b) { return a.line < b.line; });
    applied.counts.skipped += static_cast<int>(parsed.problems.size());
    if (!problems.empty()) {
        files::write_text(files::beside(*target, files::k_rejected_lines_suffix),
                          rejected_lines_text(name, problems));
        log_problems("file " + name, problems);
    }
    add(result.applied, applied.counts);
    m_logger.info("file.imported", {{"file", name},
                                    {"lines", parsed.read},
                                    {"placed", applied.counts.placed},
                                    {"shipped", applied.counts.shipped},
                                    {"cancelled", applied.counts.cancelled},
                                    {"backfilled", applied.counts.backfilled},
                                    {"reviews", applied.counts.reviews},
                                    {"old_reviews", applied.counts.old_reviews},
                                    {"skipped", applied.counts.skipped},
                                    {"moved_to", *target}});
    return files::Outcome::done;
}

FeedWorker::FeedWorker(store::Store& store, std::string logger_name,
                       std::function<void()> on_recorded)
    : m_store(store)
    , m_logger(std::move(logger_name))
    , m_on_recorded(std::move(on_recorded)) {}

FeedWorker::~FeedWorker() {
    stop();
}

void FeedWorker::reload(WorkerOptions options, std::shared_ptr<const clock::Clock> clock) {
    std::lock_guard lock(m_mutex);
    m_pending = std::move(options);
    m_clock = clock ? std::move(clock) : std::make_shared<clock::SystemClock>();
    m_session.request_stop();
    if (!m_thread.joinable()) {
        m_thread = std::jthread([this](std::stop_token stop) { run(stop); });
    }
    m_changed.notify_all();
}

void FeedWorker::stop() {
    if (m_thread.joinable()) {
        m_thread.request_stop();
        m_thread.join();
    }
}

void FeedWorker::run(std::stop_token stop) {
    while (!stop.stop_requested()) {
        WorkerOptions options;
        std::shared_ptr<const clock::Clock> clock;
        std::stop_source session;
        {
            std::unique_lock lock(m_mutex);
            if (!m_changed.wait(lock, stop, [this] { return m_pending.has_value(); })) {
                break;
            }
            options = std::move(*m_pending);
            m_pending.reset();
            clock = m_clock;
            m_session = std::stop_source();
            session = m_session;
        }
        if (!options.ecfeed.url && !options.ecfeed.drop_dir) {
            m_logger.info("feed.disabled", {{"keys", "ecfeed.url, ecfeed.drop_dir"}});
            continue;
        }
        // Stopping the thread also ends the session's waits.
        std::stop_callback forward(stop, [session]() mutable { session.request_stop(); });
        run_session(options, clock, session.get_token());
    }
}

void FeedWorker::run_session(const WorkerOptions& options,
                             const std::shared_ptr<const clock::Clock>& clock,
                             std::stop_token session) {
    std::optional<ecfeed::FeedClient> client;
    if (options.ecfeed.url) {
        client.emplace(ecfeed::ClientOptions{*options.ecfeed.url, options.ecfeed.token.reveal(),
                                             options.ecfeed.timeout, options.retry},
                       session);
        client->set_retry_observer([this](const ecfeed::RetryNotice& notice) {
            m_logger.warn(
                "feed.retry",
                {{"retry", notice.retry}, {"delay", notice.delay}, {"error", notice.cause}});
        });
    }
    // The URL's query is left out of the log: it may carry an access key.
    m_logger.info(
        "feed.started",
        {{"url", options.ecfeed.url ? options.ecfeed.url->substr(0, options.ecfeed.url->find('?'))
                                    : std::string("(none)")},
         {"drop_dir",
          options.ecfeed.drop_dir ? options.ecfeed.drop_dir->string() : std::string("(none)")},
         {"poll_interval", options.ecfeed.poll_interval}});
    FeedSync sync(m_store, options, m_logger);
    while (!session.stop_requested()) {
        int recorded = 0;
        if (client) {
            if (m_freshness.lag_seconds() < 0) {
                m_freshness.started();
            }
            const auto started = std::chrono::steady_clock::now();
            auto result = sync.poll(*client, clock->now_ms());
            ++m_polls;
            if (result) {
                m_freshness.succeeded(started);
                recorded += result->applied.recorded();
                m_logger.info("poll.done", {{"pages", result->pages},
                                            {"lines", result->lines},
                                            {"placed", result->applied.placed},
                                            {"shipped", result->applied.shipped},
                                            {"cancelled", result->applied.cancelled},
                                            {"backfilled", result->applied.backfilled},
                                            {"reviews", result->applied.reviews},
                                            {"old_reviews", result->applied.old_reviews},
                                            {"skipped", result->applied.skipped}});
            } else if (result.error().cancelled) {
                break;
            } else {
                m_logger.warn(
                    "poll.failed",
                    {{"error", result.error().message},
                     {"action", result.error().refused
                                    ? "check ecfeed.url and ecfeed.token; retrying at the next poll"
                                    : "retrying at the next poll from the stored cursor"},
                     {"next_in", options.ecfeed.poll_interval}});
            }
        }
        if (options.ecfeed.drop_dir) {
            const auto scanned = sync.scan(*options.ecfeed.drop_dir, clock->now_ms());
            ++m_scans;
            recorded += scanned.applied.recorded();
        }
        if (recorded > 0 && m_on_recorded) {
            m_on_recorded();
        }
        std::unique_lock lock(m_mutex);
        m_changed.wait_for(lock, session, clock::real_time(*clock, options.ecfeed.poll_interval),
                           [] { return false; });
    }
    m_logger.info("feed.stopped");
}

} // namespace musubi::ecfeed_worker
