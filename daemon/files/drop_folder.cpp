#include "daemon/files/drop_folder.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>

namespace musubi::files {

namespace fs = std::filesystem;

namespace {

std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

bool is_wanted(const fs::path& file, std::string_view extension) {
    const std::string name = file.filename().string();
    if (name.empty() || name.front() == '.') {
        return false; // hidden: editors' and copy tools' temporary files
    }
    return lower(file.extension().string()) == lower(std::string(extension));
}

} // namespace

bool ensure_layout(const fs::path& drop_dir, std::error_code& error) {
    for (const char* folder : {k_done_dir, k_rejected_dir}) {
        fs::create_directories(drop_dir / folder, error);
        if (error) {
            return false;
        }
    }
    return true;
}

std::vector<fs::path> files_with_extension(const fs::path& drop_dir, std::string_view extension,
                                           std::error_code& error) {
    std::vector<fs::path> files;
    for (fs::directory_iterator it(drop_dir, error), end; !error && it != end;
         it.increment(error)) {
        std::error_code ignored;
        if (it->is_regular_file(ignored) && is_wanted(it->path(), extension)) {
            files.push_back(it->path());
        }
    }
    if (error) {
        return {};
    }
    std::sort(files.begin(), files.end());
    return files;
}

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

fs::path beside(const fs::path& file, std::string_view suffix) {
    fs::path result = file;
    result += suffix;
    return result;
}

bool write_text(const fs::path& file, const std::string& text) {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << text;
    return static_cast<bool>(out);
}

DropFolder::DropFolder(const log::Logger& logger, DropFolderOptions options)
    : m_logger(logger)
    , m_options(std::move(options)) {}

ScanCounts DropFolder::scan(const fs::path& drop_dir,
                            const std::function<Outcome(const fs::path&)>& take) {
    ScanCounts counts;
    std::error_code error;
    std::vector<fs::path> files;
    if (ensure_layout(drop_dir, error)) {
        files = files_with_extension(drop_dir, m_options.extension, error);
    }
    if (error) {
        if (!m_unusable_logged) {
            m_logger.error("drop.folder_unusable",
                           {{"folder", drop_dir},
                            {"error", error.message()},
                            {"action", "create the folder (with done/ and rejected/) writable by "
                                       "musubi, or set " +
                                           m_options.config_key + "; retrying every scan"}});
            m_unusable_logged = true;
        }
        counts.usable = false;
        return counts;
    }
    m_unusable_logged = false;
    std::map<std::string, Seen> seen_now;
    for (const auto& file : files) {
        if (!settled(file, seen_now)) {
            ++counts.waiting;
            continue;
        }
        switch (take(file)) {
        case Outcome::done:
            ++counts.done;
            break;
        case Outcome::rejected:
            ++counts.rejected;
            break;
        case Outcome::retry:
            ++counts.waiting;
            break;
        }
    }
    m_seen = std::move(seen_now);
    return counts;
}

bool DropFolder::settled(const fs::path& file, std::map<std::string, Seen>& seen_now) const {
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
    return fs::file_time_type::clock::now() - modified > m_options.settle;
}

std::optional<fs::path> DropFolder::move_to_done(const fs::path& file,
                                                 const std::string& action) const {
    return move_into(file, k_done_dir, action);
}

Outcome DropFolder::reject(const fs::path& file, const std::string& reason,
                           const std::string& reason_text) const {
    const auto target = move_into(file, k_rejected_dir, "make the folder writable by musubi");
    if (!target) {
        return Outcome::retry;
    }
    const fs::path reason_file = beside(*target, k_reason_suffix);
    const bool written = write_text(reason_file, reason_text);
    m_logger.error("file.rejected",
                   {{"file", file.filename().string()},
                    {"moved_to", *target},
                    {"reason", reason},
                    {"reason_file", written ? reason_file.string() : "unwritable"}});
    return Outcome::rejected;
}

std::optional<fs::path> DropFolder::move_into(const fs::path& file, const char* subfolder,
                                              const std::string& action) const {
    const std::string name = file.filename().string();
    const fs::path target = free_name(file.parent_path() / subfolder, name);
    std::error_code error;
    fs::rename(file, target, error);
    if (error) {
        m_logger.error(
            "file.move_failed",
            {{"file", name}, {"to", target}, {"error", error.message()}, {"action", action}});
        return std::nullopt;
    }
    return target;
}

} // namespace musubi::files
