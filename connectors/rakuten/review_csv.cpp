#include "connectors/rakuten/review_csv.hpp"

#include <cerrno>
#include <charconv>
#include <chrono>
#include <iconv.h>
#include <unordered_set>

#include "connectors/rakuten/order_number.hpp"

namespace musubi::rakuten {

namespace {

constexpr std::string_view k_bom = "\xEF\xBB\xBF";

// Length of the UTF-8 sequence starting at `at`: >0 valid, 0 invalid, -1 cut off by the end.
int utf8_sequence(std::string_view text, std::size_t at) {
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
    const unsigned char lead = byte(at);
    int length = 0;
    unsigned char min_second = 0x80, max_second = 0xBF;
    if (lead < 0x80) {
        return 1;
    } else if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3;
        min_second = lead == 0xE0 ? 0xA0 : 0x80; // no overlong forms
        max_second = lead == 0xED ? 0x9F : 0xBF; // no surrogates
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4;
        min_second = lead == 0xF0 ? 0x90 : 0x80;
        max_second = lead == 0xF4 ? 0x8F : 0xBF;
    } else {
        return 0;
    }
    for (int i = 1; i < length; ++i) {
        if (at + static_cast<std::size_t>(i) >= text.size()) {
            return -1;
        }
        const unsigned char next = byte(at + static_cast<std::size_t>(i));
        const unsigned char low = i == 1 ? min_second : 0x80;
        const unsigned char high = i == 1 ? max_second : 0xBF;
        if (next < low || next > high) {
            return 0;
        }
    }
    return length;
}

struct Utf8Check {
    bool valid = true;
    bool truncated = false;
    std::size_t valid_length = 0;
};

Utf8Check check_utf8(std::string_view text) {
    Utf8Check check;
    std::size_t at = 0;
    while (at < text.size()) {
        const int length = utf8_sequence(text, at);
        if (length == 0) {
            check.valid = false;
            break;
        }
        if (length < 0) {
            check.truncated = true;
            break;
        }
        at += static_cast<std::size_t>(length);
    }
    check.valid_length = at;
    return check;
}

ReviewFileProblem undecodable(std::size_t offset) {
    const auto at = std::to_string(offset);
    return ReviewFileProblem{
        "the file is neither UTF-8 nor Shift_JIS (CP932): the bytes at offset " + at +
            " are not text in either; export it again from RMS's review check tool, or save it "
            "as UTF-8 or Shift_JIS",
        "UTF-8でもShift_JIS（CP932）でもないファイルです（" + at +
            "バイト目に読めない文字があります）。RMSのレビューチェックツールからもう一度"
            "ダウンロードするか、UTF-8またはShift_JISで保存し直してください。"};
}

tl::expected<DecodedText, ReviewFileProblem> decode_cp932(std::string_view bytes) {
    iconv_t converter = iconv_open("UTF-8", "CP932");
    if (converter == reinterpret_cast<iconv_t>(-1)) {
        return tl::unexpected(
            ReviewFileProblem{"this system cannot convert Shift_JIS (CP932): iconv has no CP932 "
                              "converter; install the locales package (glibc gconv modules)",
                              "このシステムではShift_JIS（CP932）を変換できません。"});
    }
    DecodedText decoded{TextEncoding::cp932, {}, false};
    std::string input(bytes);
    // Every CP932 character is at most 2 bytes and becomes at most 3 bytes of UTF-8.
    decoded.utf8.resize(input.size() * 2 + 16);
    char* in = input.data();
    std::size_t in_left = input.size();
    char* out = decoded.utf8.data();
    std::size_t out_left = decoded.utf8.size();
    const std::size_t result = iconv(converter, &in, &in_left, &out, &out_left);
    const int error = errno;
    iconv_close(converter);
    decoded.utf8.resize(decoded.utf8.size() - out_left);
    if (result == static_cast<std::size_t>(-1)) {
        if (error == EINVAL) {
            decoded.truncated = true; // the last character is cut off
        } else {
            return tl::unexpected(undecodable(input.size() - in_left));
        }
    }
    return decoded;
}

std::string_view trim(std::string_view text) {
    constexpr std::string_view k_space = " \t";
    while (!text.empty() && k_space.find(text.front()) != std::string_view::npos) {
        text.remove_prefix(1);
    }
    while (!text.empty() && k_space.find(text.back()) != std::string_view::npos) {
        text.remove_suffix(1);
    }
    // A BOM left inside (a file saved twice) is not part of the name.
    while (text.starts_with(k_bom)) {
        text.remove_prefix(k_bom.size());
    }
    return text;
}

bool all_digits(std::string_view text) {
    return !text.empty() && text.find_first_not_of("0123456789") == std::string_view::npos;
}

// The "<shopId>_<itemId>" segment of an item review's URL
// (https://review.rakuten.co.jp/item/1/<shopId>_<itemId>/<review>/).
std::string item_id_from_url(std::string_view url) {
    std::size_t at = 0;
    while (at <= url.size()) {
        const std::size_t end = std::min(url.find('/', at), url.size());
        const std::string_view segment = url.substr(at, end - at);
        const std::size_t underscore = segment.find('_');
        if (underscore != std::string_view::npos && all_digits(segment.substr(0, underscore)) &&
            all_digits(segment.substr(underscore + 1))) {
            return std::string(segment);
        }
        at = end + 1;
    }
    return {};
}

struct Columns {
    std::size_t review_type = 0, item_name = 0, url = 0, rating = 0, posted_at = 0,
                order_number = 0, count = 0;
};

tl::expected<Columns, ReviewFileProblem> read_header(const CsvRecord& header) {
    const auto find = [&](std::string_view name) -> std::optional<std::size_t> {
        for (std::size_t i = 0; i < header.fields.size(); ++i) {
            if (trim(header.fields[i]) == name) {
                return i;
            }
        }
        return std::nullopt;
    };
    std::string missing;
    for (const auto name : k_required_columns) {
        if (!find(name)) {
            missing += (missing.empty() ? "" : ", ") + std::string(name);
        }
    }
    if (!missing.empty()) {
        std::string expected;
        for (const auto name : k_required_columns) {
            expected += (expected.empty() ? "" : ",") + std::string(name);
        }
        return tl::unexpected(ReviewFileProblem{
            "this is not an RMS review CSV: the header row (line 1) lacks the column(s) " +
                missing + "; the file needs the columns " + expected +
                " — export it again from RMS's review check tool (レビューチェックツール)",
            "RMSのレビューCSVではありません。1行目の見出しに必要な列がありません: " + missing +
                "。RMSのレビューチェックツールからもう一度CSVをダウンロードしてください。"});
    }
    return Columns{*find(k_column_review_type), *find(k_column_item_name),
                   *find(k_column_url),         *find(k_column_rating),
                   *find(k_column_posted_at),   *find(k_column_order_number),
                   header.fields.size()};
}

RowProblem problem(int line, std::string reason, std::string reason_ja) {
    return RowProblem{line, std::move(reason), std::move(reason_ja)};
}

tl::expected<ReviewRow, RowProblem> read_row(const CsvRecord& record, const Columns& columns) {
    const int line = record.line;
    if (!record.error.empty()) {
        return tl::unexpected(
            problem(line, record.error, "CSVの形式が壊れています（" + record.error + "）"));
    }
    if (record.fields.size() != columns.count) {
        const auto got = std::to_string(record.fields.size());
        const auto want = std::to_string(columns.count);
        return tl::unexpected(problem(line,
                                      "the row has " + got + " fields where the header has " +
                                          want + " (a stray comma, or the file was cut short)",
                                      "列の数が" + got + "個です（見出しは" + want +
                                          "列）。ファイルが途中で切れている可能性があります。"));
    }
    ReviewRow row;
    row.line = line;
    const std::string_view type = trim(record.fields[columns.review_type]);
    if (type == k_item_review) {
        row.type = ReviewType::item;
    } else if (type == k_shop_review) {
        row.type = ReviewType::shop;
    } else {
        return tl::unexpected(
            problem(line, "レビュータイプ is neither 商品レビュー nor ショップレビュー",
                    "レビュータイプが「商品レビュー」でも「ショップレビュー」でもありません。"));
    }
    const std::string_view number = trim(record.fields[columns.order_number]);
    if (const auto shape = order_number_problem(number)) {
        return tl::unexpected(problem(line,
                                      number.empty() ? "注文番号 (order number) is empty"
                                                     : "注文番号 is " + shape->reason,
                                      "注文番号: " + shape->reason_ja));
    }
    row.order_number = std::string(number);
    const std::string_view rating = trim(record.fields[columns.rating]);
    const auto parsed = std::from_chars(rating.data(), rating.data() + rating.size(), row.rating);
    if (parsed.ec != std::errc() || parsed.ptr != rating.data() + rating.size() || row.rating < 1 ||
        row.rating > 5) {
        return tl::unexpected(problem(line, "評価 (rating) is not a whole number from 1 to 5",
                                      "評価が1〜5の整数ではありません。"));
    }
    const auto posted = parse_review_time(trim(record.fields[columns.posted_at]));
    if (!posted) {
        return tl::unexpected(problem(line,
                                      "投稿時間 (posted at) is not a time like 2026/09/05 8:12:37",
                                      "投稿時間が「2026/09/05 8:12:37」の形ではありません。"));
    }
    row.posted_at_ms = *posted;
    if (row.type == ReviewType::item) {
        row.item_name = std::string(trim(record.fields[columns.item_name]));
        row.item_id = item_id_from_url(trim(record.fields[columns.url]));
        if (row.item_name.empty() && row.item_id.empty()) {
            return tl::unexpected(
                problem(line, "an item review (商品レビュー) without 商品名 or an item URL",
                        "商品レビューなのに商品名もレビュー詳細URLの商品もありません。"));
        }
    }
    return row;
}

// Reads digits into `value`; true when at least one was read.
bool read_number(std::string_view& text, int& value, std::size_t max_digits) {
    std::size_t digits = 0;
    value = 0;
    while (digits < max_digits && digits < text.size() && text[digits] >= '0' &&
           text[digits] <= '9') {
        value = value * 10 + (text[digits] - '0');
        ++digits;
    }
    text.remove_prefix(digits);
    return digits > 0;
}

bool expect(std::string_view& text, std::string_view any_of) {
    if (text.empty() || any_of.find(text.front()) == std::string_view::npos) {
        return false;
    }
    text.remove_prefix(1);
    return true;
}

} // namespace

std::string_view encoding_name(TextEncoding encoding) {
    switch (encoding) {
    case TextEncoding::utf8:
        return "utf-8";
    case TextEncoding::utf8_bom:
        return "utf-8-bom";
    case TextEncoding::cp932:
        return "cp932";
    }
    return "utf-8";
}

std::string_view review_type_name(ReviewType type) {
    return type == ReviewType::shop ? "shop" : "item";
}

tl::expected<DecodedText, ReviewFileProblem> decode_review_bytes(std::string_view bytes) {
    if (bytes.starts_with(k_bom)) {
        const std::string_view text = bytes.substr(k_bom.size());
        const Utf8Check check = check_utf8(text);
        if (!check.valid) {
            return tl::unexpected(undecodable(k_bom.size() + check.valid_length));
        }
        return DecodedText{TextEncoding::utf8_bom, std::string(text.substr(0, check.valid_length)),
                           check.truncated};
    }
    const Utf8Check check = check_utf8(bytes);
    if (check.valid) {
        return DecodedText{TextEncoding::utf8, std::string(bytes.substr(0, check.valid_length)),
                           check.truncated};
    }
    // Japanese text in CP932 is practically never valid UTF-8, so this order is safe.
    return decode_cp932(bytes);
}

std::vector<CsvRecord> split_csv(std::string_view text) {
    std::vector<CsvRecord> records;
    CsvRecord record;
    std::string field;
    int line = 1;
    std::size_t at = 0;
    bool in_record = false;    // something of the current record was read
    bool field_quoted = false; // the current field was quoted (closed)
    const auto end_field = [&] {
        record.fields.push_back(std::move(field));
        field.clear();
        field_quoted = false;
    };
    const auto end_record = [&] {
        if (in_record) {
            end_field();
            records.push_back(std::move(record));
        }
        record = CsvRecord{};
        in_record = false;
    };
    // Consumes one line break at `at` (CRLF, LF or CR) and counts it.
    const auto line_break = [&]() -> bool {
        if (at < text.size() && text[at] == '\r') {
            ++at;
            if (at < text.size() && text[at] == '\n') {
                ++at;
            }
            ++line;
            return true;
        }
        if (at < text.size() && text[at] == '\n') {
            ++at;
            ++line;
            return true;
        }
        return false;
    };
    while (at < text.size()) {
        if (!in_record) {
            if (line_break()) {
                continue; // a blank line
            }
            record.line = line;
            in_record = true;
        }
        const char c = text[at];
        if (c == '"' && field.empty() && !field_quoted) {
            ++at;
            bool closed = false;
            while (at < text.size()) {
                if (text[at] == '"') {
                    if (at + 1 < text.size() && text[at + 1] == '"') {
                        field += '"';
                        at += 2;
                        continue;
                    }
                    ++at;
                    closed = true;
                    break;
                }
                if (text[at] == '\r' || text[at] == '\n') {
                    // Inside quotes a line break is data (kept as it is) but still a line.
                    const std::size_t from = at;
                    line_break();
                    field.append(text.substr(from, at - from));
                    continue;
                }
                field += text[at++];
            }
            if (!closed) {
                record.error = "a quoted field is never closed (the file may be cut short)";
            }
            field_quoted = true;
            continue;
        }
        if (c == ',') {
            ++at;
            end_field();
            continue;
        }
        if (c == '\r' || c == '\n') {
            line_break();
            end_record();
            continue;
        }
        if (field_quoted && record.error.empty()) {
            record.error = "text follows a closing quote without a comma";
        }
        field += c;
        ++at;
    }
    end_record();
    return records;
}

std::optional<std::int64_t> parse_review_time(std::string_view text) {
    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
    if (!read_number(text, year, 4) || !expect(text, "/-") || !read_number(text, month, 2) ||
        !expect(text, "/-") || !read_number(text, day, 2) || !expect(text, " T") ||
        !read_number(text, hour, 2) || !expect(text, ":") || !read_number(text, minute, 2)) {
        return std::nullopt;
    }
    if (!text.empty()) {
        if (!expect(text, ":") || !read_number(text, second, 2) || !text.empty()) {
            return std::nullopt;
        }
    }
    const std::chrono::year_month_day date{std::chrono::year(year),
                                           std::chrono::month(static_cast<unsigned>(month)),
                                           std::chrono::day(static_cast<unsigned>(day))};
    if (year < 2000 || !date.ok() || hour > 23 || minute > 59 || second > 59) {
        return std::nullopt;
    }
    const auto local = std::chrono::sys_days(date) + std::chrono::hours(hour) +
                       std::chrono::minutes(minute) + std::chrono::seconds(second);
    const auto utc = local - std::chrono::hours(9); // JST has no daylight saving time
    return std::chrono::duration_cast<std::chrono::milliseconds>(utc.time_since_epoch()).count();
}

tl::expected<ReviewFile, ReviewFileProblem> parse_review_csv(std::string_view bytes) {
    if (bytes.empty()) {
        return tl::unexpected(ReviewFileProblem{
            "the file is empty; export it again from RMS's review check tool",
            "ファイルが空です。RMSのレビューチェックツールからもう一度ダウンロードしてください。"});
    }
    auto decoded = decode_review_bytes(bytes);
    if (!decoded) {
        return tl::unexpected(decoded.error());
    }
    auto records = split_csv(decoded->utf8);
    if (records.empty()) {
        return tl::unexpected(
            ReviewFileProblem{"the file holds no header row, only blank lines",
                              "見出し行がありません（空行だけのファイルです）。"});
    }
    auto columns = read_header(records.front());
    if (!columns) {
        return tl::unexpected(columns.error());
    }
    ReviewFile file;
    file.encoding = decoded->encoding;
    file.bytes = bytes.size();
    file.near_cap = bytes.size() >= k_review_export_near_cap_bytes;
    std::unordered_set<std::string> seen;
    for (std::size_t i = 1; i < records.size(); ++i) {
        if (decoded->truncated && i + 1 == records.size() && records[i].error.empty()) {
            records[i].error = "the file ends in the middle of a character (it was cut short)";
        }
        if (records[i].error.empty()) {
            std::string whole;
            for (const auto& field : records[i].fields) {
                whole += field;
                whole += '\x1f'; // unit separator: not in a review, keeps fields apart
            }
            if (!seen.insert(std::move(whole)).second) {
                ++file.repeated_rows;
                continue;
            }
        }
        auto row = read_row(records[i], *columns);
        if (row) {
            if (!file.oldest_posted_at_ms || row->posted_at_ms < *file.oldest_posted_at_ms) {
                file.oldest_posted_at_ms = row->posted_at_ms;
            }
            file.rows.push_back(std::move(*row));
        } else {
            file.problems.push_back(std::move(row.error()));
        }
    }
    return file;
}

} // namespace musubi::rakuten
