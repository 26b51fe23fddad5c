// Review CSV exports: header, quoting, time format and the CP932 / UTF-8 bytes.

#include <filesystem>
#include <fstream>
#include <iconv.h>
#include <regex>

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

// A simulator with shipped orders to review.
void ship_orders(Sim& sim, int count) {
    for (int i = 0; i < count; ++i) {
        sim.add_order({{"progress", 500}});
    }
    sim.advance(3 * k_day);
}

} // namespace

BOOST_AUTO_TEST_SUITE(review_csv)

BOOST_AUTO_TEST_CASE(fields_are_quoted_when_needed) {
    BOOST_TEST(csv_field("plain") == "plain");
    BOOST_TEST(csv_field("a,b") == "\"a,b\"");
    BOOST_TEST(csv_field("say \"hi\"") == "\"say \"\"hi\"\"\"");
    BOOST_TEST(csv_field("two\nlines") == "\"two\nlines\"");
}

BOOST_AUTO_TEST_CASE(review_time_format) {
    BOOST_TEST(format_review_time(*parse_rms_datetime("2026-09-05T08:12:37+0900")) ==
               "2026/09/05 8:12:37");
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
    BOOST_TEST(bytes.substr(0, k_sjis_head.size()) == k_sjis_head);
    std::string text = cp932_to_utf8(bytes);
    BOOST_TEST(text.substr(0, text.find("\r\n")) == std::string(k_review_csv_header));
    for (const auto& review : result["reviews"]) {
        BOOST_TEST(text.find(review["orderNumber"].get<std::string>()) != std::string::npos);
        BOOST_TEST(std::regex_match(review["postedAt"].get<std::string>(),
                                    std::regex(R"(\d{4}/\d{2}/\d{2} \d{1,2}:\d{2}:\d{2})")));
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
    std::string header(k_review_csv_header);
    BOOST_TEST(text.substr(0, header.size() + 2) == header + "\r\n");
    std::string row = text.substr(header.size() + 2);
    BOOST_TEST(row.find(",4,") != std::string::npos);
    BOOST_TEST(row.find(",\"\"\"最高\"\"です\",\"早い、安い\n美味しい\",0," + number + ",1\r\n") !=
               std::string::npos);

    sim.control("POST", "/reviews/export",
                {{"orderNumbers", {number}},
                 {"directory", dir.path.string()},
                 {"file", "plain.csv"},
                 {"encoding", "utf-8"}});
    BOOST_TEST(read_file(dir.path / "plain.csv").substr(0, header.size()) == header);
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
