#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "connectors/rakuten/order.hpp"

using namespace musubi::rakuten;
using nlohmann::json;

namespace {

// A shipped order as getOrder version 10 writes it (trimmed of fields musubi ignores).
json shipped_order() {
    return json::parse(R"({
      "orderNumber": "123456-20261120-0000000042",
      "orderProgress": 500,
      "subStatusId": null,
      "orderDatetime": "2026-11-20T09:15:00+0900",
      "shopOrderCfmDatetime": "2026-11-20T09:45:00+0900",
      "orderFixDatetime": "2026-11-20T09:45:00+0900",
      "shippingInstDatetime": "2026-11-20T09:45:00+0900",
      "shippingCmplRptDatetime": "2026-11-21T14:00:00+0900",
      "goodsPrice": 4320, "goodsTax": 392, "postagePrice": 660, "deliveryPrice": 0,
      "totalPrice": 4980, "requestPrice": 4480, "couponAllTotalPrice": 500,
      "OrdererModel": {
        "zipCode1": "150", "zipCode2": "0001", "prefecture": "東京都", "city": "渋谷区",
        "subAddress": "神宮前1-2-3", "familyName": "山田", "firstName": "花子",
        "familyNameKana": "ヤマダ", "firstNameKana": "ハナコ",
        "phoneNumber1": "090", "phoneNumber2": "1234", "phoneNumber3": "5678",
        "emailAddress": "0123456789abcdef0123456789abcdefs1@pc.fw.rakuten.ne.jp",
        "sex": "女", "birthYear": 1990, "birthMonth": 4, "birthDay": 1
      },
      "PackageModelList": [{
        "basketId": 420, "postagePrice": 660, "totalPrice": 4980,
        "SenderModel": {"familyName": "山田"},
        "ItemModelList": [
          {"itemDetailId": 4201, "itemName": "静岡煎茶 100g", "itemId": 10000001,
           "itemNumber": "tea-001", "manageNumber": "tea-sencha-100", "price": 1080,
           "units": 3, "SkuModelList": []},
          {"itemDetailId": 4202, "itemName": "急須", "itemId": 10000002,
           "itemNumber": "pot-001", "manageNumber": "kyusu", "price": 1080, "units": 1,
           "SkuModelList": []}
        ],
        "ShippingModelList": [
          {"shippingDetailId": 9001, "shippingNumber": "123456789012",
           "deliveryCompany": "1001", "deliveryCompanyName": "ヤマト運輸",
           "shippingDate": "2026-11-21"}
        ]
      }],
      "ChangeReasonModelList": []
    })");
}

json unconfirmed_order() {
    json order = shipped_order();
    order["orderNumber"] = "123456-20261122-0000000043";
    order["orderProgress"] = 100;
    for (const char* key : {"shopOrderCfmDatetime", "orderFixDatetime", "shippingInstDatetime",
                            "shippingCmplRptDatetime"}) {
        order[key] = nullptr;
    }
    for (const char* key : {"postagePrice", "totalPrice", "requestPrice", "couponAllTotalPrice"}) {
        order[key] = -9999;
    }
    order["PackageModelList"][0]["ShippingModelList"] = json::array();
    return order;
}

std::string problem_of(const json& model) {
    auto order = parse_order(model);
    BOOST_REQUIRE(!order.has_value());
    return order.error().message;
}

} // namespace

BOOST_AUTO_TEST_SUITE(rakuten_order)

BOOST_AUTO_TEST_CASE(reads_a_full_order) {
    auto order = parse_order(shipped_order());
    BOOST_REQUIRE_MESSAGE(order.has_value(), order.error().message);
    BOOST_TEST(order->order_number == "123456-20261120-0000000042");
    BOOST_TEST(order->order_progress == k_progress_shipped);
    BOOST_TEST(format_rms_datetime(order->order_datetime) == "2026-11-20T09:15:00+0900");
    BOOST_REQUIRE(order->shop_order_cfm_datetime.has_value());
    BOOST_TEST(format_rms_datetime(*order->shop_order_cfm_datetime) == "2026-11-20T09:45:00+0900");
    BOOST_REQUIRE(order->shipping_cmpl_rpt_datetime.has_value());
    BOOST_TEST(format_rms_datetime(*order->shipping_cmpl_rpt_datetime) ==
               "2026-11-21T14:00:00+0900");
    BOOST_TEST(order->goods_price.value_or(-1) == 4320);
    BOOST_TEST(order->postage_price.value_or(-1) == 660);
    BOOST_TEST(order->total_price.value_or(-1) == 4980);
    BOOST_TEST(order->request_price.value_or(-1) == 4480);
    BOOST_TEST(order->coupon_all_total_price.value_or(-1) == 500);
    BOOST_TEST(order->orderer.family_name == "山田");
    BOOST_TEST(order->orderer.first_name_kana == "ハナコ");
    BOOST_TEST(order->orderer.phone_number1 + order->orderer.phone_number2 +
                   order->orderer.phone_number3 ==
               "09012345678");
    BOOST_TEST(order->orderer.email_address ==
               "0123456789abcdef0123456789abcdefs1@pc.fw.rakuten.ne.jp");
    BOOST_REQUIRE(order->packages.size() == 1u);
    const Package& package = order->packages[0];
    BOOST_TEST(package.basket_id == 420);
    BOOST_REQUIRE(package.items.size() == 2u);
    BOOST_TEST(package.items[0].item_id == 10000001);
    BOOST_TEST(package.items[0].item_number == "tea-001");
    BOOST_TEST(package.items[0].manage_number == "tea-sencha-100");
    BOOST_TEST(package.items[0].item_name == "静岡煎茶 100g");
    BOOST_TEST(package.items[0].price == 1080);
    BOOST_TEST(package.items[0].units == 3);
    BOOST_REQUIRE(package.shippings.size() == 1u);
    const Shipping& shipping = package.shippings[0];
    BOOST_TEST(shipping.shipping_detail_id.value_or(-1) == 9001);
    BOOST_TEST(shipping.shipping_number == "123456789012");
    BOOST_TEST(shipping.delivery_company == "1001");
    BOOST_TEST(shipping.delivery_company_name == "ヤマト運輸");
    BOOST_REQUIRE(shipping.shipping_date.has_value());
    BOOST_TEST(format_rms_date(*shipping.shipping_date) == "2026-11-21");
    BOOST_TEST(order->change_reasons.empty());
}

BOOST_AUTO_TEST_CASE(minus_9999_and_null_are_not_fixed) {
    auto order = parse_order(unconfirmed_order());
    BOOST_REQUIRE_MESSAGE(order.has_value(), order.error().message);
    BOOST_TEST(order->order_progress == k_progress_awaiting_confirmation);
    BOOST_TEST(!order->total_price.has_value());
    BOOST_TEST(!order->postage_price.has_value());
    BOOST_TEST(!order->request_price.has_value());
    BOOST_TEST(!order->coupon_all_total_price.has_value());
    BOOST_TEST(order->goods_price.value_or(-1) == 4320);
    BOOST_TEST(!order->shop_order_cfm_datetime.has_value());
    BOOST_TEST(!order->shipping_cmpl_rpt_datetime.has_value());
    BOOST_TEST(order->packages.at(0).shippings.empty());
}

BOOST_AUTO_TEST_CASE(cancellation_reasons) {
    json model = shipped_order();
    model["orderProgress"] = 900;
    model["ChangeReasonModelList"] = json::parse(R"([
      {"changeId": 1, "changeType": 0, "changeApplyDatetime": "2026-11-20T10:00:00+0900",
       "changeFixDatetime": null, "changeCmplDatetime": null},
      {"changeId": 2, "changeType": 1, "changeApplyDatetime": "2026-11-20T11:00:00+0900",
       "changeFixDatetime": "2026-11-20T11:00:00+0900",
       "changeCmplDatetime": "2026-11-20T11:00:00+0900"}])");
    auto order = parse_order(model);
    BOOST_REQUIRE_MESSAGE(order.has_value(), order.error().message);
    BOOST_REQUIRE(order->change_reasons.size() == 2u);
    BOOST_TEST(order->change_reasons[0].change_type == 0);
    BOOST_TEST(!order->change_reasons[0].change_fix_datetime.has_value());
    BOOST_TEST(order->change_reasons[1].change_type == 1);
    BOOST_REQUIRE(order->change_reasons[1].change_fix_datetime.has_value());
    BOOST_TEST(format_rms_datetime(*order->change_reasons[1].change_fix_datetime) ==
               "2026-11-20T11:00:00+0900");
}

BOOST_AUTO_TEST_CASE(a_field_of_the_wrong_type_is_named_with_its_order) {
    json model = shipped_order();
    model["totalPrice"] = "4980";
    BOOST_TEST(problem_of(model) ==
               "order 123456-20261120-0000000042: 'totalPrice' is a string, expected a number");

    model = shipped_order();
    model["PackageModelList"][0]["ItemModelList"][1]["units"] = 1.5;
    BOOST_TEST(problem_of(model) == "order 123456-20261120-0000000042: "
                                    "'PackageModelList[0].ItemModelList[1].units' is a fraction, "
                                    "expected a whole number");

    model = shipped_order();
    model["PackageModelList"][0]["ShippingModelList"][0]["deliveryCompany"] = 1001;
    BOOST_TEST(problem_of(model) == "order 123456-20261120-0000000042: "
                                    "'PackageModelList[0].ShippingModelList[0].deliveryCompany' is "
                                    "a number, expected a string");

    model = shipped_order();
    model["OrdererModel"] = json::array();
    BOOST_TEST(problem_of(model) ==
               "order 123456-20261120-0000000042: 'OrdererModel' is a list, expected an object");

    model = shipped_order();
    model["PackageModelList"] = json::array({42});
    BOOST_TEST(problem_of(model) == "order 123456-20261120-0000000042: 'PackageModelList[0]' is a "
                                    "number, expected an object");
}

BOOST_AUTO_TEST_CASE(problems_never_quote_values) {
    json model = shipped_order();
    model["OrdererModel"]["phoneNumber3"] = 5678;
    const std::string problem = problem_of(model);
    BOOST_TEST(problem == "order 123456-20261120-0000000042: 'OrdererModel.phoneNumber3' is a "
                          "number, expected a string");
    BOOST_TEST(problem.find("5678") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(bad_datetimes_and_missing_required_fields) {
    json model = shipped_order();
    model["shippingCmplRptDatetime"] = "2026-11-21T14:00:00Z";
    BOOST_TEST(problem_of(model) ==
               "order 123456-20261120-0000000042: 'shippingCmplRptDatetime' is not an RMS "
               "datetime: expected JST like 2026-11-22T10:05:06+0900 (offset +0900 or +09:00)");

    model = shipped_order();
    model.erase("orderDatetime");
    BOOST_TEST(problem_of(model) == "order 123456-20261120-0000000042: 'orderDatetime' is missing");

    model = shipped_order();
    model["orderProgress"] = nullptr;
    BOOST_TEST(problem_of(model) ==
               "order 123456-20261120-0000000042: 'orderProgress' is null, expected a number");

    model = shipped_order();
    model["orderNumber"] = 42;
    auto order = parse_order(model, 3);
    BOOST_REQUIRE(!order.has_value());
    BOOST_TEST(order.error().order_number == "");
    BOOST_TEST(order.error().message ==
               "OrderModelList[3]: 'orderNumber' is a number, expected a string");

    model["orderNumber"] = "42";
    BOOST_TEST(parse_order(model, 0).error().message ==
               "OrderModelList[0]: 'orderNumber' is not an order number: it needs three groups of "
               "digits joined by '-' (RMS order numbers are 123456-20261122-0000000001, or with "
               "the older 8-digit sequence 123456-20171006-10640141)");
    model["orderNumber"] = "123456-20261120-000000042"; // a 9-digit sequence
    BOOST_TEST(parse_order(model, 0).error().message ==
               "OrderModelList[0]: 'orderNumber' is not an order number: the last group has 9 "
               "digits, not 10 (or 8 in older numbers) (RMS order numbers are "
               "123456-20261122-0000000001, or with the older 8-digit sequence "
               "123456-20171006-10640141)");
}

BOOST_AUTO_TEST_CASE(both_offsets_are_read_as_jst) {
    json compact = shipped_order();
    compact["shippingCmplRptDatetime"] = "2026-11-21T14:00:00+0900";
    json colon = shipped_order();
    colon["shippingCmplRptDatetime"] = "2026-11-21T14:00:00+09:00";
    colon["orderDatetime"] = compact["orderDatetime"].get<std::string>().substr(0, 22) + ":00";
    const auto a = parse_order(compact, 0);
    const auto b = parse_order(colon, 0);
    BOOST_REQUIRE(a.has_value());
    BOOST_REQUIRE(b.has_value());
    BOOST_TEST(b->shipping_cmpl_rpt_datetime.has_value());
    BOOST_TEST(a->shipping_cmpl_rpt_datetime->time_since_epoch().count() ==
               b->shipping_cmpl_rpt_datetime->time_since_epoch().count());
    BOOST_TEST(a->order_datetime.time_since_epoch().count() ==
               b->order_datetime.time_since_epoch().count());
}

BOOST_AUTO_TEST_CASE(older_8_digit_order_numbers_are_read) {
    // RMS's own samples have 8-digit sequences; today's have 10.
    json model = shipped_order();
    model["orderNumber"] = "290333-20171006-10640141";
    const auto order = parse_order(model, 0);
    BOOST_REQUIRE(order.has_value());
    BOOST_TEST(order->order_number == "290333-20171006-10640141");
    for (const char* refused :
         {"290333-20171006-1064014", "290333-20171006-106401411", "29033-20171006-10640141",
          "290333-20171306-10640141", "290333-2017100-610640141", "290333-20171006-1064014a"}) {
        model["orderNumber"] = refused;
        BOOST_TEST(!parse_order(model, 0).has_value(), refused);
    }
}

BOOST_AUTO_TEST_CASE(one_bad_order_does_not_stop_the_others) {
    json bad = unconfirmed_order();
    bad["goodsPrice"] = json::object();
    const json answer{
        {"MessageModelList", json::array({{{"messageType", "INFO"},
                                           {"messageCode", "ORDER_EXT_API_GET_ORDER_INFO_101"},
                                           {"message", "受注情報取得に成功しました。(取得件数2件)"},
                                           {"orderNumber", nullptr}},
                                          {{"messageType", "INFO"},
                                           {"messageCode", "ORDER_EXT_API_GET_ORDER_INFO_102"},
                                           {"message", "受注情報が存在しません。"},
                                           {"orderNumber", "123456-20261122-0000009999"}}})},
        {"OrderModelList", json::array({bad, shipped_order(), "junk"})},
        {"version", 10}};
    auto result = parse_get_order_response(answer.dump());
    BOOST_REQUIRE(result.has_value());
    BOOST_REQUIRE(result->orders.size() == 1u);
    BOOST_TEST(result->orders[0].order_number == "123456-20261120-0000000042");
    BOOST_REQUIRE(result->problems.size() == 2u);
    BOOST_TEST(result->problems[0].order_number == "123456-20261122-0000000043");
    BOOST_TEST(result->problems[0].message ==
               "order 123456-20261122-0000000043: 'goodsPrice' is an object, expected a number");
    BOOST_TEST(result->problems[1].message == "OrderModelList[2] is a string, expected an object");
    BOOST_REQUIRE(result->not_found.size() == 1u);
    BOOST_TEST(result->not_found[0] == "123456-20261122-0000009999");
}

BOOST_AUTO_TEST_CASE(an_unreadable_answer_is_a_malformed_error) {
    auto broken = parse_get_order_response(R"({"OrderModelList": [{"orderNumber": )");
    BOOST_REQUIRE(!broken.has_value());
    BOOST_TEST(static_cast<int>(broken.error().kind) == static_cast<int>(ErrorKind::malformed));
    BOOST_TEST(broken.error().message ==
               "RMS getOrder answered 200 with a body that is not JSON (broken at byte 37)");

    auto list = parse_get_order_response("[]");
    BOOST_REQUIRE(!list.has_value());
    BOOST_TEST(list.error().message ==
               "RMS getOrder answered 200 with a list, expected a JSON object");

    auto no_models = parse_get_order_response(R"({"OrderModelList": {}})");
    BOOST_REQUIRE(!no_models.has_value());
    BOOST_TEST(no_models.error().message ==
               "RMS getOrder answered 200 without an OrderModelList list");
}

BOOST_AUTO_TEST_SUITE_END()
