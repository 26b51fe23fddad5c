// The `rakuten:` scenario section is read strictly.

#include "rakuten/settings.hpp"
#include "sim_fixture.hpp"

namespace musubi::sim::rakuten::test {

BOOST_AUTO_TEST_SUITE(settings)

BOOST_AUTO_TEST_CASE(unknown_keys_list_the_valid_ones) {
    try {
        parse_rms_settings(YAML::Load("shop_id: \"123456\"\ngenrator: {}\n"));
        BOOST_FAIL("no error");
    } catch (const SettingsError& error) {
        std::string text = error.what();
        BOOST_TEST(text.find("'genrator'") != std::string::npos);
        BOOST_TEST(text.find("line 2") != std::string::npos);
        BOOST_TEST(text.find("generator") != std::string::npos);
    }
    BOOST_CHECK_THROW(parse_rms_settings(YAML::Load("generator: {orders_per_hour: -1}")),
                      SettingsError);
    BOOST_CHECK_THROW(parse_rms_settings(YAML::Load("shop_id: \"12345\"")), SettingsError);
    BOOST_CHECK_THROW(parse_rms_settings(YAML::Load("reviews: {encoding: latin1}")), SettingsError);
    BOOST_CHECK_THROW(parse_rms_settings(YAML::Load("license_keys: [{key: a, expires: tomorrow}]")),
                      SettingsError);
}

BOOST_AUTO_TEST_CASE(scenario_values_are_used) {
    Sim sim(R"(
shop_id: "654321"
seed: 9
generator:
  backfill_count: 50
  backfill_days: 5
faults:
  error_rate: 1.0
)");
    auto state = sim.control("GET", "/state");
    BOOST_TEST(state["shopId"] == "654321");
    BOOST_TEST(state["orders"] == 50);
    BOOST_TEST(state["faults"]["errorRate"] == 1.0);
    auto listed = sim.control("GET", "/orders?limit=1");
    BOOST_TEST(listed["orders"][0]["orderNumber"].get<std::string>().substr(0, 7) == "654321-");
    BOOST_TEST(sim.search(search_body(1, sim.at(-k_day), sim.at(0))).status == 503);
}

BOOST_AUTO_TEST_SUITE_END()

} // namespace musubi::sim::rakuten::test
