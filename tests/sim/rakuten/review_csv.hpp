#pragma once
// The review CSV a shop exports from RMS's review check tool (there is no review API): the
// exact header row, every field quoted (RFC 4180), CRLF line ends, times without leading zeros
// (2026/7/10 9:07:30), and the encodings such files come in — Shift_JIS (CP932) by default, or
// UTF-8 with or without a BOM. As the contract reports, an export holds the newest reviews
// first, stops at about 1.2 MB (older reviews fall off), and may repeat an identical row.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "jst_time.hpp"

namespace musubi::sim::rakuten {

enum class CsvEncoding { cp932, utf8, utf8_bom };

std::optional<CsvEncoding>
parse_csv_encoding(std::string_view name); // "cp932", "utf-8", "utf-8-bom"
std::string_view csv_encoding_name(CsvEncoding encoding);

inline constexpr std::string_view k_review_csv_header =
    "レビュータイプ,商品名,レビュー詳細URL,評価,投稿時間,タイトル,レビュー本文,フラグ,注文番号,"
    "未対応フラグ";

struct ReviewRow {
    std::string review_type; // "商品レビュー" or "ショップレビュー"
    std::string item_name;   // empty for a shop review
    std::string url;
    int rating = 5;
    EpochSeconds posted_at = 0;
    std::string title;
    std::string body;
    int flag = 0;
    std::string order_number;
    int unhandled_flag = 1;
};

// One field, always quoted, quotes doubled (real exports quote every field).
std::string csv_field(std::string_view value);
// Header and rows as UTF-8 text with CRLF line ends, rows in the order given.
std::string review_csv_text(const std::vector<ReviewRow>& rows);

// About how large RMS lets an export grow (the contract: "about 1.2 MB").
inline constexpr std::size_t k_review_export_cap_bytes = 1'200'000;

// What an export looks like beyond its rows: newest first, cut at `cap_bytes` (encoded), and
// `repeat_every` > 0 writes every n-th row twice in a row, as real exports sometimes do.
struct ExportShape {
    std::size_t cap_bytes = k_review_export_cap_bytes;
    std::size_t repeat_every = 0;
};

// The rows an export of `rows` holds: sorted newest first, repeated as `shape` says, and the
// oldest dropped until the encoded file fits `shape.cap_bytes`. `dropped` gets how many
// reviews fell off.
std::vector<ReviewRow> shape_export(std::vector<ReviewRow> rows, const ExportShape& shape,
                                    CsvEncoding encoding, std::size_t& dropped);
// `utf8` in the requested encoding; nullopt when a character has no CP932 form.
std::optional<std::string> encode_csv(const std::string& utf8, CsvEncoding encoding);

} // namespace musubi::sim::rakuten
