#include "daemon/reviews/review_drop.hpp"

#include <algorithm>
#include <fstream>
#include <system_error>
#include <vector>

namespace musubi::reviews {

namespace {

namespace fs = std::filesystem;

// Problems beyond this many are summed up in one log line (the .rejected.txt has them all).
constexpr int k_max_logged_problems = 20;

bool is_review_csv(const fs::path& file) {
    const std::string name = file.filename().string();
    if (name.empty() || name.front() == '.') {
        return false;
    }
    std::string extension = file.extension().string();
    std::transform(extension.begin(), extension.end(), extension.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return extension == ".csv";
}

bool write_text(const fs::path& file, const std::string& text) {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << text;
    return static_cast<bool>(out);
}

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

fs::path free_name(const fs::path& folder, const std::string& name) {
    fs::path candidate = folder / name;
    std::error_code error;
    const fs::path plain(name);
    for (int n = 2; fs::exists(candidate, error); ++n) {
        candidate =
            folder / (plain.stem().string() + "-" + std::to_string(n) + plain.extension().string());
    }
    return candidate;
}

ReviewDrop::ReviewDrop(store::Reviews& reviews, std::string logger_name,
                       std::function<void()> on_recorded)
    : m_reviews(reviews)
    , m_logger(std::move(logger_name))
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
    std::error_code error;
    for (const char* folder : {k_done_dir, k_rejected_dir}) {
        fs::create_directories(drop_dir / folder, error);
        if (error) {
            break;
        }
    }
    std::vector<fs::path> files;
    if (!error) {
        for (fs::directory_iterator it(drop_dir, error), end; !error && it != end;
             it.increment(error)) {
            std::error_code ignored;
            if (it->is_regular_file(ignored) && is_review_csv(it->path())) {
                files.push_back(it->path());
            }
        }
    }
    if (error) {
        if (!m_folder_error_logged) {
            m_logger.error("drop.folder_unusable",
                           {{"folder", drop_dir},
                            {"error", error.message()},
                            {"action", "create the folder (with done/ and rejected/) writable by "
                                       "musubi, or set reviews.drop_dir; retrying every scan"}});
            m_folder_error_logged = true;
        }
        return result;
    }
    m_folder_error_logged = false;
    std::sort(files.begin(), files.end());
    std::map<std::string, Seen> seen_now;
    for (const auto& file : files) {
        if (!ready(file, seen_now)) {
            ++result.waiting;
            continue;
        }
        switch (process(drop_dir, file, result)) {
        case Outcome::done:
            ++result.done;
            ++m_files_done;
            break;
        case Outcome::rejected:
            ++result.rejected;
            ++m_files_rejected;
            break;
        case Outcome::retry:
            ++result.waiting;
            break;
        }
    }
    m_seen = std::move(seen_now);
    if (result.imported > 0 && m_on_recorded) {
        m_on_recorded();
    }
    return result;
}

bool ReviewDrop::ready(const fs::path& file, std::map<std::string, Seen>& seen_now) {
    std::error_code error;
    const auto size = fs::file_size(file, error);
    const auto modified = fs::last_write_time(file, error);
    if (error) {
        return false; // gone or unreadable for now; looked at again next scan
    }
    const std::string name = file.filename().string();
    seen_now[name] = Seen{size, modified};
    const auto before = m_seen.find(name);
    if (before != m_seen.end() && before->second.size == size &&
        before->second.modified == modified) {
        return true;
    }
    // Modification times are the file system's (real) clock, whatever clock paces the scans.
    return fs::file_time_type::clock::now() - modified > k_settle;
}

ReviewDrop::Outcome ReviewDrop::process(const fs::path& drop_dir, const fs::path& file,
                                        ScanResult& result) {
    const std::string name = file.filename().string();
    auto imported = import_review_file(file, m_reviews);
    std::error_code error;
    if (!imported && imported.error().kind == FileFailure::Kind::store) {
        m_logger.error("file.store_failed", {{"file", name},
                                             {"error", imported.error().message},
                                             {"action", "the file stays; retrying next scan"}});
        return Outcome::retry;
    }
    if (!imported) {
        const fs::path target = free_name(drop_dir / k_rejected_dir, name);
        fs::rename(file, target, error);
        if (error) {
            m_logger.error("file.move_failed", {{"file", name},
                                                {"to", target},
                                                {"error", error.message()},
                                                {"action", "make the folder writable by musubi"}});
            return Outcome::retry;
        }
        fs::path reason = target;
        reason += ".reason";
        const bool written = write_text(reason, reason_text(name, imported.error()));
        m_logger.error("file.rejected",
                       {{"file", name},
                        {"moved_to", target},
                        {"reason", imported.error().message},
                        {"reason_file", written ? reason.string() : "unwritable"}});
        return Outcome::rejected;
    }
    const fs::path target = free_name(drop_dir / k_done_dir, name);
    fs::rename(file, target, error);
    if (error) {
        m_logger.error("file.move_failed",
                       {{"file", name},
                        {"to", target},
                        {"error", error.message()},
                        {"action", "make the folder writable by musubi; the file will be read "
                                   "again (its reviews are not duplicated)"}});
        return Outcome::retry;
    }
    result.imported += imported->imported;
    if (!imported->problems.empty()) {
        fs::path listing = target;
        listing += ".rejected.txt";
        write_text(listing, rejected_rows_text(name, *imported));
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
    m_logger.info("file.imported", {{"file", name},
                                    {"encoding", imported->encoding},
                                    {"rows", imported->rows},
                                    {"new", imported->imported},
                                    {"duplicates", imported->duplicates},
                                    {"rejected", imported->rejected},
                                    {"quiet", imported->quiet},
                                    {"moved_to", target}});
    return Outcome::done;
}

} // namespace musubi::reviews
