#pragma once
// Importing one RMS review CSV into the store: read, decode and parse it
// (connectors/rakuten/review_csv.hpp), then record every good row with its review.posted fact
// in one transaction (store/reviews.hpp). Used by the drop folder (review_drop.hpp) and by
// `musubictl import-reviews FILE`.

#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "connectors/rakuten/review_csv.hpp"
#include "daemon/store/reviews.hpp"

namespace musubi::reviews {

// What importing one file did. Rows are counted once each: rows = imported + duplicates +
// rejected.
struct FileImport {
    std::string encoding; // "cp932", "utf-8", "utf-8-bom"
    int rows = 0;
    int imported = 0;   // new reviews (each with its fact)
    int duplicates = 0; // imported before
    int rejected = 0;   // rows that could not be read; see problems
    int quiet = 0;      // of `imported`: too old to trigger (see reviews.hpp)
    int repeated = 0;   // rows identical to an earlier row of the file, dropped (not in `rows`)
    std::vector<rakuten::RowProblem> problems;
    std::int64_t bytes = 0;
    // The file is near RMS's export cap (rakuten::k_review_export_near_cap_bytes): older
    // reviews may be missing from it; oldest_posted_at_ms is how far back it reached.
    bool near_cap = false;
    std::optional<std::int64_t> oldest_posted_at_ms;
};

// "older reviews may be missing" in words for the log, the command line and the status page:
// the date of the oldest review read (JST, YYYY-MM-DD) and what to do.
std::string near_cap_advice(const FileImport& imported);
std::string near_cap_advice_ja(const FileImport& imported);
std::string jst_date(std::int64_t epoch_ms); // "2026-07-10"

struct FileFailure {
    enum class Kind {
        unreadable, // the file itself is wrong (header, encoding, empty): set it aside
        store,      // the database failed: keep the file and try again later
    };
    Kind kind = Kind::unreadable;
    std::string message;
    std::string message_ja;
};

// Files larger than this are refused as unreadable: an RMS export is far smaller, and the
// whole file is held in memory while it is read.
inline constexpr std::uintmax_t k_max_review_file_bytes = 64u * 1024 * 1024;

std::vector<store::NewReview> new_reviews(const std::vector<rakuten::ReviewRow>& rows);

tl::expected<FileImport, FileFailure> import_review_file(const std::filesystem::path& file,
                                                         store::Reviews& reviews);

// `musubictl import-reviews FILE`: imports the file where it lies (it is not moved) and writes
// a summary and any rejected rows to `out`, or why the file was refused. Returns the exit
// status: 0 imported (also when some rows were rejected), 1 refused or the store failed.
int import_reviews_command(const std::filesystem::path& file, store::Reviews& reviews,
                           std::ostream& out);

} // namespace musubi::reviews
