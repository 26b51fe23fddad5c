#include <boost/test/unit_test.hpp>

#include "connectors/rakuten/datetime.hpp"

using namespace musubi::rakuten;
using namespace std::chrono;

namespace {
// 2026-11-22T01:05:06Z
const TimePoint k_instant = sys_days{2026y / November / 22} + 1h + 5min + 6s;
} // namespace

BOOST_AUTO_TEST_SUITE(rakuten_datetime)

BOOST_AUTO_TEST_CASE(formats_jst_with_plus_0900) {
    BOOST_TEST(format_rms_datetime(k_instant) == "2026-11-22T10:05:06+0900");
    // 15:00Z is midnight of the next JST day.
    BOOST_TEST(format_rms_datetime(sys_days{2026y / December / 31} + 15h) ==
               "2027-01-01T00:00:00+0900");
}

BOOST_AUTO_TEST_CASE(parses_what_it_formats) {
    auto parsed = parse_rms_datetime("2026-11-22T10:05:06+0900");
    BOOST_REQUIRE(parsed.has_value());
    BOOST_TEST(parsed->time_since_epoch().count() == k_instant.time_since_epoch().count());
    auto new_year = parse_rms_datetime("2027-01-01T00:00:00+0900");
    BOOST_REQUIRE(new_year.has_value());
    BOOST_TEST(format_rms_datetime(*new_year) == "2027-01-01T00:00:00+0900");
}

BOOST_AUTO_TEST_CASE(reads_plus_09_colon_00_as_newer_documentation_writes_it) {
    auto compact = parse_rms_datetime("2026-11-22T10:05:06+0900");
    auto colon = parse_rms_datetime("2026-11-22T10:05:06+09:00");
    BOOST_REQUIRE(compact.has_value());
    BOOST_REQUIRE(colon.has_value());
    BOOST_TEST(colon->time_since_epoch().count() == k_instant.time_since_epoch().count());
    BOOST_TEST(format_rms_datetime(*colon) == "2026-11-22T10:05:06+0900"); // requests: +0900
}

BOOST_AUTO_TEST_CASE(refuses_other_offsets_and_shapes) {
    for (const char* text :
         {"2026-11-22T10:05:06+0900:00", "2026-11-22T10:05:06+09:0", "2026-11-22T10:05:06Z",
          "2026-11-22T01:05:06+0000", "2026-11-22T10:05:06", "2026-11-22T10:05:06.123+0900",
          "2026-11-22 10:05:06+0900", "2026/11/22T10:05:06+0900", "2026-11-22T1a:05:06+0900", ""}) {
        auto parsed = parse_rms_datetime(text);
        BOOST_TEST(!parsed.has_value(), text);
    }
    BOOST_TEST(parse_rms_datetime("2026-11-22T10:05:06Z").error() ==
               "expected JST like 2026-11-22T10:05:06+0900 (offset +0900 or +09:00)");
}

BOOST_AUTO_TEST_CASE(refuses_impossible_dates_and_times) {
    BOOST_TEST(parse_rms_datetime("2026-02-29T10:00:00+0900").error() ==
               "not a real calendar date");
    BOOST_TEST(parse_rms_datetime("2026-13-01T10:00:00+0900").error() ==
               "not a real calendar date");
    BOOST_TEST(parse_rms_datetime("2026-11-22T24:00:00+0900").error() == "not a real time of day");
    BOOST_TEST(parse_rms_datetime("2028-02-29T23:59:59+0900").has_value());
}

BOOST_AUTO_TEST_CASE(license_expiry_is_jst_without_offset) {
    auto expiry = parse_rms_local_datetime("2026-11-28T23:59:59");
    BOOST_REQUIRE(expiry.has_value());
    BOOST_TEST(format_rms_datetime(*expiry) == "2026-11-28T23:59:59+0900");
    BOOST_TEST(!parse_rms_local_datetime("2026-11-28T23:59:59+0900").has_value());
}

BOOST_AUTO_TEST_CASE(dates) {
    auto day = parse_rms_date("2026-11-22");
    BOOST_REQUIRE(day.has_value());
    BOOST_TEST(format_rms_date(*day) == "2026-11-22");
    BOOST_TEST(!parse_rms_date("2026-11-31").has_value());
    BOOST_TEST(!parse_rms_date("2026-11-2").has_value());
    BOOST_TEST(!parse_rms_date("2026-11-22T00:00:00+0900").has_value());
}

BOOST_AUTO_TEST_SUITE_END()
