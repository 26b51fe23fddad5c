// The review drop folder: read files go to done/ (with their rejected rows listed), unreadable
// ones to rejected/ with a .reason in Japanese and English, files still being written wait,
// and nothing is overwritten.

#include <sstream>

#include <boost/test/unit_test.hpp>
#include <spdlog/sinks/ostream_sink.h>

#include "daemon/reviews/review_drop.hpp"
#include "daemon/store/sqlite/sqlite_store.hpp"
#include "support/temp_dir.hpp"

using namespace musubi;
using musubi::test::read_file;
using musubi::test::TempDir;
namespace fs = std::filesystem;

namespace {

const std::string k_header = "レビュータイプ,商品名,レビュー詳細URL,評価,投稿時間,タイトル,"
                             "レビュー本文,フラグ,注文番号,未対応フラグ\r\n";

std::string row(int n, const std::string& rating = "5") {
    return "ショップレビュー,,," + rating + ",2026/09/05 8:12:37,t,b,0,123456-20260901-000000000" +
           std::to_string(n) + ",1\r\n";
}

struct Fixture {
    TempDir dir;
    fs::path drop = dir / "drop";
    std::unique_ptr<store::sqlite::SqliteStore> store;
    int wakes = 0;
    reviews::ReviewDrop watcher;

    Fixture()
        : store(open())
        , watcher(store->reviews(), "reviews", [this] { ++wakes; }) {
        fs::create_directories(drop);
    }

    std::unique_ptr<store::sqlite::SqliteStore> open() {
        auto opened =
            store::sqlite::SqliteStore::open(dir / "m.db", std::chrono::milliseconds(2000));
        BOOST_REQUIRE(opened);
        return std::move(*opened);
    }

    // A file as an export that was copied in a while ago (old enough to be complete).
    fs::path settled(const std::string& name, const std::string& content) {
        const auto file = dir.write("drop/" + name, content);
        fs::last_write_time(file, fs::file_time_type::clock::now() - std::chrono::minutes(1));
        return file;
    }

    std::int64_t stored_reviews() { return store->reviews().count().value_or(-1); }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(review_drop, Fixture)

BOOST_AUTO_TEST_CASE(a_read_file_moves_to_done) {
    settled("reviews-1.csv", k_header + row(1) + row(2));
    const auto scanned = watcher.scan(drop);
    BOOST_TEST(scanned.done == 1);
    BOOST_TEST(scanned.imported == 2);
    BOOST_TEST(!fs::exists(drop / "reviews-1.csv"));
    BOOST_TEST(fs::exists(drop / "done/reviews-1.csv"));
    BOOST_TEST(!fs::exists(drop / "done/reviews-1.csv.rejected.txt"));
    BOOST_TEST(stored_reviews() == 2);
    BOOST_TEST(wakes == 1);
    // Nothing new: nothing to wake the engine for.
    settled("reviews-1.csv", k_header + row(1) + row(2));
    watcher.scan(drop);
    BOOST_TEST(wakes == 1);
}

BOOST_AUTO_TEST_CASE(a_file_near_the_export_cap_is_logged_with_its_oldest_review) {
    std::ostringstream lines;
    config::LogConfig settings;
    settings.timestamps = config::Timestamps::never;
    log::setup(settings, {std::make_shared<spdlog::sinks::ostream_sink_mt>(lines)});
    // Newest first, as RMS writes exports; the last row (September 1) is the oldest read.
    std::string csv = k_header;
    const std::string body(4000, 'x');
    for (int n = 9; csv.size() < rakuten::k_review_export_near_cap_bytes; n = n == 1 ? 9 : n - 1) {
        csv += "ショップレビュー,,,5,2026/9/" + std::to_string(n) + " 8:12:37,t," + body +
               ",0,123456-20260901-000000000" + std::to_string(n) + ",1\r\n";
    }
    settled("big.csv", csv);
    BOOST_TEST(watcher.scan(drop).done == 1);
    log::setup(config::LogConfig{});
    const std::string text = lines.str();
    BOOST_TEST(text.find("level=warn") != std::string::npos, text);
    BOOST_TEST(text.find("event=file.near_cap file=big.csv bytes=" + std::to_string(csv.size()) +
                         " oldest_review=2026-09-01") != std::string::npos,
               text);
    BOOST_TEST(text.find("export reviews from RMS more often") != std::string::npos, text);
}

BOOST_AUTO_TEST_CASE(an_unreadable_file_moves_to_rejected_with_its_reason) {
    settled("wrong.csv", "注文番号,評価\r\n123456-20260901-0000000001,5\r\n");
    const auto scanned = watcher.scan(drop);
    BOOST_TEST(scanned.rejected == 1);
    BOOST_TEST(fs::exists(drop / "rejected/wrong.csv"));
    const auto reason = read_file(drop / "rejected/wrong.csv.reason");
    BOOST_TEST(reason.find("このファイルは取り込めませんでした: wrong.csv") != std::string::npos);
    BOOST_TEST(reason.find("必要な列がありません: レビュータイプ, 商品名, レビュー詳細URL, "
                           "投稿時間") != std::string::npos);
    BOOST_TEST(reason.find("This file was not imported: wrong.csv") != std::string::npos);
    BOOST_TEST(
        reason.find("lacks the column(s) レビュータイプ, 商品名, レビュー詳細URL, 投稿時間") !=
        std::string::npos);
    BOOST_TEST(stored_reviews() == 0);
}

BOOST_AUTO_TEST_CASE(rejected_rows_are_listed_beside_the_done_file) {
    settled("mixed.csv", k_header + row(1) + row(2, "x") + row(3));
    BOOST_TEST(watcher.scan(drop).done == 1);
    BOOST_TEST(stored_reviews() == 2);
    const auto listing = read_file(drop / "done/mixed.csv.rejected.txt");
    BOOST_TEST(listing.find("line 3: 評価 (rating) is not a whole number from 1 to 5") !=
               std::string::npos);
    BOOST_TEST(listing.find("3行目: 評価が1〜5の整数ではありません。") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_file_being_written_waits_for_the_next_scan) {
    dir.write("drop/fresh.csv", k_header + row(1)); // modified just now
    dir.write("drop/export.csv.part", k_header + row(2));
    dir.write("drop/notes.txt", "not a CSV");
    const auto first = watcher.scan(drop);
    BOOST_TEST(first.waiting == 1);
    BOOST_TEST(first.done == 0);
    BOOST_TEST(stored_reviews() == 0);
    // Same size and time as last seen: complete.
    const auto second = watcher.scan(drop);
    BOOST_TEST(second.done == 1);
    BOOST_TEST(stored_reviews() == 1);
    BOOST_TEST(fs::exists(drop / "export.csv.part"));
    BOOST_TEST(fs::exists(drop / "notes.txt"));
}

BOOST_AUTO_TEST_CASE(names_already_taken_are_never_overwritten) {
    settled("r.csv", k_header + row(1));
    watcher.scan(drop);
    settled("r.csv", k_header + row(1) + row(2));
    watcher.scan(drop);
    settled("r.csv", "");
    watcher.scan(drop);
    settled("r.csv", "");
    watcher.scan(drop);
    BOOST_TEST(fs::exists(drop / "done/r.csv"));
    BOOST_TEST(fs::exists(drop / "done/r-2.csv"));
    BOOST_TEST(fs::exists(drop / "rejected/r.csv.reason"));
    BOOST_TEST(fs::exists(drop / "rejected/r-2.csv.reason"));
    BOOST_TEST(stored_reviews() == 2);
}

BOOST_AUTO_TEST_CASE(the_thread_imports_what_is_dropped) {
    config::ReviewsConfig config;
    config.drop_dir = drop;
    config.scan_interval = std::chrono::milliseconds(20);
    watcher.reload(config, std::make_shared<clock::SystemClock>());
    settled("late.csv", k_header + row(1) + row(2) + row(3));
    for (int i = 0; i < 500 && !fs::exists(drop / "done/late.csv"); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    watcher.stop();
    BOOST_TEST(fs::exists(drop / "done/late.csv"));
    BOOST_TEST(stored_reviews() == 3);
    BOOST_TEST(watcher.files_done() == 1);
}

BOOST_AUTO_TEST_SUITE_END()
