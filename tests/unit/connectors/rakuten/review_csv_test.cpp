// Reading RMS review CSV exports: the three encodings, RFC 4180 quoting, the header check's
// error text, bad and truncated rows reported by line while good rows still count.

#include <chrono>
#include <iconv.h>

#include <boost/test/unit_test.hpp>

#include "connectors/rakuten/review_csv.hpp"

using namespace musubi::rakuten;
using namespace std::chrono;

namespace {

const std::string k_header = "レビュータイプ,商品名,レビュー詳細URL,評価,投稿時間,タイトル,"
                             "レビュー本文,フラグ,注文番号,未対応フラグ\r\n";

const std::string k_rows =
    "商品レビュー,静岡煎茶 100g,https://review.rakuten.co.jp/item/1/123456_10000001/ab12-cd34-"
    "ef56/,5,2026/09/05 8:12:37,美味しい,\"香りが良く、\"\"また\"\"買います。\r\n二行目\",0,"
    "123456-20260901-0000000001,1\r\n"
    "ショップレビュー,,https://review.rakuten.co.jp/shop/4/123456_123456/aa11-bb22-cc33/,4,"
    "2026/09/06 12:00:00,丁寧,対応が早い,0,123456-20260902-0000000002,1\r\n";

std::string to_cp932(const std::string& utf8) {
    iconv_t converter = iconv_open("CP932", "UTF-8");
    BOOST_REQUIRE(converter != reinterpret_cast<iconv_t>(-1));
    std::string input = utf8;
    std::string output(input.size() * 2, '\0');
    char* in = input.data();
    std::size_t in_left = input.size();
    char* out = output.data();
    std::size_t out_left = output.size();
    const std::size_t result = iconv(converter, &in, &in_left, &out, &out_left);
    iconv_close(converter);
    BOOST_REQUIRE(result != static_cast<std::size_t>(-1));
    output.resize(output.size() - out_left);
    return output;
}

std::int64_t ms(sys_seconds at) {
    return duration_cast<milliseconds>(at.time_since_epoch()).count();
}

void check_two_reviews(const ReviewFile& file) {
    BOOST_TEST_REQUIRE(file.rows.size() == 2u);
    BOOST_TEST(file.problems.empty());
    const auto& item = file.rows[0];
    BOOST_TEST(item.line == 2);
    BOOST_TEST(item.order_number == "123456-20260901-0000000001");
    BOOST_TEST((item.type == ReviewType::item));
    BOOST_TEST(item.item_name == "静岡煎茶 100g");
    BOOST_TEST(item.item_id == "123456_10000001");
    BOOST_TEST(item.rating == 5);
    // 2026/09/05 8:12:37 JST = 2026-09-04T23:12:37Z
    BOOST_TEST(item.posted_at_ms == ms(sys_days{2026y / September / 4} + 23h + 12min + 37s));
    const auto& shop = file.rows[1];
    BOOST_TEST(shop.line == 4); // the quoted body of line 2 spans two lines
    BOOST_TEST((shop.type == ReviewType::shop));
    BOOST_TEST(shop.item_name.empty());
    BOOST_TEST(shop.rating == 4);
    BOOST_TEST(shop.order_number == "123456-20260902-0000000002");
}

} // namespace

BOOST_AUTO_TEST_SUITE(review_csv)

BOOST_AUTO_TEST_CASE(reads_utf8) {
    auto file = parse_review_csv(k_header + k_rows);
    BOOST_REQUIRE_MESSAGE(file.has_value(), (file ? "" : file.error().message));
    BOOST_TEST(encoding_name(file->encoding) == "utf-8");
    check_two_reviews(*file);
}

BOOST_AUTO_TEST_CASE(reads_utf8_with_bom) {
    auto file = parse_review_csv("\xEF\xBB\xBF" + k_header + k_rows);
    BOOST_REQUIRE_MESSAGE(file.has_value(), (file ? "" : file.error().message));
    BOOST_TEST(encoding_name(file->encoding) == "utf-8-bom");
    check_two_reviews(*file);
}

BOOST_AUTO_TEST_CASE(reads_cp932) {
    const std::string bytes = to_cp932(k_header + k_rows);
    BOOST_TEST(bytes != k_header + k_rows);
    auto file = parse_review_csv(bytes);
    BOOST_REQUIRE_MESSAGE(file.has_value(), (file ? "" : file.error().message));
    BOOST_TEST(encoding_name(file->encoding) == "cp932");
    check_two_reviews(*file);
}

BOOST_AUTO_TEST_CASE(quoted_fields_keep_commas_quotes_and_line_breaks) {
    const auto records = split_csv("a,\"b, \"\"c\"\"\r\nd\",e\r\n\r\n\"\",f\ng,h");
    BOOST_TEST_REQUIRE(records.size() == 3u);
    BOOST_TEST(records[0].line == 1);
    BOOST_TEST_REQUIRE(records[0].fields.size() == 3u);
    BOOST_TEST(records[0].fields[1] == "b, \"c\"\r\nd");
    BOOST_TEST(records[0].fields[2] == "e");
    BOOST_TEST(records[1].line == 4); // after the blank line 3
    BOOST_TEST(records[1].fields[0] == "");
    BOOST_TEST(records[1].fields[1] == "f");
    BOOST_TEST(records[2].line == 5);
    BOOST_TEST(records[2].fields[1] == "h");
    BOOST_TEST(records[2].error.empty());
}

BOOST_AUTO_TEST_CASE(missing_columns_are_named) {
    auto file = parse_review_csv("レビュータイプ,商品名,レビュー詳細URL,タイトル,投稿時間\r\n");
    BOOST_REQUIRE(!file.has_value());
    BOOST_TEST(file.error().message ==
               "this is not an RMS review CSV: the header row (line 1) lacks the column(s) 評価, "
               "注文番号; the file needs the columns "
               "レビュータイプ,商品名,レビュー詳細URL,評価,投稿時間,注文番号 — export it again "
               "from RMS's review check tool (レビューチェックツール)");
    BOOST_TEST(file.error().message_ja.find("必要な列がありません: 評価, 注文番号") !=
               std::string::npos);
}

BOOST_AUTO_TEST_CASE(columns_are_found_by_name_in_any_order) {
    auto file = parse_review_csv("注文番号,評価,投稿時間,レビュータイプ,商品名,レビュー詳細URL\n"
                                 "123456-20260901-0000000001,3,2026/9/5 8:12,商品レビュー,緑茶,\n");
    BOOST_REQUIRE(file.has_value());
    BOOST_TEST_REQUIRE(file->rows.size() == 1u);
    BOOST_TEST(file->rows[0].rating == 3);
    BOOST_TEST(file->rows[0].item_name == "緑茶");
    BOOST_TEST(file->rows[0].item_id == "");
    BOOST_TEST(file->rows[0].posted_at_ms == ms(sys_days{2026y / September / 4} + 23h + 12min));
}

BOOST_AUTO_TEST_CASE(bad_rows_are_reported_by_line_and_the_rest_kept) {
    const std::string rows =
        "商品レビュー,緑茶,,9,2026/09/05 8:12:37,t,b,0,123456-20260901-0000000001,1\r\n"
        "動画レビュー,緑茶,,5,2026/09/05 8:12:37,t,b,0,123456-20260901-0000000002,1\r\n"
        "商品レビュー,緑茶,,5,2026/13/05 8:12:37,t,b,0,123456-20260901-0000000003,1\r\n"
        "商品レビュー,緑茶,,5,2026/09/05 8:12:37,t,b,0,1234,1\r\n"
        "商品レビュー,緑茶,,5,2026/09/05 8:12:37,t,b,0\r\n"
        "商品レビュー,緑茶,,5,2026/09/05 8:12:37,t,b,0,123456-20260901-0000000006,1\r\n";
    auto file = parse_review_csv(k_header + rows);
    BOOST_REQUIRE(file.has_value());
    BOOST_TEST_REQUIRE(file->rows.size() == 1u);
    BOOST_TEST(file->rows[0].line == 7);
    BOOST_TEST_REQUIRE(file->problems.size() == 5u);
    BOOST_TEST(file->problems[0].line == 2);
    BOOST_TEST(file->problems[0].reason == "評価 (rating) is not a whole number from 1 to 5");
    BOOST_TEST(file->problems[1].reason ==
               "レビュータイプ is neither 商品レビュー nor ショップレビュー");
    BOOST_TEST(file->problems[2].reason ==
               "投稿時間 (posted at) is not a time like 2026/09/05 8:12:37");
    BOOST_TEST(file->problems[3].reason ==
               "注文番号 is not an order number: it needs three groups of digits joined by '-' "
               "(RMS order numbers are 123456-20261122-0000000001, or with the older 8-digit "
               "sequence 123456-20171006-10640141)");
    BOOST_TEST(file->problems[3].reason_ja.starts_with("注文番号: 注文番号の形ではありません"));
    BOOST_TEST(file->problems[4].line == 6);
    BOOST_TEST(file->problems[4].reason == "the row has 8 fields where the header has 10 (a "
                                           "stray comma, or the file was cut short)");
}

BOOST_AUTO_TEST_CASE(a_truncated_file_loses_only_its_last_row) {
    // Cut in the title of the second review.
    const std::string full = k_header + k_rows;
    const std::string cut = full.substr(0, full.find("丁寧") + 3);
    auto file = parse_review_csv(cut);
    BOOST_REQUIRE(file.has_value());
    BOOST_TEST(file->rows.size() == 1u);
    BOOST_TEST_REQUIRE(file->problems.size() == 1u);
    BOOST_TEST(file->problems[0].line == 4);

    // CP932 cut in the middle of a two-byte character.
    const std::string cp932 =
        to_cp932(full.substr(0, full.find("丁寧"))) + to_cp932("丁").substr(0, 1);
    auto cut_cp932 = parse_review_csv(cp932);
    BOOST_REQUIRE_MESSAGE(cut_cp932.has_value(), (cut_cp932 ? "" : cut_cp932.error().message));
    BOOST_TEST(encoding_name(cut_cp932->encoding) == "cp932");
    BOOST_TEST(cut_cp932->rows.size() == 1u);
    BOOST_TEST(cut_cp932->problems.size() == 1u);
}

BOOST_AUTO_TEST_CASE(undecodable_and_empty_files_are_refused) {
    auto binary = parse_review_csv(std::string("\x89PNG\r\n\x1a\n\x00\x00\xff\xff", 12));
    BOOST_REQUIRE(!binary.has_value());
    BOOST_TEST(binary.error().message.starts_with(
        "the file is neither UTF-8 nor Shift_JIS (CP932): the bytes at offset"));
    auto empty = parse_review_csv("");
    BOOST_REQUIRE(!empty.has_value());
    BOOST_TEST(empty.error().message ==
               "the file is empty; export it again from RMS's review check tool");
}

BOOST_AUTO_TEST_CASE(review_times) {
    BOOST_TEST(parse_review_time("2026/09/05 8:12:37").value_or(0) ==
               ms(sys_days{2026y / September / 4} + 23h + 12min + 37s));
    BOOST_TEST(parse_review_time("2026-09-05 08:12:37").value_or(0) ==
               ms(sys_days{2026y / September / 4} + 23h + 12min + 37s));
    for (const char* bad : {"2026/02/30 8:12:37", "2026/09/05", "2026/09/05 24:00:00",
                            "2026/09/05 8:12:37 ", "yesterday", ""}) {
        BOOST_TEST(!parse_review_time(bad).has_value(), bad);
    }
}

BOOST_AUTO_TEST_SUITE_END()
