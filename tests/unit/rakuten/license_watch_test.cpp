// The license key's days left, counted in JST calendar days, and when they warn.

#include <boost/test/unit_test.hpp>

#include "daemon/rakuten/license_watch.hpp"

using namespace musubi::rakuten_poller;
using namespace std::chrono;

namespace {

// Keys expire at the end of a JST day: 2026-11-28T23:59:59+0900 = 14:59:59Z.
const musubi::rakuten::TimePoint k_expiry = sys_days{2026y / November / 28} + 14h + 59min + 59s;

musubi::clock::Millis jst(sys_days day, hours hour) {
    return duration_cast<milliseconds>((day + hour - 9h).time_since_epoch()).count();
}

} // namespace

BOOST_AUTO_TEST_SUITE(license_watch)

BOOST_AUTO_TEST_CASE(far_from_expiry_is_valid) {
    const auto status = assess_license(k_expiry, jst(sys_days{2026y / November / 1}, 10h));
    BOOST_TEST((status.state == LicenseState::valid));
    BOOST_TEST(status.days_left == 27);
}

BOOST_AUTO_TEST_CASE(warns_from_fourteen_days_before) {
    const auto fifteen = assess_license(k_expiry, jst(sys_days{2026y / November / 13}, 23h));
    BOOST_TEST((fifteen.state == LicenseState::valid));
    BOOST_TEST(fifteen.days_left == 15);
    // Just after JST midnight the count drops, whatever the UTC date.
    const auto fourteen = assess_license(k_expiry, jst(sys_days{2026y / November / 14}, 0h));
    BOOST_TEST((fourteen.state == LicenseState::expiring));
    BOOST_TEST(fourteen.days_left == 14);
}

BOOST_AUTO_TEST_CASE(the_last_day_has_zero_days_left_then_it_is_expired) {
    const auto last_day = assess_license(k_expiry, jst(sys_days{2026y / November / 28}, 23h));
    BOOST_TEST((last_day.state == LicenseState::expiring));
    BOOST_TEST(last_day.days_left == 0);
    const auto after = assess_license(k_expiry, jst(sys_days{2026y / November / 30}, 9h));
    BOOST_TEST((after.state == LicenseState::expired));
    BOOST_TEST(after.days_left == -2);
}

BOOST_AUTO_TEST_CASE(the_steps_say_where_the_key_goes_and_how_to_reload) {
    const auto steps = license_renew_steps();
    BOOST_TEST(steps.find("rakuten.license_key_file") != std::string::npos);
    BOOST_TEST(steps.find("systemctl restart musubi") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
