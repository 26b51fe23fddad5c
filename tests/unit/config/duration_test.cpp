#include <boost/test/unit_test.hpp>

#include "daemon/config/duration.hpp"

using namespace std::chrono_literals;
using musubi::config::format_duration;
using musubi::config::parse_duration;

BOOST_AUTO_TEST_SUITE(duration)

BOOST_AUTO_TEST_CASE(units_and_combinations_staff_write) {
    BOOST_TEST(parse_duration("90m")->count() == std::chrono::milliseconds(90min).count());
    BOOST_TEST(parse_duration("3d")->count() == std::chrono::milliseconds(72h).count());
    BOOST_TEST(parse_duration("1h30m")->count() == std::chrono::milliseconds(90min).count());
    BOOST_TEST(parse_duration("250ms")->count() == 250);
    BOOST_TEST(parse_duration("2w")->count() == std::chrono::milliseconds(336h).count());
    BOOST_TEST(parse_duration("0s")->count() == 0);
}

BOOST_AUTO_TEST_CASE(what_is_not_a_duration) {
    for (const char* text : {"", "3", "3 days", "3days", "d", "-1d", "1.5h", "3D", "１日"}) {
        auto parsed = parse_duration(text);
        BOOST_TEST(!parsed, "'" << text << "' should be refused");
    }
    BOOST_TEST(parse_duration("3days").error() == "'3days' is not a duration");
    BOOST_TEST(parse_duration("99999d").error() == "'99999d' is out of range (0 to 3650d)");
}

BOOST_AUTO_TEST_CASE(format_is_the_shortest_text_that_reads_back) {
    BOOST_TEST(format_duration(90min) == "1h30m");
    BOOST_TEST(format_duration(72h) == "3d");
    BOOST_TEST(format_duration(std::chrono::milliseconds(1500)) == "1s500ms");
    BOOST_TEST(format_duration(std::chrono::milliseconds(0)) == "0s");
    for (const char* text : {"1h30m", "3d", "14d", "250ms", "1d2h3m4s5ms"}) {
        BOOST_TEST(format_duration(*parse_duration(text)) == text);
    }
}

BOOST_AUTO_TEST_SUITE_END()
