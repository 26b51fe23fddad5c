#include "daemon/reviews/review_drop.hpp"

namespace musubi::reviews {

namespace {

namespace fs = std::filesystem;

// Problems beyond this many are summed up in one log line (the .rejected.txt has them all).
constexpr int k_max_logged_problems = 20;

std::string reason_text(const std::string& name, const FileFailure& failure) {
    return "このファイルは取り込めませんでした: " + name + "\n理由: " + failure.message_ja +
           "\n\nThis file was not imported: " + name + "\nReason: " + failure.message +
           "\n\n直したファイルを取り込みフォルダーに置き直すと取り込まれます（取り込み済みの"
           "レビューは重複しません）。\nPut a corrected file into the drop folder again to "
           "import it (reviews already imported are not duplicated).\n";
}

std::string rejected_rows_text(const std::string& name, const FileImport& imported) {
    std::string text = "# 取り込めなかった行 / rows not imported: " + name + "\n" +
                       "# 他の行は取り込み済みです / the other rows were imported\n";
    for (const auto& problem : imported.problems) {
        text += "line " + std::to_string(problem.line) + ": " + problem.reason + "\n  " +
                std::to_string(problem.line) + "行目: " + problem.reason_ja + "\n";
    }
    return text;
}

} // namespace

ReviewDrop::ReviewDrop(store::Reviews& reviews, std::string logger_name,
                       std::function<void()> on_recorded)
    : m_reviews(reviews)
    , m_logger(std::move(logger_name))
    , m_folder(m_logger, files::DropFolderOptions{".csv", k_settle, "reviews.drop_dir"})
    , m_on_recorded(std::move(on_recorded)) {}

ReviewDrop::~ReviewDrop() {
    stop();
}

void ReviewDrop::reload(config::ReviewsConfig config, std::shared_ptr<const clock::Clock> clock) {
    std::lock_guard lock(m_mutex);
    m_config = std::move(config);
    m_clock = clock ? std::move(clock) : std::make_shared<clock::SystemClock>();
    ++m_generation;
    if (!m_thread.joinable()) {
        m_thread = std::jthread([this](std::stop_token stop) { run(stop); });
    }
    m_changed.notify_all();
}

void ReviewDrop::stop() {
    if (m_thread.joinable()) {
        m_thread.request_stop();
        m_thread.join();
    }
}

void ReviewDrop::run(std::stop_token stop) {
    fs::path logged_dir;
    while (!stop.stop_requested()) {
        config::ReviewsConfig config;
        std::shared_ptr<const clock::Clock> clock;
        std::uint64_t generation = 0;
        {
            std::unique_lock lock(m_mutex);
            if (!m_changed.wait(lock, stop, [this] { return m_config.has_value(); })) {
                break;
            }
            config = *m_config;
            clock = m_clock;
            generation = m_generation;
        }
        if (config.drop_dir != logged_dir) {
            logged_dir = config.drop_dir;
            m_logger.info("drop.watching",
                          {{"folder", config.drop_dir}, {"scan_interval", config.scan_interval}});
        }
        scan(config.drop_dir);
        ++m_scans;
        std::unique_lock lock(m_mutex);
        m_changed.wait_for(lock, stop, clock::real_time(*clock, config.scan_interval),
                           [&] { return m_generation != generation; });
    }
}

ScanResult ReviewDrop::scan(const fs::path& drop_dir) {
    ScanResult result;
    const auto counts = m_folder.scan(drop_dir, [&](const fs::path& file) {
        const auto outcome = process(file, result);
        if (outcome == files::Outcome::done) {
            ++m_files_done;
        } else if (outcome == files::Outcome::rejected) {
            ++m_files_rejected;
        }
        return outcome;
    });
    result.done = counts.done;
    result.rejected = counts.rejected;
    result.waiting = counts.waiting;
    if (result.imported > 0 && m_on_recorded) {
        m_on_recorded();
    }
    return result;
}

files::Outcome ReviewDrop::process(const fs::path& file, ScanResult& result) {
    const std::string name = file.filename().string();
    auto imported = import_review_file(file, m_reviews);
    if (!imported && imported.error().kind == FileFailure::Kind::store) {
        m_logger.error("file.store_failed", {{"file", name},
                                             {"error", imported.error().message},
                                             {"action", "the file stays; retrying next scan"}});
        return files::Outcome::retry;
    }
    if (!imported) {
        return m_folder.reject(file, imported.error().message, reason_text(name, imported.error()));
    }
    const auto target =
        m_folder.move_to_done(file, "make the folder writable by musubi; the file will be read "
                                    "again (its reviews are not duplicated)");
    if (!target) {
        return files::Outcome::retry;
    }
    result.imported += imported->imported;
    if (!imported->problems.empty()) {
        const fs::path listing = files::beside(*target, files::k_rejected_lines_suffix);
        files::write_text(listing, rejected_rows_text(name, *imported));
        int logged = 0;
        for (const auto& problem : imported->problems) {
            if (++logged > k_max_logged_problems) {
                break;
            }
            m_logger.warn("row.rejected",
                          {{"file", name}, {"line", problem.line}, {"reason", problem.reason}});
        }
        if (logged > k_max_logged_problems) {
            m_logger.warn(
                "row.rejected_more",
                {{"file", name},
                 {"more", static_cast<int>(imported->problems.size()) - k_max_logged_problems},
                 {"listed_in", listing}});
        }
    }
    if (imported->near_cap) {
        m_logger.warn("file.near_cap",
                      {{"file", name},
                       {"bytes", imported->bytes},
                       {"oldest_review", imported->oldest_posted_at_ms
                                             ? jst_date(*imported->oldest_posted_at_ms)
                                             : std::string("none")},
                       {"meaning", "RMS cuts review exports at about 1.2 MB, newest first: "
                                   "reviews older than the oldest one read may be missing"},
                       {"action", "export reviews from RMS more often, so that each file "
                                  "covers fewer days"}});
    }
    m_logger.info("file.imported", {{"file", name},
                                    {"encoding", imported->encoding},
                                    {"rows", imported->rows},
                                    {"new", imported->imported},
                                    {"duplicates", imported->duplicates},
                                    {"rejected", imported->rejected},
                                    {"quiet", imported->quiet},
                                    {"moved_to", *target}});
    return files::Outcome::done;
}

} // namespace musubi::reviews
