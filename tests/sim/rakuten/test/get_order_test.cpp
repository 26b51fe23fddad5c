// getOrder: request rules, unknown numbers, and the version-10 OrderModel.

#include <regex>

#include "sim_fixture.hpp"

namespace musubi::sim::rakuten::test {

namespace {

void require_refusal(const Response& response, const std::string& code) {
    BOOST_TEST(response.status == 400);
    json body = body_of(response);
    BOOST_TEST(body["MessageModelList"][0]["messageType"] == "ERROR");
    BOOST_TEST(body["MessageModelList"][0]["messageCode"] == code);
    BOOST_TEST(body["OrderModelList"].is_null());
}

json get_body(const json& numbers, int version = 10) {
    return json{{"orderNumberList", numbers}, {"version", version}};
}

json model_of(Sim& sim, const std::string& number) {
    auto response = sim.get(get_body({number}));
    BOOST_TEST_REQUIRE(response.status == 200);
    json body = body_of(response);
    BOOST_TEST_REQUIRE(body["OrderModelList"].size() == 1U);
    return body["OrderModelList"][0];
}

} // namespace

BOOST_AUTO_TEST_SUITE(get_order)

BOOST_AUTO_TEST_CASE(request_rules) {
    Sim sim;
    std::string number = sim.add_order();
    require_refusal(sim.get(json{{"version", 10}}), "ORDER_EXT_API_GET_ORDER_ERROR_009");
    require_refusal(sim.get(get_body(json::array())), "ORDER_EXT_API_GET_ORDER_ERROR_009");
    json many = json::array();
    for (int i = 0; i < 101; ++i) {
        many.push_back(number);
    }
    require_refusal(sim.get(get_body(many)), "ORDER_EXT_API_GET_ORDER_ERROR_010");
    many.erase(many.begin());
    BOOST_TEST(sim.get(get_body(many)).status == 200);
    // A missing version is the same code as a missing orderNumberList (the contract).
    require_refusal(sim.get(json{{"orderNumberList", {number}}}),
                    "ORDER_EXT_API_GET_ORDER_ERROR_009");
    require_refusal(sim.get(json{{"orderNumberList", {number}}, {"version", nullptr}}),
                    "ORDER_EXT_API_GET_ORDER_ERROR_009");
    require_refusal(sim.get(get_body({number}, 1)), "ORDER_EXT_API_GET_ORDER_ERROR_017");
    require_refusal(sim.get(get_body({number}, 2)), "ORDER_EXT_API_GET_ORDER_ERROR_017");
    require_refusal(sim.get(get_body({number}, 11)), "ORDER_EXT_API_GET_ORDER_ERROR_017");
    require_refusal(sim.api("POST", k_get, "[1,2"), "ORDER_EXT_API_GET_ORDER_ERROR_001");
    json ok = body_of(sim.get(get_body({number})));
    BOOST_TEST(ok["version"] == 10);
    BOOST_TEST(ok["MessageModelList"][0]["messageCode"] == "ORDER_EXT_API_GET_ORDER_INFO_101");
    BOOST_TEST(ok["MessageModelList"][0]["message"] == "受注情報取得に成功しました。(取得件数1件)");
}

BOOST_AUTO_TEST_CASE(unknown_numbers_get_info_102_and_no_model) {
    Sim sim;
    std::string known = sim.add_order();
    std::string unknown = "123456-20261122-9999999999";
    json body = body_of(sim.get(get_body({known, unknown})));
    BOOST_TEST(body["OrderModelList"].size() == 1U);
    BOOST_TEST(body["OrderModelList"][0]["orderNumber"] == known);
    BOOST_TEST(body["MessageModelList"].size() == 2U);
    BOOST_TEST(body["MessageModelList"][1]["messageCode"] == "ORDER_EXT_API_GET_ORDER_INFO_102");
    BOOST_TEST(body["MessageModelList"][1]["orderNumber"] == unknown);
    BOOST_TEST(body["MessageModelList"][1]["message"] == "受注情報が取得できませんでした。");

    auto alone = sim.get(get_body({unknown}));
    BOOST_TEST(alone.status == 200);
    BOOST_TEST(body_of(alone)["OrderModelList"].empty());
    BOOST_TEST(first_code(alone) == "ORDER_EXT_API_GET_ORDER_INFO_102");
}

BOOST_AUTO_TEST_CASE(version_10_sends_the_newer_fields_and_no_goods_tax) {
    Sim sim;
    std::string number = sim.add_order();
    for (int version : {8, 9, 10}) {
        json model = body_of(sim.get(get_body({number}, version)))["OrderModelList"][0];
        for (const char* flag :
             {"socialGiftFlag", "deliveryCertPrgFlag", "oneDayOperationFlag", "dropOffFlag"}) {
            BOOST_TEST(model.contains(flag), flag << " in version " << version);
        }
        BOOST_TEST(!model.contains("goodsTax"));
        const json& package = model["PackageModelList"][0];
        BOOST_TEST(!package.contains("goodsTax"));
        BOOST_TEST(package["SenderModel"].contains("isolatedIslandFlag"));
    }
    json old = body_of(sim.get(get_body({number}, 7)))["OrderModelList"][0];
    BOOST_TEST(old.contains("goodsTax"));
    BOOST_TEST(!old.contains("socialGiftFlag"));
    BOOST_TEST(!old["PackageModelList"][0]["SenderModel"].contains("isolatedIslandFlag"));
}

BOOST_AUTO_TEST_CASE(a_request_without_charset_utf8_gets_415) {
    Sim sim;
    std::string number = sim.add_order();
    const std::string body = get_body({number}).dump();
    BOOST_TEST(sim.api("POST", k_get, body, nullptr, "application/json").status == 415);
    BOOST_TEST(sim.api("POST", k_search, search_body(1, sim.at(-k_day), sim.at(0)).dump(), nullptr,
                       "application/json")
                   .status == 415);
    BOOST_TEST(sim.api("POST", k_get, body, nullptr, "application/json;charset=utf-8").status ==
               200);
    BOOST_TEST(sim.api("POST", k_get, body, nullptr, "application/json; charset=UTF-8").status ==
               200);
}

BOOST_AUTO_TEST_CASE(datetimes_carry_plus_09_colon_00_in_that_mode) {
    Sim sim("modes: {datetime_offset: \"+09:00\"}");
    std::string number = sim.add_order();
    json model = model_of(sim, number);
    BOOST_TEST(model["orderDatetime"] == "2026-11-22T10:00:00+09:00");
    sim.control("POST", "/modes", {{"datetimeOffset", "+0900"}});
    BOOST_TEST(model_of(sim, number)["orderDatetime"] == k_start);
    BOOST_TEST(sim.control_raw("POST", "/modes", {{"datetimeOffset", "Z"}}).status == 400);
}

BOOST_AUTO_TEST_CASE(a_function_not_enabled_answers_es04_01) {
    Sim sim;
    sim.control("POST", "/modes", {{"functionsNotEnabled", {"licenseExpiry", "getOrder"}}});
    auto refused =
        sim.api("GET", "/es/1.0/license-management/license-key/expiry-date?licenseKey=" + k_key, "",
                nullptr, "");
    BOOST_TEST(refused.status == 403);
    BOOST_TEST(body_of(refused)["Results"]["errorCode"] == "ES04-01");
    BOOST_TEST(sim.get(get_body({sim.add_order()})).status == 403);
    BOOST_TEST(sim.search(search_body(1, sim.at(-k_day), sim.at(0))).status == 200);
    BOOST_TEST(sim.control("GET", "/modes")["functionsNotEnabled"].size() == 2U);
    BOOST_TEST(sim.control_raw("POST", "/modes", {{"functionsNotEnabled", {"coupon"}}}).status ==
               400);
}

BOOST_AUTO_TEST_CASE(money_reads_minus_9999_until_fixed) {
    Sim sim;
    std::string number = sim.add_order(
        {{"items", {{{"manageNumber", "tea-sencha-100"}, {"units", 2}}}}, {"totalPrice", 5620}});
    json model = model_of(sim, number);
    BOOST_TEST(model["orderProgress"] == 100);
    BOOST_TEST(model["goodsPrice"] == 4960);
    for (const char* field :
         {"postagePrice", "totalPrice", "requestPrice", "couponAllTotalPrice"}) {
        BOOST_TEST(model[field] == -9999, field);
    }
    BOOST_TEST(model["shopOrderCfmDatetime"].is_null());

    sim.control("POST", "/orders/" + number + "/progress", {{"progress", 300}});
    model = model_of(sim, number);
    BOOST_TEST(model["orderProgress"] == 300);
    BOOST_TEST(model["postagePrice"] == 660);
    BOOST_TEST(model["totalPrice"] == 5620);
    BOOST_TEST(model["requestPrice"] == 5620);
    BOOST_TEST(model["couponAllTotalPrice"] == 0);
    BOOST_TEST(model["shopOrderCfmDatetime"] == k_start);
    BOOST_TEST(model["orderFixDatetime"] == k_start);
}

BOOST_AUTO_TEST_CASE(order_model_fields) {
    Sim sim;
    auto created = sim.control("POST", "/orders",
                               {{"buyer",
                                 {{"phone", "090-1234-5678"},
                                  {"familyName", "山田"},
                                  {"firstName", "花子"},
                                  {"familyNameKana", "ヤマダ"},
                                  {"firstNameKana", "ハナコ"}}},
                                {"items", {{{"manageNumber", "rice-koshi-5"}, {"units", 1}}}}});
    std::string number = created["orderNumber"];
    BOOST_TEST(std::regex_match(number, std::regex(R"(123456-20261122-\d{10})")));
    json model = model_of(sim, number);
    BOOST_TEST(model["orderDatetime"] == k_start);
    BOOST_TEST(model["shippingCmplRptDatetime"].is_null());
    const json& orderer = model["OrdererModel"];
    BOOST_TEST(orderer["familyName"] == "山田");
    BOOST_TEST(orderer["firstNameKana"] == "ハナコ");
    BOOST_TEST(orderer["phoneNumber1"] == "090");
    BOOST_TEST(orderer["phoneNumber2"] == "1234");
    BOOST_TEST(orderer["phoneNumber3"] == "5678");
    BOOST_TEST(std::regex_match(orderer["emailAddress"].get<std::string>(),
                                std::regex(R"([0-9a-f]{32}s1@pc\.fw\.rakuten\.ne\.jp)")));
    const json& package = model["PackageModelList"][0];
    BOOST_TEST(package["basketId"].is_number_integer());
    BOOST_TEST(package["ShippingModelList"].empty());
    const json& item = package["ItemModelList"][0];
    BOOST_TEST(item["manageNumber"] == "rice-koshi-5");
    BOOST_TEST(item["itemNumber"] == "RICE-005");
    BOOST_TEST(item["itemId"] == 10000020);
    BOOST_TEST(item["itemName"] == "令和6年産 新潟県産コシヒカリ 5kg");
    BOOST_TEST(item["price"] == 3580);
    BOOST_TEST(item["units"] == 1);
    BOOST_TEST(model["ChangeReasonModelList"].empty());
}

BOOST_AUTO_TEST_CASE(shipping_and_cancellation) {
    Sim sim;
    std::string number = sim.add_order();
    sim.advance(2 * k_hour);
    sim.control(
        "POST", "/orders/" + number + "/progress",
        {{"progress", 500}, {"deliveryCompany", "1002"}, {"shippingNumber", "412345678901"}});
    json model = model_of(sim, number);
    BOOST_TEST(model["orderProgress"] == 500);
    BOOST_TEST(model["shippingCmplRptDatetime"] == "2026-11-22T12:00:00+0900");
    const json& shipping = model["PackageModelList"][0]["ShippingModelList"][0];
    BOOST_TEST(shipping["deliveryCompany"] == "1002");
    BOOST_TEST(shipping["deliveryCompany"].is_string());
    BOOST_TEST(shipping["deliveryCompanyName"] == "佐川急便");
    BOOST_TEST(shipping["shippingNumber"] == "412345678901");
    BOOST_TEST(shipping["shippingDate"] == "2026-11-22");

    BOOST_TEST(
        sim.control_raw("POST", "/orders/" + number + "/progress", {{"progress", 100}}).status ==
        409);
    BOOST_TEST(sim.control_raw("POST", "/orders/" + number + "/progress",
                               {{"progress", 500}, {"deliveryCompany", "9999"}})
                   .status == 400);

    std::string cancelled = sim.add_order();
    sim.control("POST", "/orders/" + cancelled + "/progress", {{"progress", 900}});
    json cancel = model_of(sim, cancelled);
    BOOST_TEST(cancel["orderProgress"] == 900);
    BOOST_TEST(cancel["ChangeReasonModelList"].size() == 2U);
    BOOST_TEST(cancel["ChangeReasonModelList"][1]["changeType"] == 1);
    BOOST_TEST(cancel["PackageModelList"][0]["ShippingModelList"].empty());
}

BOOST_AUTO_TEST_CASE(order_numbers_carry_the_jst_date) {
    Sim sim;
    std::string after_midnight = sim.add_order({{"orderDatetime", "2026-11-22T00:30:00+0900"}});
    std::string before_midnight = sim.add_order({{"orderDatetime", "2026-11-21T23:59:59+0900"}});
    BOOST_TEST(after_midnight.substr(0, 16) == "123456-20261122-");
    BOOST_TEST(before_midnight.substr(0, 16) == "123456-20261121-");
    BOOST_TEST(model_of(sim, after_midnight)["orderDatetime"] == "2026-11-22T00:30:00+0900");
    BOOST_TEST(sim.control_raw("POST", "/orders", {{"orderDatetime", "2026-11-23T00:00:00+0900"}})
                   .status == 400);
}

BOOST_AUTO_TEST_SUITE_END()

} // namespace musubi::sim::rakuten::test
