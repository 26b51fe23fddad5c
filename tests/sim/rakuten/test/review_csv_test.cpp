// Review CSV exports: header, quoting, time format and the CP932 / UTF-8 bytes.

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iconv.h>
#include <regex>
#include <vector>

#include "rakuten/review_csv.hpp"
#include "sim_fixture.hpp"

namespace musubi::sim::rakuten::test {

namespace {

struct TempDir {
    std::filesystem::path path;
    TempDir() {
        std::string pattern =
            (std::filesystem::temp_directory_path() / "musubi-sim-rakuten-XXXXXX").string();
        path = mkdtemp(pattern.data());
    }
    ~TempDir() { std::filesystem::remove_all(path); }
};

std::string read_file(const std::filesystem::path& path) {
    std::string bytes(std::filesystem::file_size(path), '\0');
    std::ifstream in(path, std::ios::binary);
    in.read(bytes.data(), std::streamsize(bytes.size()));
    return bytes;
}

std::string cp932_to_utf8(const std::string& bytes) {
    iconv_t converter = iconv_open("UTF-8", "CP932");
    std::string input = bytes;
    std::string output(input.size() * 3 + 16, '\0');
    char* in = input.data();
    std::size_t in_left = input.size();
    char* out = output.data();
    std::size_t out_left = output.size();
    BOOST_REQUIRE(iconv(converter, &in, &in_left, &out, &out_left) != std::size_t(-1));
    iconv_close(converter);
    output.resize(output.size() - out_left);
    return output;
}

// The header as real exports write it: every name quoted.
std::string quoted_header() {
    std::string header = "\"" + std::string(k_review_csv_header) + "\"";
    for (std::size_t at = header.find(','); at != std::string::npos;
         at = header.find(',', at + 3)) {
        header.replace(at, 1, "\",\"");
    }
    return header;
}

// A simulator with shipped orders to review.
void ship_orders(Sim& sim, int count) {
    for (int i = 0; i < count; ++i) {
        sim.add_order({{"progress", 500}});
    }
    sim.advance(3 * k_day);
}

} // namespace

BOOST_AUTO_TEST_SUITE(review_csv)

BOOST_AUTO_TEST_CASE(every_field_is_quoted) {
    BOOST_TEST(csv_field("plain") == "\"plain\"");
    BOOST_TEST(csv_field("") == "\"\"");
    BOOST_TEST(csv_field("a,b") == "\"a,b\"");
    BOOST_TEST(csv_field("say \"hi\"") == "\"say \"\"hi\"\"\"");
    BOOST_TEST(csv_field("two\nlines") == "\"two\nlines\"");
}

BOOST_AUTO_TEST_CASE(review_time_format) {
    BOOST_TEST(format_review_time(*parse_rms_datetime("2026-09-05T08:12:37+0900")) ==
               "2026/9/5 8:12:37");
    BOOST_TEST(format_review_time(*parse_rms_datetime("2026-07-10T09:07:30+0900")) ==
               "2026/7/10 9:07:30");
    BOOST_TEST(format_review_time(*parse_rms_datetime("2026-12-31T23:05:09+0900")) ==
               "2026/12/31 23:05:09");
}

BOOST_AUTO_TEST_CASE(cp932_export_has_the_exact_header) {
    Sim sim;
    TempDir dir;
    ship_orders(sim, 5);
    auto result = sim.control("POST", "/reviews/export",
                              {{"count", 3}, {"directory", dir.path.string()}, {"file", "r.csv"}});
    BOOST_TEST(result["rows"] == 3);
    BOOST_TEST(result["encoding"] == "cp932");
    std::string bytes = read_file(dir.path / "r.csv");
    // "レビュータイプ" in Shift_JIS (CP932).
    const std::string k_sjis_head = "\x83\x8c\x83\x72\x83\x85\x81\x5b\x83\x5e\x83\x43\x83\x76";
    BOOST_TEST(bytes.substr(0, 1 + k_sjis_head.size()) == "\"" + k_sjis_head);
    std::string text = cp932_to_utf8(bytes);
    BOOST_TEST(text.substr(0, text.find("\r\n")) == quoted_header());
    for (const auto& review : result["reviews"]) {
        BOOST_TEST(text.find(review["orderNumber"].get<std::string>()) != std::string::npos);
        BOOST_TEST(std::regex_match(review["postedAt"].get<std::string>(),
                                    std::regex(R"(\d{4}/[1-9]\d?/[1-9]\d? \d{1,2}:\d{2}:\d{2})")));
        BOOST_TEST(review["reviewType"] == "商品レビュー");
    }
}

BOOST_AUTO_TEST_CASE(utf8_exports_and_quoting) {
    Sim sim;
    TempDir dir;
    ship_orders(sim, 2);
    auto numbers = sim.control("GET", "/orders")["orders"];
    std::string number = numbers[0]["orderNumber"];
    sim.control("POST", "/reviews/export",
                {{"orderNumbers", {number}},
                 {"directory", dir.path.string()},
                 {"file", "bom.csv"},
                 {"encoding", "utf-8-bom"},
                 {"rating", 4},
                 {"title", "\"最高\"です"},
                 {"body", "早い、安い\n美味しい"}});
    std::string bytes = read_file(dir.path / "bom.csv");
    BOOST_TEST(bytes.substr(0, 3) == "\xEF\xBB\xBF");
    std::string text = bytes.substr(3);
    std::string header = quoted_header();
    BOOST_TEST(text.substr(0, header.size() + 2) == header + "\r\n");
    std::string row = text.substr(header.size() + 2);
    BOOST_TEST(row.find(",\"4\",") != std::string::npos);
    BOOST_TEST(row.find(",\"\"\"最高\"\"です\",\"早い、安い\n美味しい\",\"0\",\"" + number +
                        "\",\"1\"\r\n") != std::string::npos);

    sim.control("POST", "/reviews/export",
                {{"orderNumbers", {number}},
                 {"directory", dir.path.string()},
                 {"file", "plain.csv"},
                 {"encoding", "utf-8"}});
    BOOST_TEST(read_file(dir.path / "plain.csv").substr(0, header.size()) == header);
}

BOOST_AUTO_TEST_CASE(exports_are_newest_first_and_capped_at_about_1_2_mb) {
    Sim sim;
    TempDir dir;
    ship_orders(sim, 40);
    // Long bodies make a few rows weigh what thousands of real ones do.
    const std::string body(3000, 'x');
    auto full = sim.control("POST", "/reviews/export",
                            {{"count", 40},
                             {"directory", dir.path.string()},
                             {"file", "all.csv"},
                             {"encoding", "utf-8"},
                             {"body", body},
                             {"capBytes", 60'000}});
    BOOST_TEST(full["bytes"].get<std::size_t>() <= 60'000U);
    BOOST_TEST(full["bytes"].get<std::size_t>() > 50'000U);
    BOOST_TEST(full["droppedByCap"].get<int>() + full["rows"].get<int>() == 40);
    BOOST_TEST(full["droppedByCap"].get<int>() > 0);
    // Newest first: each row's time is no later than the one before.
    std::vector<std::string> times;
    for (const auto& review : full["reviews"]) {
        times.push_back(review["postedAt"]);
    }
    const auto seconds = [](const std::string& text) {
        int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
        std::sscanf(text.c_str(), "%d/%d/%d %d:%d:%d", &y, &mo, &d, &h, &mi, &s);
        return ((((y * 13L + mo) * 32L + d) * 24L + h) * 60L + mi) * 60L + s;
    };
    for (std::size_t i = 1; i < times.size(); ++i) {
        BOOST_TEST(seconds(times[i]) <= seconds(times[i - 1]),
                   times[i] << " after " << times[i - 1]);
    }
    BOOST_TEST(std::filesystem::file_size(dir.path / "all.csv") ==
               full["bytes"].get<std::size_t>());
    BOOST_TEST(k_review_export_cap_bytes == 1'200'000U);
}

BOOST_AUTO_TEST_CASE(exports_may_repeat_an_identical_row) {
    Sim sim;
    TempDir dir;
    ship_orders(sim, 6);
    auto result = sim.control("POST", "/reviews/export",
                              {{"count", 6},
                               {"directory", dir.path.string()},
                               {"file", "rep.csv"},
                               {"encoding", "utf-8"},
                               {"repeatEvery", 3}});
    BOOST_TEST(result["rows"] == 8); // rows 3 and 6 twice
    std::string text = read_file(dir.path / "rep.csv");
    std::vector<std::string> lines;
    std::size_t start = 0;
    // Bodies may hold line breaks inside quotes; split on the row ends only ("\r\n" after a
    // closing quote of the last field, which is always "1").
    for (std::size_t end = text.find("\"1\"\r\n"); end != std::string::npos;
         end = text.find("\"1\"\r\n", start)) {
        lines.push_back(text.substr(start, end + 5 - start));
        start = end + 5;
    }
    BOOST_TEST_REQUIRE(lines.size() == 8U); // lines[0] starts with the header
    BOOST_TEST(lines[2] == lines[3]);
    BOOST_TEST(lines[6] == lines[7]);
    BOOST_TEST(lines[1] != lines[2]);
}

BOOST_AUTO_TEST_CASE(export_refusals) {
    Sim sim;
    TempDir dir;
    BOOST_TEST(sim.control_raw("POST", "/reviews/export", {{"count", 1}}).status == 400);
    BOOST_TEST(sim.control_raw("POST", "/reviews/export",
                               {{"directory", dir.path.string()}, {"encoding", "latin1"}})
                   .status == 400);
    BOOST_TEST(sim.control_raw("POST", "/reviews/export",
                               {{"directory", dir.path.string()}, {"file", "../x.csv"}})
                   .status == 400);
    BOOST_TEST(sim.control_raw("POST", "/reviews/export",
                               {{"directory", dir.path.string()}, {"orderNumbers", {"nope"}}})
                   .status == 404);
}

BOOST_AUTO_TEST_SUITE_END()

} // namespace musubi::sim::rakuten::test
