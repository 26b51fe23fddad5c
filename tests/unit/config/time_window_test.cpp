#include <boost/test/unit_test.hpp>

#include "daemon/config/time_window.hpp"

using musubi::config::parse_time_of_day;
using musubi::config::parse_time_window;
using musubi::config::TimeOfDay;

BOOST_AUTO_TEST_SUITE(time_window)

BOOST_AUTO_TEST_CASE(a_day_window_contains_its_start_but_not_its_end) {
    auto window = parse_time_window("10:00-20:00");
    BOOST_REQUIRE(window);
    BOOST_TEST(window->contains(TimeOfDay{10 * 60}));
    BOOST_TEST(window->contains(TimeOfDay{19 * 60 + 59}));
    BOOST_TEST(!window->contains(TimeOfDay{20 * 60}));
    BOOST_TEST(!window->contains(TimeOfDay{9 * 60 + 59}));
}

BOOST_AUTO_TEST_CASE(a_window_can_cross_midnight_and_end_at_24) {
    auto night = parse_time_window("21:00-08:00");
    BOOST_REQUIRE(night);
    BOOST_TEST(night->contains(TimeOfDay{23 * 60}));
    BOOST_TEST(night->contains(TimeOfDay{7 * 60}));
    BOOST_TEST(!night->contains(TimeOfDay{12 * 60}));
    auto evening = parse_time_window("18:00-24:00");
    BOOST_REQUIRE(evening);
    BOOST_TEST(evening->contains(TimeOfDay{23 * 60 + 59}));
    BOOST_TEST(evening->to_string() == "18:00-24:00");
    BOOST_TEST(parse_time_window("9:00-17:30")->to_string() == "09:00-17:30");
    BOOST_TEST(parse_time_window("00:00-24:00")->contains(TimeOfDay{0}));
}

BOOST_AUTO_TEST_CASE(what_is_not_a_window) {
    for (const char* text : {"10:00", "10:00-25:00", "10-20", "10:00-10:00", "10:60-11:00",
                             "10:00 - 20:00", "24:00-10:00"}) {
        BOOST_TEST(!parse_time_window(text), "'" << text << "' should be refused");
    }
    BOOST_TEST(parse_time_window("10:00-10:00").error() ==
               "'10:00-10:00' is an empty window (it starts and ends at the same time)");
    BOOST_TEST(!parse_time_of_day("24:00"));
    BOOST_TEST(parse_time_of_day("07:05")->minutes == 7 * 60 + 5);
}

BOOST_AUTO_TEST_SUITE_END()
