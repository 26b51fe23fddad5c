#pragma once
// The mechanics every drop folder shares (reviews.drop_dir for review CSVs, ecfeed.drop_dir for
// feed JSONL): once per scan the folder gets its done/ and rejected/ subfolders, its regular
// files with one extension (hidden files skipped) are looked at in name order, and each file that
// has settled is handed to the connector, which reads it and then moves it:
//   - read → done/<file> (move_to_done), a listing of what was skipped may go beside it;
//   - unreadable → rejected/<file> with rejected/<file>.reason (reject);
//   - not now (the database failed, …) → left where it is for the next scan.
// Nothing is deleted or overwritten: a name already taken gets "-2", "-3", … before its
// extension. What a file means and the wording of the texts written beside it stay with each
// connector; the log event names (drop.folder_unusable, file.move_failed, file.rejected) are
// shared.
//
// A file still being written is left alone: it is taken once it was seen with the same size and
// modification time at the previous scan, or when it was last modified more than `settle` ago
// (a file copied in whole).

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "daemon/log/log.hpp"

namespace musubi::files {

inline constexpr const char* k_done_dir = "done";
inline constexpr const char* k_rejected_dir = "rejected";
inline constexpr std::string_view k_reason_suffix = ".reason";
inline constexpr std::string_view k_rejected_lines_suffix = ".rejected.txt";

// What the connector did with one settled file.
enum class Outcome { done, rejected, retry };

// What one look at the folder did.
struct ScanCounts {
    bool usable = true; // false: the folder could not be prepared or listed (logged once)
    int done = 0;       // files moved to done/
    int rejected = 0;   // files moved to rejected/
    int waiting = 0;    // files left for a later scan (still being written, or retry)
};

struct DropFolderOptions {
    std::string extension; // with its dot, e.g. ".csv"; matched ignoring case
    std::chrono::milliseconds settle{5000};
    std::string config_key; // the setting naming the folder, for the unusable-folder hint
};

class DropFolder {
public:
    // `logger` must outlive the DropFolder.
    DropFolder(const log::Logger& logger, DropFolderOptions options);

    // One look at `drop_dir`: `take` is called for each settled file, in name order.
    ScanCounts scan(const std::filesystem::path& drop_dir,
                    const std::function<Outcome(const std::filesystem::path&)>& take);

    // Moves `file` into done/ beside it under a free name and returns where it went; on failure
    // logs file.move_failed with `action` (what the user should do, what happens next).
    std::optional<std::filesystem::path> move_to_done(const std::filesystem::path& file,
                                                      const std::string& action) const;

    // Moves `file` into rejected/ beside it under a free name, writes `reason_text` to
    // <moved file>.reason and logs file.rejected with `reason`; retry if it could not be moved.
    Outcome reject(const std::filesystem::path& file, const std::string& reason,
                   const std::string& reason_text) const;

private:
    struct Seen {
        std::uintmax_t size = 0;
        std::filesystem::file_time_type modified{};
    };
    bool settled(const std::filesystem::path& file, std::map<std::string, Seen>& seen_now) const;
    // Moves `file` into `subfolder` beside it under a free name; logs file.move_failed.
    std::optional<std::filesystem::path> move_into(const std::filesystem::path& file,
                                                   const char* subfolder,
                                                   const std::string& action) const;

    const log::Logger& m_logger;
    DropFolderOptions m_options;
    std::map<std::string, Seen> m_seen; // file name → what the previous scan saw
    bool m_unusable_logged = false;
};

// Creates done/ and rejected/ in `drop_dir`; false (with `error`) if it cannot.
bool ensure_layout(const std::filesystem::path& drop_dir, std::error_code& error);

// The regular, not hidden files in `drop_dir` whose extension is `extension` (ignoring case),
// sorted by name; empty with `error` if the folder cannot be listed.
std::vector<std::filesystem::path> files_with_extension(const std::filesystem::path& drop_dir,
                                                        std::string_view extension,
                                                        std::error_code& error);

// A free name in `folder` for `name`: the name itself, else "<stem>-2<ext>", "-3", …
std::filesystem::path free_name(const std::filesystem::path& folder, const std::string& name);

// `file` with `suffix` appended to its name (done/a.csv → done/a.csv.rejected.txt).
std::filesystem::path beside(const std::filesystem::path& file, std::string_view suffix);

// Writes `text` to `file` as is (replacing it); false if it could not be written.
bool write_text(const std::filesystem::path& file, const std::string& text);

} // namespace musubi::files
