#pragma once
// The review CSV a shop exports from RMS's review check tool (there is no review API): the
// exact header row, RFC 4180 quoting, CRLF line ends, and the encodings such files come in —
// Shift_JIS (CP932) by default, or UTF-8 with or without a BOM.

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

// One field, quoted when it holds a comma, a quote or a line break.
std::string csv_field(std::string_view value);
// Header and rows as UTF-8 text with CRLF line ends.
std::string review_csv_text(const std::vector<ReviewRow>& rows);
// `utf8` in the requested encoding; nullopt when a character has no CP932 form.
std::optional<std::string> encode_csv(const std::string& utf8, CsvEncoding encoding);

} // namespace musubi::sim::rakuten
