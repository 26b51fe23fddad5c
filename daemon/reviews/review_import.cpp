#include "daemon/reviews/review_import.hpp"

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
    auto stored = reviews.import(new_reviews(parsed->rows));
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
    result.problems = std::move(parsed->problems);
    return result;
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
    return 0;
}

} // namespace musubi::reviews
