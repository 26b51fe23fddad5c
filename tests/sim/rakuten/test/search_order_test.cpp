// searchOrder: every request rule answers what RMS answers.

#include <set>

#include "sim_fixture.hpp"

namespace musubi::sim::rakuten::test {

namespace {

void require_refusal(const Response& response, const std::string& code) {
    BOOST_TEST(response.status == 400);
    json body = body_of(response);
    BOOST_TEST(body["orderNumberList"].is_null());
    BOOST_TEST(body["PaginationResponseModel"].is_null());
    bool found = false;
    for (const auto& entry : body["MessageModelList"]) {
        BOOST_TEST(entry["messageType"] == "ERROR");
        found = found || entry["messageCode"] == code;
    }
    BOOST_TEST(found, code << " missing from " << response.body);
}

const std::string k_day_ago = "2026-11-21T10:00:00+0900";

} // namespace

BOOST_AUTO_TEST_SUITE(search_order)

BOOST_AUTO_TEST_CASE(datetimes_must_carry_plus0900) {
    Sim sim;
    for (std::string bad :
         {"2026-11-21T10:00:00+09:00", "2026-11-21T01:00:00Z", "2026-11-21T10:00:00",
          "2026-11-21 10:00:00+0900", "2026/11/21T10:00:00+0900", "2026-02-30T10:00:00+0900",
          "2026-11-21T24:00:00+0900", "2026-11-21T10:00:00+0000", "2026-11-21T10:00:00.000+0900",
          "2026-11-21"}) {
        auto response = sim.search(search_body(1, bad, k_start));
        require_refusal(response, "ORDER_EXT_API_SEARCH_ORDER_ERROR_011");
        BOOST_TEST(body_of(response)["MessageModelList"][0]["message"] ==
                   "startDatetimeの書式が不正です。");
        require_refusal(sim.search(search_body(1, k_day_ago, bad)),
                        "ORDER_EXT_API_SEARCH_ORDER_ERROR_011");
    }
    BOOST_TEST(sim.search(search_body(1, k_day_ago, k_start)).status == 200);
}

BOOST_AUTO_TEST_CASE(required_fields) {
    Sim sim;
    json body = search_body(1, k_day_ago, k_start);
    body.erase("dateType");
    auto response = sim.search(body);
    require_refusal(response, "ORDER_EXT_API_SEARCH_ORDER_ERROR_009");
    BOOST_TEST(body_of(response)["MessageModelList"][0]["message"] ==
               "dateTypeの項目を指定して下さい。");

    body = search_body(1, k_day_ago, k_start);
    body.erase("startDatetime");
    require_refusal(sim.search(body), "ORDER_EXT_API_SEARCH_ORDER_ERROR_010");
    require_refusal(sim.search(search_body(7, k_day_ago, k_start)),
                    "ORDER_EXT_API_SEARCH_ORDER_ERROR_012");
    require_refusal(sim.search(search_body(0, k_day_ago, k_start)),
                    "ORDER_EXT_API_SEARCH_ORDER_ERROR_012");

    // Several mistakes are all reported at once, as RMS does.
    body = search_body(1, "2026-11-21T10:00:00+09:00", k_start);
    body.erase("dateType");
    auto both = body_of(sim.search(body));
    BOOST_TEST(both["MessageModelList"].size() == 2U);
    BOOST_TEST(both["MessageModelList"][0]["messageCode"] ==
               "ORDER_EXT_API_SEARCH_ORDER_ERROR_009");
    BOOST_TEST(both["MessageModelList"][1]["messageCode"] ==
               "ORDER_EXT_API_SEARCH_ORDER_ERROR_011");
}

BOOST_AUTO_TEST_CASE(start_within_730_days) {
    Sim sim;
    std::string too_old = sim.at(-730 * k_day - 1);
    require_refusal(sim.search(search_body(1, too_old, sim.at(-700 * k_day))),
                    "ORDER_EXT_API_SEARCH_ORDER_ERROR_013");
    std::string oldest = sim.at(-730 * k_day);
    BOOST_TEST(sim.search(search_body(1, oldest, sim.at(-700 * k_day))).status == 200);
}

BOOST_AUTO_TEST_CASE(window_at_most_63_days) {
    Sim sim;
    std::string start = sim.at(-100 * k_day);
    require_refusal(sim.search(search_body(1, start, sim.at(-37 * k_day + 1))),
                    "ORDER_EXT_API_SEARCH_ORDER_ERROR_015");
    BOOST_TEST(sim.search(search_body(1, start, sim.at(-37 * k_day))).status == 200);
    require_refusal(sim.search(search_body(1, k_start, k_day_ago)),
                    "ORDER_EXT_API_SEARCH_ORDER_ERROR_014");
}

BOOST_AUTO_TEST_CASE(paging_rules) {
    Sim sim;
    require_refusal(sim.search(search_body(1, k_day_ago, k_start, 1001)),
                    "ORDER_EXT_API_SEARCH_ORDER_ERROR_016");
    require_refusal(sim.search(search_body(1, k_day_ago, k_start, 0)),
                    "ORDER_EXT_API_SEARCH_ORDER_ERROR_016");
    require_refusal(sim.search(search_body(1, k_day_ago, k_start, 100, 0)),
                    "ORDER_EXT_API_SEARCH_ORDER_ERROR_017");
    json body = search_body(1, k_day_ago, k_start);
    body["PaginationRequestModel"]["SortModelList"][0]["sortColumn"] = 2;
    require_refusal(sim.search(body), "ORDER_EXT_API_SEARCH_ORDER_ERROR_018");
    body["PaginationRequestModel"]["SortModelList"][0] = {{"sortColumn", 1}, {"sortDirection", 3}};
    require_refusal(sim.search(body), "ORDER_EXT_API_SEARCH_ORDER_ERROR_018");
    BOOST_TEST(sim.search(search_body(1, k_day_ago, k_start, 1000)).status == 200);
}

BOOST_AUTO_TEST_CASE(zero_hits_have_null_pagination) {
    Sim sim;
    auto response = sim.search(search_body(1, k_day_ago, k_start));
    BOOST_TEST(response.status == 200);
    BOOST_TEST(
        response.body ==
        R"json({"MessageModelList":[{"message":"注文検索に成功しました。(検索結果０件)","messageCode":"ORDER_EXT_API_SEARCH_ORDER_INFO_102","messageType":"INFO"}],"PaginationResponseModel":{"requestPage":null,"totalPages":null,"totalRecordsAmount":null},"orderNumberList":[]})json");
}

BOOST_AUTO_TEST_CASE(bad_bodies) {
    Sim sim;
    require_refusal(sim.api("POST", k_search, "{not json"), "ORDER_EXT_API_SEARCH_ORDER_ERROR_001");
    require_refusal(
        sim.api("POST", k_search, search_body(1, k_day_ago, k_start).dump(), nullptr, "text/plain"),
        "ORDER_EXT_API_SEARCH_ORDER_ERROR_001");
    BOOST_TEST(sim.api("POST", k_search, search_body(1, k_day_ago, k_start).dump(), nullptr,
                       "application/json;charset=utf-8")
                   .status == 200);
    json body = search_body(1, k_day_ago, k_start);
    body["orderProgressList"] = {100, 150};
    require_refusal(sim.search(body), "ORDER_EXT_API_SEARCH_ORDER_ERROR_008");
}

BOOST_AUTO_TEST_CASE(pages_cover_all_hits_once_in_order) {
    Sim sim;
    sim.control("POST", "/orders/generate", {{"count", 2500}, {"days", 10}});
    std::set<std::string> seen;
    std::vector<std::string> ascending;
    for (int page = 1; page <= 3; ++page) {
        auto response = sim.search(search_body(1, sim.at(-10 * k_day), k_start, 1000, page));
        BOOST_TEST_REQUIRE(response.status == 200);
        json body = body_of(response);
        BOOST_TEST(body["MessageModelList"][0]["messageCode"] ==
                   "ORDER_EXT_API_SEARCH_ORDER_INFO_101");
        BOOST_TEST(body["PaginationResponseModel"]["totalRecordsAmount"] == 2500);
        BOOST_TEST(body["PaginationResponseModel"]["totalPages"] == 3);
        BOOST_TEST(body["PaginationResponseModel"]["requestPage"] == page);
        BOOST_TEST(body["orderNumberList"].size() == (page < 3 ? 1000U : 500U));
        for (const auto& number : body["orderNumberList"]) {
            seen.insert(number.get<std::string>());
            ascending.push_back(number.get<std::string>());
        }
    }
    BOOST_TEST(seen.size() == 2500U);
    // Backfilled numbers rise with the order time, so ascending order time = ascending number.
    BOOST_TEST(std::is_sorted(ascending.begin(), ascending.end()));

    json descending = search_body(1, sim.at(-10 * k_day), k_start, 10);
    descending["PaginationRequestModel"]["SortModelList"][0]["sortDirection"] = 2;
    auto first = body_of(sim.search(descending))["orderNumberList"][0].get<std::string>();
    BOOST_TEST(first == ascending.back());

    auto beyond = body_of(sim.search(search_body(1, sim.at(-10 * k_day), k_start, 1000, 4)));
    BOOST_TEST(beyond["orderNumberList"].empty());
    BOOST_TEST(beyond["PaginationResponseModel"]["totalRecordsAmount"] == 2500);
}

BOOST_AUTO_TEST_CASE(hits_past_15000_cannot_be_fetched) {
    Sim sim;
    sim.control("POST", "/orders/generate", {{"count", 15500}, {"days", 20}});
    std::string from = sim.at(-20 * k_day);
    auto page15 = sim.search(search_body(1, from, k_start, 1000, 15));
    BOOST_TEST_REQUIRE(page15.status == 200);
    json body = body_of(page15);
    BOOST_TEST(body["orderNumberList"].size() == 1000U);
    BOOST_TEST(body["PaginationResponseModel"]["totalRecordsAmount"] == 15500);
    BOOST_TEST(body["PaginationResponseModel"]["totalPages"] == 16);

    require_refusal(sim.search(search_body(1, from, k_start, 1000, 16)),
                    "ORDER_EXT_API_SEARCH_ORDER_ERROR_019");
    // A page that straddles the 15,000th hit stops at it.
    auto straddle = body_of(sim.search(search_body(1, from, k_start, 700, 22)));
    BOOST_TEST(straddle["orderNumberList"].size() == 300U);
    require_refusal(sim.search(search_body(1, from, k_start, 700, 23)),
                    "ORDER_EXT_API_SEARCH_ORDER_ERROR_019");
}

BOOST_AUTO_TEST_CASE(date_types_and_progress_filter) {
    Sim sim;
    std::string placed = sim.add_order();
    std::string shipped = sim.add_order({{"progress", 500}, {"deliveryCompany", "1002"}});
    std::string cancelled = sim.add_order({{"progress", 900}});
    sim.advance(k_minute);
    std::string to = sim.at(0);

    auto numbers = [&](json body) {
        std::set<std::string> found;
        json answer = body_of(sim.search(body));
        for (const auto& number : answer["orderNumberList"]) {
            found.insert(number.get<std::string>());
        }
        return found;
    };
    BOOST_TEST(numbers(search_body(1, k_day_ago, to)).size() == 3U);
    json only_shipped = search_body(1, k_day_ago, to);
    only_shipped["orderProgressList"] = {500, 600, 700};
    BOOST_TEST(numbers(only_shipped) == std::set<std::string>{shipped});
    json only_cancelled = search_body(1, k_day_ago, to);
    only_cancelled["orderProgressList"] = {800, 900};
    BOOST_TEST(numbers(only_cancelled) == std::set<std::string>{cancelled});
    BOOST_TEST(numbers(search_body(5, k_day_ago, to)) == std::set<std::string>{shipped});
    BOOST_TEST(numbers(search_body(4, "2026-11-22T00:00:00+0900", to)) ==
               std::set<std::string>{shipped});
    BOOST_TEST(numbers(search_body(2, k_day_ago, to)) == (std::set<std::string>{shipped}));
    BOOST_TEST(numbers(search_body(6, k_day_ago, to)).empty());
    (void)placed;
}

BOOST_AUTO_TEST_CASE(orderer_filters) {
    Sim sim;
    auto created = sim.control("POST", "/orders", {{"buyer", {{"phone", "090-1111-2222"}}}});
    sim.add_order();
    std::string email = created["buyer"]["emailAddress"];
    json by_mail = search_body(1, k_day_ago, sim.at(1));
    by_mail["ordererMailAddress"] = email;
    BOOST_TEST(body_of(sim.search(by_mail))["orderNumberList"] ==
               json::array({created["orderNumber"]}));
    json by_phone = search_body(1, k_day_ago, sim.at(1));
    by_phone["phoneNumberType"] = 1;
    by_phone["phoneNumber"] = "09011112222";
    BOOST_TEST(body_of(sim.search(by_phone))["orderNumberList"] ==
               json::array({created["orderNumber"]}));
}

BOOST_AUTO_TEST_SUITE_END()

} // namespace musubi::sim::rakuten::test
