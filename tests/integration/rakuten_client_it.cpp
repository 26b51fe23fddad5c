// The RMS client against musubi-sim: search and getOrder of generated orders, a backfill of
// over 20,000 orders with a window past the 15,000-hit cap, an expired license key, and
// faults (503, maintenance, slow answers, dropped connections) ridden through by backoff;
// RMS's 403 throttling ridden through at a slower pace; a second with more hits than RMS
// lists, read to the cap and reported.

#include <algorithm>
#include <map>
#include <set>
#include <thread>

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "connectors/rakuten/order_walker.hpp"
#include "connectors/rakuten/rms_client.hpp"
#include "support/sim_process.hpp"

using namespace musubi::rakuten;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

constexpr const char* k_secret = musubi::test::k_rms_service_secret;
constexpr const char* k_key = musubi::test::k_rms_license_key;

int kind(ErrorKind value) {
    return static_cast<int>(value);
}

// A simulator with its clock frozen, so orders do not move on while a test compares.
struct Rms {
    musubi::test::SimProcess sim{musubi::test::rakuten_scenario(7)};
    TimePoint now;

    Rms() {
        const json clock = sim.control_post("/_sim/clock", {{"speed", 0}});
        now = TimePoint{std::chrono::seconds(clock.at("epoch_ms").get<std::int64_t>() / 1000)};
    }

    ClientOptions options(std::chrono::milliseconds timeout = 2000ms) const {
        return ClientOptions{sim.api_url(), timeout, 1ms, RetryPolicy{4, 20ms, 200ms}};
    }

    // Every order the simulator holds: number → summary.
    std::map<std::string, json> orders() const {
        std::map<std::string, json> all;
        const json answer = sim.control_get("/_sim/rakuten/orders?limit=100000");
        for (const auto& summary : answer["orders"]) {
            all[summary["orderNumber"].get<std::string>()] = summary;
        }
        return all;
    }

    std::vector<json> last_requests(int count) const {
        const json answer =
            sim.control_get("/_sim/rakuten/requests?limit=" + std::to_string(count));
        return answer["requests"].get<std::vector<json>>();
    }
};

std::string search_fault(const json& request) {
    return request["fault"].get<std::string>() + ":" + std::to_string(request["status"].get<int>());
}

} // namespace

BOOST_AUTO_TEST_SUITE(rakuten_client)

BOOST_AUTO_TEST_CASE(search_and_get_generated_orders) {
    Rms rms;
    const json generated =
        rms.sim.control_post("/_sim/rakuten/orders/generate", {{"count", 250}, {"days", 10}});
    BOOST_REQUIRE(generated["created"] == 250);
    const auto expected = rms.orders();
    BOOST_REQUIRE(expected.size() == 250u);

    RmsClient client(rms.options(), {k_secret, k_key});
    auto numbers = fetch_order_numbers(
        client, {DateType::order, rms.now - std::chrono::days{11}, rms.now, {}, rms.now});
    BOOST_REQUIRE_MESSAGE(numbers.has_value(), numbers.error().message);
    BOOST_TEST(numbers->order_numbers.size() == 250u);
    BOOST_TEST(numbers->windows == 1);
    BOOST_TEST(numbers->splits == 0);
    BOOST_TEST(!numbers->clamped);
    const std::set<std::string> found(numbers->order_numbers.begin(), numbers->order_numbers.end());
    BOOST_TEST(found.size() == 250u);
    for (const auto& [number, summary] : expected) {
        BOOST_TEST(found.count(number) == 1u, number);
    }

    auto orders = get_orders(client, numbers->order_numbers);
    BOOST_REQUIRE_MESSAGE(orders.has_value(), orders.error().message);
    BOOST_TEST(orders->orders.size() == 250u);
    BOOST_TEST(orders->problems.empty());
    BOOST_TEST(orders->not_found.empty());
    // 250 numbers take three getOrder calls after the one search page.
    BOOST_TEST(client.requests_sent() == 1 + 3);
    for (const Order& order : orders->orders) {
        const json& summary = expected.at(order.order_number);
        BOOST_TEST(order.order_progress == summary["orderProgress"].get<int>(), order.order_number);
        BOOST_TEST(format_rms_datetime(order.order_datetime) == summary["orderDatetime"]);
        const auto total = summary["totalPrice"].get<std::int64_t>();
        BOOST_TEST(order.total_price.value_or(k_money_not_fixed) == total);
        BOOST_TEST(order.orderer.phone_number3 == summary["phoneLast4"].get<std::string>());
        if (summary["shippingNumber"].is_string()) {
            BOOST_REQUIRE(order.packages.size() == 1u);
            BOOST_REQUIRE(order.packages[0].shippings.size() == 1u);
            BOOST_TEST(order.packages[0].shippings[0].shipping_number == summary["shippingNumber"]);
            BOOST_TEST(order.packages[0].shippings[0].delivery_company ==
                       summary["deliveryCompany"]);
        }
    }
}

BOOST_AUTO_TEST_CASE(unknown_numbers_and_a_progress_filter) {
    Rms rms;
    rms.sim.control_post("/_sim/rakuten/orders/generate", {{"count", 300}, {"days", 20}});
    std::size_t cancelled = 0;
    for (const auto& [number, summary] : rms.orders()) {
        cancelled += summary["orderProgress"] == 900 ? 1u : 0u;
    }
    BOOST_REQUIRE(cancelled > 0u);

    RmsClient client(rms.options(), {k_secret, k_key});
    auto numbers = fetch_order_numbers(
        client, {DateType::order, rms.now - std::chrono::days{21}, rms.now, {900}, rms.now});
    BOOST_REQUIRE_MESSAGE(numbers.has_value(), numbers.error().message);
    BOOST_TEST(numbers->order_numbers.size() == cancelled);

    const std::vector<std::string> asked{numbers->order_numbers.front(),
                                         "123456-20200101-0000000000"};
    auto orders = client.get_order(asked);
    BOOST_REQUIRE_MESSAGE(orders.has_value(), orders.error().message);
    BOOST_REQUIRE(orders->orders.size() == 1u);
    BOOST_TEST(orders->orders[0].order_progress == k_progress_cancelled);
    BOOST_TEST(orders->orders[0].change_reasons.size() == 2u);
    BOOST_TEST(orders->not_found == std::vector<std::string>{"123456-20200101-0000000000"});
}

BOOST_AUTO_TEST_CASE(backfill_of_22000_orders_splits_the_crowded_window) {
    Rms rms;
    // 16,000 orders within five days (one 63-day window holds them all), 6,000 over 200 days.
    rms.sim.control_post("/_sim/rakuten/orders/generate",
                         {{"count", 16000},
                          {"from", format_rms_datetime(rms.now - std::chrono::days{100})},
                          {"to", format_rms_datetime(rms.now - std::chrono::days{95})}});
    rms.sim.control_post("/_sim/rakuten/orders/generate", {{"count", 6000}, {"days", 200}});
    const auto expected = rms.orders();
    BOOST_REQUIRE(expected.size() == 22000u);

    RmsClient client(rms.options(), {k_secret, k_key});
    auto numbers = fetch_order_numbers(
        client, {DateType::order, rms.now - std::chrono::days{201}, rms.now, {}, rms.now});
    BOOST_REQUIRE_MESSAGE(numbers.has_value(), numbers.error().message);
    BOOST_TEST(numbers->order_numbers.size() == 22000u);
    const std::set<std::string> found(numbers->order_numbers.begin(), numbers->order_numbers.end());
    BOOST_TEST(found.size() == 22000u);
    BOOST_TEST((found == [&] {
        std::set<std::string> all;
        for (const auto& entry : expected) {
            all.insert(entry.first);
        }
        return all;
    }()));
    // Four 63-day windows, of which the crowded one had to be split.
    BOOST_TEST(numbers->splits >= 1);
    BOOST_TEST(numbers->windows >= 4 + numbers->splits);
    // In time order across windows and pages.
    BOOST_TEST(std::is_sorted(numbers->order_numbers.begin(), numbers->order_numbers.end(),
                              [&](const std::string& a, const std::string& b) {
                                  return expected.at(a)["orderDatetime"].get<std::string>() <
                                         expected.at(b)["orderDatetime"].get<std::string>();
                              }));
    // The cap was never hit: the walker split before asking for a page past it.
    for (const auto& request : rms.last_requests(1000)) {
        BOOST_TEST(request["status"] == 200, request.dump());
    }
    BOOST_TEST(client.requests_sent() == static_cast<int>(rms.last_requests(1000).size()));
}

BOOST_AUTO_TEST_CASE(a_start_older_than_730_days_is_clamped) {
    Rms rms;
    RmsClient client(rms.options(), {k_secret, k_key});
    auto numbers = fetch_order_numbers(client, {DateType::order,
                                                rms.now - std::chrono::days{800},
                                                rms.now - std::chrono::days{700},
                                                {},
                                                rms.now});
    BOOST_REQUIRE_MESSAGE(numbers.has_value(), numbers.error().message);
    BOOST_TEST(numbers->clamped);
    BOOST_TEST(format_rms_datetime(numbers->searched_from) ==
               format_rms_datetime(rms.now - std::chrono::days{730} + std::chrono::hours{1}));
    BOOST_TEST(numbers->order_numbers.empty());
    BOOST_TEST(client.requests_sent() == 1);

    auto too_old = fetch_order_numbers(client, {DateType::order,
                                                rms.now - std::chrono::days{900},
                                                rms.now - std::chrono::days{800},
                                                {},
                                                rms.now});
    BOOST_REQUIRE(too_old.has_value());
    BOOST_TEST(too_old->clamped);
    BOOST_TEST(client.requests_sent() == 1);
}

BOOST_AUTO_TEST_CASE(a_window_over_63_days_is_a_bad_request_with_the_rms_code) {
    Rms rms;
    RmsClient client(rms.options(), {k_secret, k_key});
    auto page =
        client.search_order({DateType::order, rms.now - std::chrono::days{64}, rms.now, {}}, 1);
    BOOST_REQUIRE(!page.has_value());
    BOOST_TEST(kind(page.error().kind) == kind(ErrorKind::bad_request));
    BOOST_TEST(page.error().status == 400);
    BOOST_REQUIRE(page.error().messages.size() == 1u);
    BOOST_TEST(page.error().messages[0].code == "ORDER_EXT_API_SEARCH_ORDER_ERROR_015");
    BOOST_TEST(page.error().message == "RMS searchOrder answered HTTP 400 (request refused): "
                                       "ORDER_EXT_API_SEARCH_ORDER_ERROR_015 "
                                       "検索期間は63日以内で指定して下さい。");
    BOOST_TEST(client.requests_sent() == 1);
}

BOOST_AUTO_TEST_CASE(an_expired_key_is_unauthorized_with_what_to_do) {
    Rms rms;
    const json license = rms.sim.control_get("/_sim/rakuten/license");
    BOOST_TEST(esa_authorization({k_secret, k_key}) ==
               license["licenseKeys"][0]["authorization"].get<std::string>());

    RmsClient client(rms.options(), {k_secret, k_key});
    auto expiry = client.license_expiry();
    BOOST_REQUIRE_MESSAGE(expiry.has_value(), expiry.error().message);
    BOOST_TEST(format_rms_datetime(*expiry) == "2027-02-20T23:59:59+0900");

    rms.sim.control_post("/_sim/rakuten/license/expire", json::object());
    auto page =
        client.search_order({DateType::order, rms.now - std::chrono::days{1}, rms.now, {}}, 1);
    BOOST_REQUIRE(!page.has_value());
    const Error& error = page.error();
    BOOST_TEST(kind(error.kind) == kind(ErrorKind::unauthorized));
    BOOST_TEST(error.status == 401);
    BOOST_TEST(!error.retryable());
    BOOST_TEST(error.message ==
               "RMS searchOrder answered HTTP 401: the license key has expired (keys live 90 "
               "days), is wrong, or was replaced by a newly issued key (issuing a new key in RMS "
               "makes the old one unusable at once; the new one may be refused for a while after "
               "issue). Check a key with `musubictl rms check-key --key-file FILE`, put it in the "
               "file rakuten.license_key_file names and restart musubi");
    BOOST_TEST(error.message.find(k_key) == std::string::npos);
    BOOST_TEST(error.message.find(k_secret) == std::string::npos);
    // Not retried: only a new key helps. The expiry lookup was the first request.
    BOOST_TEST(client.requests_sent() == 2);

    // A renewed key, given on reload, works again.
    const json issued = rms.sim.control_post("/_sim/rakuten/license/issue", json::object());
    client.set_credentials({k_secret, issued["licenseKey"].get<std::string>()});
    auto again =
        client.search_order({DateType::order, rms.now - std::chrono::days{1}, rms.now, {}}, 1);
    BOOST_TEST(again.has_value());
}

BOOST_AUTO_TEST_CASE(a_wrong_secret_is_unauthorized) {
    Rms rms;
    RmsClient client(rms.options(), {"SP000000_wrong", k_key});
    auto orders = client.get_order(std::vector<std::string>{"123456-20261122-0000000001"});
    BOOST_REQUIRE(!orders.has_value());
    BOOST_TEST(kind(orders.error().kind) == kind(ErrorKind::unauthorized));
    BOOST_TEST(orders.error().message.find("SP000000_wrong") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(three_503s_are_ridden_through) {
    Rms rms;
    rms.sim.control_post("/_sim/rakuten/orders/generate", {{"count", 5}, {"days", 1}});
    rms.sim.control_post("/_sim/rakuten/faults", {{"failNext", 3}});
    RmsClient client(rms.options(), {k_secret, k_key});
    std::vector<int> statuses;
    client.set_retry_observer([&](const RetryNotice& notice) {
        BOOST_TEST(notice.function == "searchOrder");
        BOOST_TEST((notice.delay >= 10ms && notice.delay <= 200ms));
        statuses.push_back(notice.cause.status);
    });
    auto page =
        client.search_order({DateType::order, rms.now - std::chrono::days{2}, rms.now, {}}, 1);
    BOOST_REQUIRE_MESSAGE(page.has_value(), page.error().message);
    BOOST_TEST(page->order_numbers.size() == 5u);
    BOOST_TEST(statuses == (std::vector<int>{503, 503, 503}));
    BOOST_TEST(client.requests_sent() == 4);
    std::vector<std::string> seen;
    for (const auto& request : rms.last_requests(4)) {
        seen.push_back(search_fault(request));
    }
    BOOST_TEST(seen == (std::vector<std::string>{"error:503", "error:503", "error:503", ":200"}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(maintenance_gives_up_after_the_configured_attempts) {
    Rms rms;
    rms.sim.control_post("/_sim/rakuten/faults", {{"maintenance", true}});
    RmsClient client(rms.options(), {k_secret, k_key});
    auto page =
        client.search_order({DateType::order, rms.now - std::chrono::days{2}, rms.now, {}}, 1);
    BOOST_REQUIRE(!page.has_value());
    BOOST_TEST(kind(page.error().kind) == kind(ErrorKind::transient));
    BOOST_TEST(page.error().retryable());
    BOOST_TEST(page.error().status == 503);
    BOOST_TEST(page.error().message == "RMS searchOrder answered HTTP 503 (overloaded or in "
                                       "maintenance); will retry later (gave up after 4 attempts)");
    BOOST_TEST(client.requests_sent() == 4);
}

BOOST_AUTO_TEST_CASE(a_slow_answer_times_out_and_is_retried) {
    Rms rms;
    rms.sim.control_post("/_sim/rakuten/orders/generate", {{"count", 3}, {"days", 1}});
    rms.sim.control_post("/_sim/rakuten/faults", {{"slowNext", 1}, {"slowMs", 3000}});
    RmsClient client(rms.options(400ms), {k_secret, k_key});
    std::vector<std::string> causes;
    client.set_retry_observer(
        [&](const RetryNotice& notice) { causes.push_back(notice.cause.message); });
    const auto started = std::chrono::steady_clock::now();
    auto page =
        client.search_order({DateType::order, rms.now - std::chrono::days{2}, rms.now, {}}, 1);
    BOOST_REQUIRE_MESSAGE(page.has_value(), page.error().message);
    BOOST_TEST(page->order_numbers.size() == 3u);
    BOOST_TEST((std::chrono::steady_clock::now() - started < 2500ms));
    BOOST_REQUIRE(causes.size() == 1u);
    BOOST_TEST(causes[0].find("timed out") != std::string::npos, causes[0]);
    BOOST_TEST(causes[0].find("/es/2.0/order/searchOrder/") != std::string::npos, causes[0]);
}

BOOST_AUTO_TEST_CASE(a_dropped_connection_is_ridden_through) {
    Rms rms;
    rms.sim.control_post("/_sim/rakuten/orders/generate", {{"count", 3}, {"days", 1}});
    rms.sim.control_post("/_sim/rakuten/faults", {{"dropNext", 2}});
    RmsClient client(rms.options(), {k_secret, k_key});
    auto page =
        client.search_order({DateType::order, rms.now - std::chrono::days{2}, rms.now, {}}, 1);
    BOOST_REQUIRE_MESSAGE(page.has_value(), page.error().message);
    BOOST_TEST(page->order_numbers.size() == 3u);
    const auto requests = rms.last_requests(3);
    BOOST_REQUIRE(requests.size() == 3u);
    BOOST_TEST(search_fault(requests[0]) == "drop:0");
    BOOST_TEST(search_fault(requests[1]) == "drop:0");
    BOOST_TEST(search_fault(requests[2]) == ":200");
}

BOOST_AUTO_TEST_CASE(stop_ends_a_backoff_wait_at_once) {
    Rms rms;
    rms.sim.control_post("/_sim/rakuten/faults", {{"maintenance", true}});
    std::stop_source stop;
    ClientOptions options = rms.options();
    options.retry = RetryPolicy{10, 30000ms, 60000ms};
    RmsClient client(options, {k_secret, k_key}, stop.get_token());
    std::jthread stopper([&] {
        std::this_thread::sleep_for(300ms);
        stop.request_stop();
    });
    const auto started = std::chrono::steady_clock::now();
    auto page =
        client.search_order({DateType::order, rms.now - std::chrono::days{2}, rms.now, {}}, 1);
    const auto took = std::chrono::steady_clock::now() - started;
    BOOST_REQUIRE(!page.has_value());
    BOOST_TEST(kind(page.error().kind) == kind(ErrorKind::cancelled));
    BOOST_TEST(page.error().message == "RMS searchOrder: stopped while waiting to retry");
    BOOST_TEST((took >= 250ms && took < 3s));
    BOOST_TEST(client.requests_sent() == 1);
}

BOOST_AUTO_TEST_CASE(requests_keep_the_minimum_interval) {
    Rms rms;
    ClientOptions options = rms.options();
    options.min_interval = 250ms;
    RmsClient client(options, {k_secret, k_key});
    const auto started = std::chrono::steady_clock::now();
    for (int i = 0; i < 3; ++i) {
        auto page =
            client.search_order({DateType::order, rms.now - std::chrono::days{2}, rms.now, {}}, 1);
        BOOST_REQUIRE_MESSAGE(page.has_value(), page.error().message);
    }
    BOOST_TEST((std::chrono::steady_clock::now() - started >= 500ms));
    BOOST_TEST(client.requests_sent() == 3);
}

BOOST_AUTO_TEST_CASE(throttling_403s_are_ridden_through_at_a_slower_pace_told_once_an_episode) {
    Rms rms;
    rms.sim.control_post("/_sim/rakuten/orders/generate", {{"count", 5}, {"days", 1}});
    rms.sim.control_post("/_sim/rakuten/limits", {{"perSecond", 3}});
    RmsClient client({rms.sim.api_url(), 2000ms, 1ms, RetryPolicy{5, 300ms, 2000ms}},
                     {k_secret, k_key});
    int retries = 0;
    std::vector<ThrottleNotice> notices;
    client.set_retry_observer([&](const RetryNotice&) { ++retries; });
    client.set_throttle_observer([&](const ThrottleNotice& notice) { notices.push_back(notice); });
    for (int i = 0; i < 8; ++i) {
        auto page =
            client.search_order({DateType::order, rms.now - std::chrono::days{2}, rms.now, {}}, 1);
        BOOST_REQUIRE_MESSAGE(page.has_value(), page.error().message);
        BOOST_TEST(page->order_numbers.size() == 5u);
    }
    const json limits = rms.sim.control_get("/_sim/rakuten/limits");
    BOOST_TEST(limits["throttled"].get<int>() >= 1);
    BOOST_TEST(limits["throttled"].get<int>() == client.throttled());
    BOOST_TEST(limits["accepted"] == 8);
    BOOST_TEST(retries == 0); // 403s are not told as retries...
    BOOST_REQUIRE(!notices.empty());
    BOOST_TEST(static_cast<int>(notices.size()) == client.throttle_episodes()); // ...but once
    BOOST_TEST(notices[0].function == "searchOrder");
    BOOST_TEST(notices[0].interval.count() == 100);
    BOOST_TEST((client.interval() >= 100ms));
    for (const auto& request : rms.last_requests(100)) {
        const bool refused = request["status"] == 403;
        BOOST_TEST((refused ? request["fault"] == "throttled" : request["status"] == 200));
    }
    client.reset_pace();
    BOOST_TEST(client.interval().count() == 1);
}

BOOST_AUTO_TEST_CASE(a_second_with_more_hits_than_rms_lists_is_read_to_the_cap_and_reported) {
    Rms rms;
    rms.sim.control_post("/_sim/rakuten/limits", {{"capTotalRecords", true}});
    const TimePoint second = rms.now - std::chrono::days{1};
    rms.sim.control_post("/_sim/rakuten/orders/generate", {{"count", 15001},
                                                           {"from", format_rms_datetime(second)},
                                                           {"to", format_rms_datetime(second)}});
    RmsClient client(rms.options(), {k_secret, k_key});
    auto numbers = fetch_order_numbers(
        client, {DateType::order, rms.now - std::chrono::days{2}, rms.now, {}, rms.now});
    BOOST_REQUIRE_MESSAGE(numbers.has_value(), numbers.error().message);
    BOOST_TEST(numbers->order_numbers.size() == 15000u);
    BOOST_REQUIRE(numbers->problems.size() == 1u);
    BOOST_TEST(numbers->problems[0] ==
               "RMS searchOrder (dateType 1) reports 15000 orders at " +
                   format_rms_datetime(second) +
                   " alone; it lists at most 15,000 for one query and a second cannot be split, "
                   "so the first 15,000 were read and any beyond them are missing");
    for (const auto& request : rms.last_requests(1000)) {
        BOOST_TEST(request["status"] == 200, request.dump());
    }
}

BOOST_AUTO_TEST_SUITE_END()
