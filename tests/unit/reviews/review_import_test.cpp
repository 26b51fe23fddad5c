// Importing review CSVs into SQLite: each review once (same file twice, overlapping exports),
// its review.posted fact with subject and payload, reviews before their order, and old
// reviews recorded quiet.

#include <sstream>

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "daemon/reviews/review_import.hpp"
#include "daemon/store/sqlite/sqlite_store.hpp"
#include "support/temp_dir.hpp"

using namespace musubi;
using musubi::test::TempDir;

namespace {

const std::string k_header = "レビュータイプ,商品名,レビュー詳細URL,評価,投稿時間,タイトル,"
                             "レビュー本文,フラグ,注文番号,未対応フラグ\r\n";

std::string order_number(int n) {
    return "123456-20260901-000000000" + std::to_string(n);
}

// An item review of order_number(n), posted on September n.
std::string item_row(int n, int rating = 5, const std::string& item_name = "静岡煎茶") {
    return "商品レビュー," + item_name + ",https://review.rakuten.co.jp/item/1/123456_1000000" +
           std::to_string(n) + "/" + std::to_string(n) + "abc-def0-1234/," +
           std::to_string(rating) + ",2026/09/0" + std::to_string(n) +
           " 8:12:37,たいとる,\"ほんぶん, \"\"です\"\"\",0," + order_number(n) + ",1\r\n";
}

struct Fixture {
    TempDir dir;
    std::unique_ptr<store::sqlite::SqliteStore> store;

    Fixture() {
        auto opened =
            store::sqlite::SqliteStore::open(dir / "m.db", std::chrono::milliseconds(2000));
        BOOST_REQUIRE(opened);
        store = std::move(*opened);
    }

    // One value from the database file, read over a connection of the test's own.
    std::string query(const std::string& sql) {
        auto db = store::sqlite::Database::open(dir / "m.db");
        BOOST_REQUIRE(db);
        auto value = db->pragma_text(sql);
        BOOST_REQUIRE_MESSAGE(value.has_value(), (value ? "" : value.error().message));
        return *value;
    }

    reviews::FileImport import(const std::string& name, const std::string& content) {
        auto imported = reviews::import_review_file(dir.write(name, content), store->reviews());
        BOOST_REQUIRE_MESSAGE(imported.has_value(), (imported ? "" : imported.error().message));
        return *imported;
    }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(review_import, Fixture)

BOOST_AUTO_TEST_CASE(the_same_file_twice_records_each_review_once) {
    const std::string csv = k_header + item_row(1) + item_row(2) + item_row(3);
    const auto first = import("a.csv", csv);
    BOOST_TEST(first.rows == 3);
    BOOST_TEST(first.imported == 3);
    BOOST_TEST(first.duplicates == 0);
    const auto again = import("a.csv", csv);
    BOOST_TEST(again.imported == 0);
    BOOST_TEST(again.duplicates == 3);
    BOOST_TEST(query("SELECT count(*) FROM reviews") == "3");
    BOOST_TEST(query("SELECT count(*) FROM facts WHERE kind = 'review.posted'") == "3");
}

BOOST_AUTO_TEST_CASE(an_overlapping_later_export_adds_only_the_new_reviews) {
    import("week1.csv", k_header + item_row(1) + item_row(2) + item_row(3));
    // The later export sees reviews 2 and 3 again — one edited (rating 2), one after the shop
    // renamed the item — and two new ones.
    const auto later =
        import("week2.csv", k_header + item_row(2, 2) + item_row(3, 5, "【送料無料】静岡煎茶") +
                                item_row(4) + item_row(5));
    BOOST_TEST(later.imported == 2);
    BOOST_TEST(later.duplicates == 2);
    BOOST_TEST(query("SELECT count(*) FROM reviews") == "5");
    BOOST_TEST(query("SELECT count(*) FROM facts WHERE kind = 'review.posted'") == "5");
    BOOST_TEST(query("SELECT count(DISTINCT natural_key) FROM facts") == "5");
    // The first import wins.
    BOOST_TEST(query("SELECT rating FROM reviews WHERE order_number = '" + order_number(2) + "'") ==
               "5");
}

BOOST_AUTO_TEST_CASE(the_fact_names_the_order_and_carries_no_review_text) {
    import("a.csv", k_header + item_row(1, 4));
    BOOST_TEST(query("SELECT natural_key FROM facts") ==
               "rakuten:review:" + order_number(1) + ":item:123456_10000001");
    BOOST_TEST(query("SELECT subject FROM facts") == order_number(1));
    BOOST_TEST(query("SELECT friend_id IS NULL FROM facts") == "1");
    // 2026/09/01 8:12:37 JST
    BOOST_TEST(query("SELECT occurred_at FROM facts") == "1788217957000");
    BOOST_TEST(query("SELECT posted_at FROM reviews") == "1788217957000");
    const auto payload = nlohmann::json::parse(query("SELECT payload FROM facts"));
    BOOST_TEST(payload ==
               (nlohmann::json{{"rating", 4}, {"review_type", "item"}, {"item_name", "静岡煎茶"}}));
    BOOST_TEST(query("SELECT count(*) FROM facts WHERE payload LIKE '%ほんぶん%' OR payload LIKE "
                     "'%たいとる%'") == "0");
    BOOST_TEST(query("SELECT item_name || '/' || review_type FROM reviews") == "静岡煎茶/item");
}

BOOST_AUTO_TEST_CASE(a_review_before_its_order_is_kept_for_the_engine) {
    import("a.csv", k_header + item_row(1));
    // Unknown order: recorded, waiting for the engine (processed_at NULL).
    BOOST_TEST(query("SELECT count(*) FROM orders") == "0");
    BOOST_TEST(query("SELECT processed_at IS NULL FROM facts") == "1");
    store::OrderSnapshot order;
    order.order_number = order_number(1);
    order.progress = 500;
    order.ordered_at_ms = 1000;
    BOOST_REQUIRE(store->apply_order(order, store::Triggers::yes));
    // The order arriving later joins by number; the review is not recorded again.
    BOOST_TEST(query("SELECT count(*) FROM facts f JOIN orders o ON o.order_number = f.subject "
                     "WHERE f.kind = 'review.posted'") == "1");
    BOOST_TEST(import("a.csv", k_header + item_row(1)).duplicates == 1);
}

BOOST_AUTO_TEST_CASE(reviews_of_backfilled_orders_are_recorded_quiet) {
    store::OrderSnapshot order;
    order.order_number = order_number(1);
    order.progress = 700;
    order.ordered_at_ms = 1000;
    BOOST_REQUIRE(store->apply_order(order, store::Triggers::no));
    const auto imported = import("a.csv", k_header + item_row(1) + item_row(2));
    BOOST_TEST(imported.imported == 2);
    BOOST_TEST(imported.quiet == 1);
    BOOST_TEST(query("SELECT processed_at IS NOT NULL FROM facts WHERE subject = '" +
                     order_number(1) + "' AND kind = 'review.posted'") == "1");
    BOOST_TEST(query("SELECT processed_at IS NULL FROM facts WHERE subject = '" + order_number(2) +
                     "'") == "1");
}

BOOST_AUTO_TEST_CASE(reviews_posted_before_the_backfill_horizon_are_quiet) {
    // The poller's horizon: 2026-09-03 00:00 JST; reviews 1 and 2 are older.
    BOOST_REQUIRE(store->set_cursor("rakuten:horizon", "2026-09-03T00:00:00+0900"));
    const auto imported = import("a.csv", k_header + item_row(1) + item_row(2) + item_row(3));
    BOOST_TEST(imported.quiet == 2);
    BOOST_TEST(query("SELECT count(*) FROM facts WHERE processed_at IS NULL") == "1");
}

BOOST_AUTO_TEST_CASE(bad_rows_are_counted_and_the_rest_imported) {
    const auto imported =
        import("a.csv", k_header + item_row(1) + "商品レビュー,x,,7,2026/09/05 8:12:37,t,b,0," +
                            order_number(2) + ",1\r\n" + item_row(3));
    BOOST_TEST(imported.rows == 3);
    BOOST_TEST(imported.imported == 2);
    BOOST_TEST(imported.rejected == 1);
    BOOST_TEST_REQUIRE(imported.problems.size() == 1u);
    BOOST_TEST(imported.problems[0].line == 3);
    BOOST_TEST(query("SELECT count(*) FROM reviews") == "2");
}

BOOST_AUTO_TEST_CASE(repeated_rows_are_dropped_silently) {
    // Real exports quote every field and may repeat an identical row.
    const std::string quoted =
        "\"商品レビュー\",\"静岡煎茶\",\"https://review.rakuten.co.jp/item/1/"
        "123456_10000004/x/\",\"4\",\"2026/9/4 8:12:37\",\"t\",\"b\",\"0\",\"" +
        order_number(4) + "\",\"1\"\r\n";
    const auto imported = import("r.csv", k_header + item_row(1) + quoted + quoted + item_row(2));
    BOOST_TEST(imported.rows == 3);
    BOOST_TEST(imported.repeated == 1);
    BOOST_TEST(imported.imported == 3);
    BOOST_TEST(imported.duplicates == 0);
    BOOST_TEST(imported.rejected == 0);
    BOOST_TEST(query("SELECT count(*) FROM reviews") == "3");
    BOOST_TEST(!imported.near_cap);
    BOOST_TEST(query("SELECT near_cap || ' ' || reviews FROM review_exports") == "0 3");
}

BOOST_AUTO_TEST_CASE(a_file_near_the_cap_says_older_reviews_may_be_missing) {
    // Newest first, as RMS writes it: the last row is the oldest review read.
    std::string csv = k_header;
    const std::string body(2000, 'x');
    for (int n = 9; csv.size() < rakuten::k_review_export_near_cap_bytes; n = n == 1 ? 9 : n - 1) {
        csv += "商品レビュー,緑茶,https://review.rakuten.co.jp/item/1/123456_1/" +
               std::to_string(csv.size()) + "/,5,2026/9/" + std::to_string(n) + " 8:12:37,t," +
               body + ",0," + order_number(n) + ",1\r\n";
    }
    const auto imported = import("big.csv", csv);
    BOOST_TEST(imported.near_cap);
    BOOST_TEST(imported.bytes == static_cast<std::int64_t>(csv.size()));
    BOOST_REQUIRE(imported.oldest_posted_at_ms.has_value());
    BOOST_TEST(reviews::jst_date(*imported.oldest_posted_at_ms) == "2026-09-01");
    BOOST_TEST(reviews::near_cap_advice(imported).find("reviews older than 2026-09-01 (the oldest "
                                                       "review read) may be missing; export "
                                                       "reviews from RMS more often") !=
               std::string::npos);
    BOOST_TEST(query("SELECT near_cap FROM review_exports WHERE file = 'big.csv'") == "1");
    BOOST_TEST(query("SELECT oldest_posted_at FROM review_exports WHERE file = 'big.csv'") ==
               std::to_string(*imported.oldest_posted_at_ms));
    std::ostringstream out;
    BOOST_TEST(reviews::import_reviews_command(dir / "big.csv", store->reviews(), out) == 0);
    BOOST_TEST(out.str().find("near RMS's export cap of about 1.2 MB") != std::string::npos);
    BOOST_TEST(out.str().find("2026-09-01（読み取った中でいちばん古いレビューの日）より前") !=
               std::string::npos);
}

BOOST_AUTO_TEST_CASE(the_command_prints_counts_and_refusals) {
    std::ostringstream out;
    const auto file = dir.write("a.csv", k_header + item_row(1) + item_row(2));
    BOOST_TEST(reviews::import_reviews_command(file, store->reviews(), out) == 0);
    BOOST_TEST(out.str() ==
               file.string() + ": 2 rows (utf-8): 2 new, 0 already imported, 0 rejected\n");
    std::ostringstream refused;
    const auto wrong = dir.write("b.csv", "注文番号,評価\r\n");
    BOOST_TEST(reviews::import_reviews_command(wrong, store->reviews(), refused) == 1);
    BOOST_TEST(refused.str().find("lacks the column(s) レビュータイプ, 商品名, レビュー詳細URL, "
                                  "投稿時間") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
