// ESA authentication, license-key expiry and the license control routes.

#include "sim_fixture.hpp"

namespace musubi::sim::rakuten::test {

namespace {

json empty_search() {
    return search_body(1, "2026-11-01T00:00:00+0900", "2026-11-22T00:00:00+0900");
}

void require_401(const Response& response) {
    BOOST_TEST(response.status == 401);
    BOOST_TEST(body_of(response)["Results"]["errorCode"] == "AuthError");
}

} // namespace

BOOST_AUTO_TEST_SUITE(auth)

BOOST_AUTO_TEST_CASE(right_key_is_accepted) {
    Sim sim;
    auto response = sim.search(empty_search());
    BOOST_TEST(response.status == 200);
    BOOST_TEST(first_code(response) == "ORDER_EXT_API_SEARCH_ORDER_INFO_102");
}

BOOST_AUTO_TEST_CASE(wrong_or_missing_credentials_get_401) {
    Sim sim;
    std::string body = empty_search().dump();
    std::string wrong_key = esa_authorization(k_secret, "SL_other");
    std::string wrong_secret = esa_authorization("SP_other", k_key);
    std::string not_base64 = "ESA !!!notbase64!!!";
    std::string basic = "Basic " + base64_encode(k_secret + ":" + k_key);
    std::string no_colon = "ESA " + base64_encode(k_secret + k_key);
    for (const auto* header : {&wrong_key, &wrong_secret, &not_base64, &basic, &no_colon}) {
        require_401(sim.api("POST", k_search, body, header));
    }
    Request bare;
    bare.method = "POST";
    bare.path = k_search;
    bare.headers["content-type"] = "application/json";
    bare.body = body;
    require_401(*sim.service->handle(bare));
}

BOOST_AUTO_TEST_CASE(key_lives_90_days_to_the_end_of_the_jst_day) {
    Sim sim;
    std::string path = "/es/1.0/license-management/license-key/expiry-date?licenseKey=" + k_key;
    auto lookup = sim.api("GET", path, "", nullptr, "");
    BOOST_TEST(lookup.status == 200);
    BOOST_TEST(lookup.body == R"({"expiryDate":"2027-02-20T23:59:59"})");

    sim.clock.set(time_of("2027-02-20T23:59:59+0900"));
    BOOST_TEST(sim.search(empty_search()).status == 200);
    sim.clock.set(time_of("2027-02-21T00:00:00+0900"));
    require_401(sim.search(empty_search()));
    require_401(sim.api("GET", path, "", nullptr, ""));
}

BOOST_AUTO_TEST_CASE(expiry_lookup_rules) {
    Sim sim;
    auto missing = sim.api("GET", "/es/1.0/license-management/license-key/expiry-date", "");
    BOOST_TEST(missing.status == 400);
    auto unknown =
        sim.api("GET", "/es/1.0/license-management/license-key/expiry-date?licenseKey=SL_nope", "");
    BOOST_TEST(unknown.status == 404);
    auto post = sim.api("POST", "/es/1.0/license-management/license-key/expiry-date", "");
    BOOST_TEST(post.status == 405);
}

BOOST_AUTO_TEST_CASE(expire_issue_and_rotate) {
    Sim sim;
    auto expired = sim.control("POST", "/license/expire");
    BOOST_TEST(expired["licenseKeys"][0]["expired"] == true);
    require_401(sim.search(empty_search()));

    auto issued =
        sim.control("POST", "/license/issue", {{"licenseKey", "SL_new"}, {"revokeOthers", true}});
    BOOST_TEST(issued["licenseKey"] == "SL_new");
    BOOST_TEST(issued["expiryDate"] == "2027-02-20T23:59:59");
    std::string fresh = esa_authorization(k_secret, "SL_new");
    BOOST_TEST(issued["authorization"] == fresh);
    BOOST_TEST(sim.api("POST", k_search, empty_search().dump(), &fresh).status == 200);
    BOOST_TEST(sim.control("GET", "/license")["licenseKeys"].size() == 1U);
    require_401(sim.search(empty_search()));
}

BOOST_AUTO_TEST_CASE(new_key_can_fail_until_activated) {
    Sim sim;
    sim.control("POST", "/license/issue",
                {{"licenseKey", "SL_slow"}, {"activationDelayMinutes", 20}});
    std::string slow = esa_authorization(k_secret, "SL_slow");
    require_401(sim.api("POST", k_search, empty_search().dump(), &slow));
    sim.advance(20 * k_minute);
    BOOST_TEST(sim.api("POST", k_search, empty_search().dump(), &slow).status == 200);
}

BOOST_AUTO_TEST_CASE(set_expiry_by_hand) {
    Sim sim;
    sim.control("POST", "/license/expiry",
                {{"licenseKey", k_key}, {"expiryDate", "2026-11-22T10:30:00"}});
    BOOST_TEST(sim.search(empty_search()).status == 200);
    sim.advance(31 * k_minute);
    require_401(sim.search(empty_search()));
    BOOST_TEST(sim.control_raw("POST", "/license/expiry", {{"expiryDate", "2026-11-22"}}).status ==
               400);
}

BOOST_AUTO_TEST_CASE(expired_switch_and_reset) {
    Sim sim;
    sim.control("POST", "/faults", {{"licenseExpired", true}});
    require_401(sim.search(empty_search()));
    sim.control("POST", "/faults/reset");
    BOOST_TEST(sim.search(empty_search()).status == 200);
}

BOOST_AUTO_TEST_CASE(scenario_keys_and_expiry) {
    Sim sim(R"(
service_secret: SP_custom
license_keys:
  - key: SL_a
    expires: "2026-11-28T23:59:59"
)");
    std::string custom = esa_authorization("SP_custom", "SL_a");
    auto lookup = sim.api(
        "GET", "/es/1.0/license-management/license-key/expiry-date?licenseKey=SL_a", "", &custom);
    BOOST_TEST(lookup.body == R"({"expiryDate":"2026-11-28T23:59:59"})");
    require_401(sim.search(empty_search()));
}

BOOST_AUTO_TEST_CASE(paths_and_methods) {
    Sim sim;
    Request other;
    other.method = "GET";
    other.path = "/v2/bot/info";
    BOOST_TEST(!sim.service->handle(other).has_value());
    BOOST_TEST(sim.api("POST", "/es/2.0/order/searchOrder", empty_search().dump()).status == 404);
    BOOST_TEST(sim.api("GET", k_search, "").status == 405);
    BOOST_TEST(sim.api("GET", k_get, "").status == 405);
}

BOOST_AUTO_TEST_SUITE_END()

} // namespace musubi::sim::rakuten::test
