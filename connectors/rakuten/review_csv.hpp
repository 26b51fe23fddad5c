#pragma once
// The review CSV a shop exports from RMS's review check tool (RMS has no review API; see
// shared/platform/rakuten-rms.md). Reading one file: the bytes are decoded (UTF-8 with a BOM,
// UTF-8, or Shift_JIS as Windows writes it, CP932), split as RFC 4180 CSV, the header is
// checked for the columns musubi uses, and every row becomes a ReviewRow or a RowProblem with
// its line number. One bad row never costs the others.
//
// Only what musubi uses is kept: who reviewed, the review's title and its text are never
// read into a ReviewRow, so they cannot reach the store or a log line.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

namespace musubi::rakuten {

enum class TextEncoding { utf8, utf8_bom, cp932 };
std::string_view encoding_name(TextEncoding encoding); // "utf-8", "utf-8-bom", "cp932"

// The header's column names (the contract's header row); those musubi reads are required.
inline constexpr std::string_view k_column_review_type = "レビュータイプ";
inline constexpr std::string_view k_column_item_name = "商品名";
inline constexpr std::string_view k_column_url = "レビュー詳細URL";
inline constexpr std::string_view k_column_rating = "評価";
inline constexpr std::string_view k_column_posted_at = "投稿時間";
inline constexpr std::string_view k_column_order_number = "注文番号";
inline constexpr std::string_view k_required_columns[] = {
    k_column_review_type, k_column_item_name, k_column_url,
    k_column_rating,      k_column_posted_at, k_column_order_number};

inline constexpr std::string_view k_item_review = "商品レビュー";
inline constexpr std::string_view k_shop_review = "ショップレビュー";

enum class ReviewType { item, shop };
std::string_view review_type_name(ReviewType type); // "item", "shop"

struct ReviewRow {
    int line = 0; // the line of the file the row starts on (the header is line 1)
    std::string order_number;
    ReviewType type = ReviewType::item;
    std::string item_name; // empty for a shop review
    // "<shopId>_<itemId>" from the review URL: stays the same when the shop renames the item.
    // Empty when the URL does not have that shape (then the item name identifies the item).
    std::string item_id;
    int rating = 0; // 1..5
    std::int64_t posted_at_ms = 0;
};

// A row that was not imported, in plain words in English and Japanese.
struct RowProblem {
    int line = 0;
    std::string reason;
    std::string reason_ja;
};

// RMS cuts a review export at about 1.2 MB, newest first (the contract): reviews older than
// what fits are not in the file. A file of k_review_export_near_cap_bytes or more (1.1 MB,
// within 100 kB of the cap: one more day of a busy shop's reviews) is taken as cut, so the
// shop is told that older reviews may be missing and that it should export more often.
inline constexpr std::size_t k_review_export_cap_bytes = 1'200'000;
inline constexpr std::size_t k_review_export_near_cap_bytes = 1'100'000;

struct ReviewFile {
    TextEncoding encoding = TextEncoding::utf8;
    std::vector<ReviewRow> rows;
    std::vector<RowProblem> problems;
    // Rows identical to an earlier row of the file, field for field: real exports repeat rows
    // now and then; they are dropped without a word (neither rows nor problems).
    int repeated_rows = 0;
    std::size_t bytes = 0;
    bool near_cap = false;                           // bytes >= k_review_export_near_cap_bytes
    std::optional<std::int64_t> oldest_posted_at_ms; // the oldest review read
};

// Why a whole file cannot be read (it is set aside, never half-imported).
struct ReviewFileProblem {
    std::string message;
    std::string message_ja;
};

tl::expected<ReviewFile, ReviewFileProblem> parse_review_csv(std::string_view bytes);

// --- the steps, exposed for tests -------------------------------------------------------------

struct DecodedText {
    TextEncoding encoding = TextEncoding::utf8;
    std::string utf8;
    bool truncated = false; // the bytes ended inside a character (the file was cut short)
};
tl::expected<DecodedText, ReviewFileProblem> decode_review_bytes(std::string_view bytes);

struct CsvRecord {
    int line = 0;
    std::vector<std::string> fields;
    std::string error; // non-empty: the record is malformed (e.g. a quote is never closed)
};
// RFC 4180: fields separated by commas, records by CRLF (LF or CR alone accepted); a quoted
// field may hold commas, doubled quotes and line breaks. Blank lines are skipped.
std::vector<CsvRecord> split_csv(std::string_view text);

// "2026/09/05 8:12:37" (JST; the hour, month and day may lack a leading zero; seconds and
// '-' as the date separator accepted, as spreadsheet programs write them) as epoch ms.
std::optional<std::int64_t> parse_review_time(std::string_view text);

} // namespace musubi::rakuten
