#include "daemon/reviews/review_import.hpp"

#include <chrono>
#include <cstdio>
#include <fstream>
#include <ostream>
#include <system_error>

namespace musubi::reviews {

namespace {

FileFailure unreadable(std::string message, std::string message_ja) {
    return FileFailure{FileFailure::Kind::unreadable, std::move(message), std::move(message_ja)};
}

tl::expected<std::string, FileFailure> read_bytes(const std::filesystem::path& file) {
    std::error_code error;
    const auto size = std::filesystem::file_size(file, error);
    if (error) {
        return tl::unexpected(FileFailure{FileFailure::Kind::store,
                                          "cannot read " + file.string() + ": " + error.message(),
                                          "ファイルを読めません: " + error.message()});
    }
    if (size > k_max_review_file_bytes) {
        return tl::unexpected(unreadable(
            "the file is " + std::to_string(size / (1024 * 1024)) +
                " MB, more than an RMS review export can be (64 MB at most); export a shorter "
                "period",
            "ファイルが大きすぎます（64MBまで）。期間を短くしてダウンロードし直してください。"));
    }
    std::ifstream in(file, std::ios::binary);
    std::string bytes(static_cast<std::size_t>(size), '\0');
    in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!in) {
        return tl::unexpected(FileFailure{FileFailure::Kind::store, "cannot read " + file.string(),
                                          "ファイルを読めません。"});
    }
    return bytes;
}

} // namespace

std::vector<store::NewReview> new_reviews(const std::vector<rakuten::ReviewRow>& rows) {
    std::vector<store::NewReview> reviews;
    reviews.reserve(rows.size());
    for (const auto& row : rows) {
        reviews.push_back(
            store::NewReview{row.order_number, std::string(rakuten::review_type_name(row.type)),
                             row.item_id, row.item_name, row.rating, row.posted_at_ms});
    }
    return reviews;
}

tl::expected<FileImport, FileFailure> import_review_file(const std::filesystem::path& file,
                                                         store::Reviews& reviews) {
    auto bytes = read_bytes(file);
    if (!bytes) {
        return tl::unexpected(bytes.error());
    }
    auto parsed = rakuten::parse_review_csv(*bytes);
    if (!parsed) {
        return tl::unexpected(unreadable(parsed.error().message, parsed.error().message_ja));
    }
    store::ReviewExport exported{file.filename().string(), static_cast<std::int64_t>(parsed->bytes),
                                 static_cast<std::int64_t>(parsed->rows.size()),
                                 parsed->oldest_posted_at_ms, parsed->near_cap};
    auto stored = reviews.import(new_reviews(parsed->rows), exported);
    if (!stored) {
        return tl::unexpected(FileFailure{FileFailure::Kind::store, stored.error().to_string(),
                                          "データベースに書き込めませんでした。"});
    }
    FileImport result;
    result.encoding = std::string(rakuten::encoding_name(parsed->encoding));
    result.rows = static_cast<int>(parsed->rows.size() + parsed->problems.size());
    result.imported = stored->inserted;
    result.duplicates = stored->duplicates;
    result.quiet = stored->quiet;
    result.rejected = static_cast<int>(parsed->problems.size());
    result.repeated = parsed->repeated_rows;
    result.problems = std::move(parsed->problems);
    result.bytes = exported.bytes;
    result.near_cap = parsed->near_cap;
    result.oldest_posted_at_ms = parsed->oldest_posted_at_ms;
    return result;
}

std::string jst_date(std::int64_t epoch_ms) {
    const auto local =
        std::chrono::sys_time<std::chrono::milliseconds>(std::chrono::milliseconds(epoch_ms)) +
        std::chrono::hours(9);
    const std::chrono::year_month_day day{std::chrono::floor<std::chrono::days>(local)};
    char text[16];
    std::snprintf(text, sizeof text, "%04d-%02u-%02u", int(day.year()), unsigned(day.month()),
                  unsigned(day.day()));
    return text;
}

std::string near_cap_advice(const FileImport& imported) {
    const std::string oldest =
        imported.oldest_posted_at_ms ? jst_date(*imported.oldest_posted_at_ms) : "unknown";
    return "the file is " + std::to_string(imported.bytes) +
           " bytes, near RMS's export cap of about 1.2 MB (RMS keeps the newest reviews and drops "
           "the oldest): reviews older than " +
           oldest +
           " (the oldest review read) may be missing; export reviews from RMS more often, so "
           "that each file covers fewer days";
}

std::string near_cap_advice_ja(const FileImport& imported) {
    const std::string oldest =
        imported.oldest_posted_at_ms ? jst_date(*imported.oldest_posted_at_ms) : "不明";
    return "ファイルが " + std::to_string(imported.bytes) +
           " バイトで、RMS のレビューCSVの上限（約1.2MB。新しいレビューから入り、古いものは入り"
           "ません）に近いため、" +
           oldest +
           "（読み取った中でいちばん古いレビューの日）より前のレビューが抜けている可能性が"
           "あります。RMS からのダウンロードの間隔を短くしてください（1回のファイルに入る日数を"
           "減らします）。";
}

int import_reviews_command(const std::filesystem::path& file, store::Reviews& reviews,
                           std::ostream& out) {
    auto imported = import_review_file(file, reviews);
    if (!imported) {
        out << file.string() << ": " << imported.error().message << "\n"
            << file.string() << ": " << imported.error().message_ja << "\n";
        return 1;
    }
    for (const auto& problem : imported->problems) {
        out << file.string() << ":" << problem.line << ": row not imported: " << problem.reason
            << "\n";
    }
    out << file.string() << ": " << imported->rows << " rows (" << imported->encoding
        << "): " << imported->imported << " new, " << imported->duplicates << " already imported, "
        << imported->rejected << " rejected\n";
    if (imported->near_cap) {
        out << file.string() << ": " << near_cap_advice(*imported) << "\n"
            << file.string() << ": " << near_cap_advice_ja(*imported) << "\n";
    }
    return 0;
}

} // namespace musubi::reviews
