// The shared drop-folder mechanics: the folder gets done/ and rejected/, only settled files with
// the folder's extension are handed over (hidden and other files are left alone), and nothing
// already in done/ or rejected/ is overwritten.

#include <chrono>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "daemon/files/drop_folder.hpp"
#include "support/temp_dir.hpp"

using namespace musubi;
using musubi::test::read_file;
using musubi::test::TempDir;
namespace fs = std::filesystem;

namespace {

struct Fixture {
    TempDir dir;
    fs::path drop = dir / "drop";
    log::Logger logger{"files-test"};
    files::DropFolder folder{
        logger, files::DropFolderOptions{".csv", std::chrono::seconds(5), "test.drop_dir"}};

    Fixture() { fs::create_directories(drop); }

    // A file copied in a while ago (old enough to be complete).
    fs::path settled(const std::string& name, const std::string& content = "x") {
        const auto file = dir.write("drop/" + name, content);
        fs::last_write_time(file, fs::file_time_type::clock::now() - std::chrono::minutes(1));
        return file;
    }
    // A file written just now (perhaps still being written).
    fs::path fresh(const std::string& name, const std::string& content = "x") {
        return dir.write("drop/" + name, content);
    }

    // One scan that takes every file it is handed (leaving it in place) and returns their names.
    std::vector<std::string> handed_over(files::ScanCounts* counts = nullptr) {
        std::vector<std::string> names;
        const auto result = folder.scan(drop, [&](const fs::path& file) {
            names.push_back(file.filename().string());
            return files::Outcome::retry;
        });
        if (counts) {
            *counts = result;
        }
        return names;
    }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(drop_folder, Fixture)

BOOST_AUTO_TEST_CASE(a_scan_creates_done_and_rejected) {
    handed_over();
    BOOST_TEST(fs::is_directory(drop / "done"));
    BOOST_TEST(fs::is_directory(drop / "rejected"));
}

BOOST_AUTO_TEST_CASE(only_visible_files_with_the_extension_are_handed_over_in_name_order) {
    settled("b.csv");
    settled("a.CSV");
    settled(".hidden.csv");
    settled("c.csv.part");
    settled("notes.txt");
    fs::create_directories(drop / "folder.csv");
    BOOST_TEST(handed_over() == (std::vector<std::string>{"a.CSV", "b.csv"}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_fresh_file_waits_until_it_is_seen_unchanged) {
    fresh("new.csv", "first part");
    files::ScanCounts counts;
    BOOST_TEST(handed_over(&counts).empty());
    BOOST_TEST(counts.waiting == 1);
    BOOST_TEST(handed_over() == (std::vector<std::string>{"new.csv"}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_file_still_growing_keeps_waiting) {
    fresh("new.csv", "first part");
    BOOST_TEST(handed_over().empty());
    fresh("new.csv", "first part and more");
    BOOST_TEST(handed_over().empty());
}

BOOST_AUTO_TEST_CASE(an_unusable_folder_is_reported_and_nothing_is_handed_over) {
    const auto file = dir.write("plain-file", "not a folder");
    int calls = 0;
    const auto counts = folder.scan(file, [&](const fs::path&) {
        ++calls;
        return files::Outcome::done;
    });
    BOOST_TEST(!counts.usable);
    BOOST_TEST(calls == 0);
}

BOOST_AUTO_TEST_CASE(free_names_never_overwrite) {
    const auto done = drop / "done";
    fs::create_directories(done);
    BOOST_TEST(files::free_name(done, "a.csv") == done / "a.csv");
    dir.write("drop/done/a.csv", "1");
    BOOST_TEST(files::free_name(done, "a.csv") == done / "a-2.csv");
    dir.write("drop/done/a-2.csv", "2");
    BOOST_TEST(files::free_name(done, "a.csv") == done / "a-3.csv");
}

BOOST_AUTO_TEST_CASE(done_files_move_under_a_free_name) {
    dir.write("drop/done/a.csv", "earlier");
    const auto file = settled("a.csv", "later");
    folder.scan(drop, [&](const fs::path&) { return files::Outcome::retry; }); // layout
    const auto target = folder.move_to_done(file, "unused");
    BOOST_REQUIRE(target);
    BOOST_TEST(*target == drop / "done" / "a-2.csv");
    BOOST_TEST(!fs::exists(file));
    BOOST_TEST(read_file(drop / "done" / "a.csv") == "earlier");
    BOOST_TEST(read_file(*target) == "later");
}

BOOST_AUTO_TEST_CASE(a_rejected_file_gets_its_reason_beside_it) {
    settled("bad.csv", "garbage");
    files::ScanCounts counts;
    counts = folder.scan(drop, [&](const fs::path& file) {
        return folder.reject(file, "wrong header", "理由 / reason\n");
    });
    BOOST_TEST(counts.rejected == 1);
    BOOST_TEST(!fs::exists(drop / "bad.csv"));
    BOOST_TEST(read_file(drop / "rejected" / "bad.csv") == "garbage");
    BOOST_TEST(read_file(drop / "rejected" / "bad.csv.reason") == "理由 / reason\n");
}

BOOST_AUTO_TEST_SUITE_END()
