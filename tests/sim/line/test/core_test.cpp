// The simulator core as the LINE side relies on it: clock control, CLI, scenario file, ids.

#include <regex>

#include <boost/test/unit_test.hpp>

#include "core/options.hpp"
#include "line/ids.hpp"
#include "support.hpp"

using namespace musubi::sim;
using namespace musubi::sim::line;
using namespace musubi::sim::line::test;
using nlohmann::json;

BOOST_AUTO_TEST_SUITE(sim_core)

BOOST_AUTO_TEST_CASE(clock_can_be_read_set_and_advanced) {
    Sim sim;
    auto set =
        sim.call("POST", "/_sim/clock", R"({"set": "2026-11-22T10:05:06+0900", "speed": 0})");
    BOOST_TEST(set.status == 200);
    BOOST_TEST(
        body_of(set) ==
        json({{"now", "2026-11-22T10:05:06+0900"}, {"epoch_ms", 1795309506000LL}, {"speed", 0.0}}));
    sim.call("POST", "/_sim/clock", R"({"advance": "3d"})");
    BOOST_TEST(body_of(sim.call("GET", "/_sim/clock"))["now"] == "2026-11-25T10:05:06+0900");
    sim.call("POST", "/_sim/clock", R"({"advance_ms": 1500})");
    BOOST_TEST(body_of(sim.call("GET", "/_sim/clock"))["epoch_ms"] == 1795568707500LL);
    BOOST_TEST(sim.call("POST", "/_sim/clock", R"({"set": "2026-11-22 10:05"})").status == 400);
    BOOST_TEST(sim.call("POST", "/_sim/clock", R"({"jump": 1})").status == 400);
}

BOOST_AUTO_TEST_CASE(control_routes_and_health) {
    Sim sim;
    auto health = body_of(sim.call("GET", "/_sim/health"));
    BOOST_TEST(health["status"] == "ok");
    BOOST_TEST(health["services"] == json::array({"line"}));
    BOOST_TEST(sim.call("GET", "/_sim/nothing/ledger").status == 404);
    BOOST_TEST(sim.call("GET", "/_sim/line/nothing").status == 404);
}

BOOST_AUTO_TEST_CASE(cli_options) {
    auto options =
        parse_cli({"--scenario", "s.yaml", "--listen", "127.0.0.1:0", "--port-file", "p"});
    BOOST_TEST(options.scenario_path == "s.yaml");
    BOOST_TEST(*options.listen == "127.0.0.1:0");
    BOOST_TEST(*options.port_file == "p");
    BOOST_CHECK_THROW(parse_cli({"--bogus"}), CliError);
    BOOST_CHECK_THROW(parse_cli({"--listen"}), CliError);
    BOOST_TEST(parse_endpoint("127.0.0.1:8480")->port == 8480);
    BOOST_TEST(parse_endpoint(":0")->host == "127.0.0.1");
    BOOST_TEST(!parse_endpoint("127.0.0.1:http"));
}

BOOST_AUTO_TEST_CASE(scenario_file_keys_are_checked_with_positions) {
    auto scenario = scenario_from_yaml(YAML::Load("listen: 127.0.0.1:8480\nline: {}\n"), "s.yaml");
    BOOST_TEST(scenario.server.api.port == 8480);
    try {
        scenario_from_yaml(YAML::Load("listen: 127.0.0.1:8480\nlsten: x\n"), "s.yaml");
        BOOST_FAIL("expected a ScenarioError");
    } catch (const ScenarioError& error) {
        BOOST_TEST(std::string(error.what()) ==
                   "s.yaml:2:1: unknown key 'lsten'; valid keys: clock, data_listen, line, "
                   "listen, rakuten, threads");
    }
    BOOST_CHECK_THROW(Sim("line:\n  webhook: x\n"), ScenarioError);
    BOOST_CHECK_THROW(Sim("line:\n  rate_limits: {push: fast}\n"), ScenarioError);
}

BOOST_AUTO_TEST_CASE(signature_matches_the_contract_test_vector) {
    BOOST_TEST(sign_body("8c570fa6dd201bb328f1c1eac23a96d8",
                         R"({"destination":"U8e742f61d673b39c7fff3cecb7536ef0","events":[]})") ==
               "GhRKmvmHys4Pi8DxkF4+EayaH0OqtJtaZxgTD9fMDLs=");
}

BOOST_AUTO_TEST_CASE(ids_have_the_documented_shapes) {
    IdSource ids;
    auto ulid = ids.ulid(1795309506000LL);
    BOOST_TEST(std::regex_match(ulid, std::regex("[0-9A-HJKMNP-TV-Z]{26}")));
    BOOST_TEST(ulid.substr(0, 10) == ids.ulid(1795309506000LL).substr(0, 10));
    BOOST_TEST(ulid != ids.ulid(1795309506000LL));
    BOOST_TEST(is_uuid(ids.uuid()));
    BOOST_TEST(!is_uuid("123e4567e89b12d3a456426614174000"));
}

BOOST_AUTO_TEST_SUITE_END()
