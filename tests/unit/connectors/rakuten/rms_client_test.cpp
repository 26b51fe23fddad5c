#include <set>
#include <thread>

#include <boost/test/unit_test.hpp>

#include "connectors/rakuten/rms_client.hpp"

using namespace musubi::rakuten;
using namespace std::chrono_literals;

namespace {

musubi::http::Response answer(int status, std::string body) {
    musubi::http::Response response;
    response.status = status;
    response.body = std::move(body);
    return response;
}

int kind(const Error& error) {
    return static_cast<int>(error.kind);
}
int kind(ErrorKind value) {
    return static_cast<int>(value);
}

} // namespace

BOOST_AUTO_TEST_SUITE(rakuten_rms_client)

BOOST_AUTO_TEST_CASE(esa_header_is_base64_of_secret_colon_key) {
    BOOST_TEST(esa_authorization({"SP000000_musubi_sim_secret", "SL000000_musubi_sim_key"}) ==
               "ESA U1AwMDAwMDBfbXVzdWJpX3NpbV9zZWNyZXQ6U0wwMDAwMDBfbXVzdWJpX3NpbV9rZXk=");
    BOOST_TEST(esa_authorization({"a", "b"}) == "ESA YTpi");
}

BOOST_AUTO_TEST_CASE(unauthorized_tells_the_operator_what_to_do) {
    const Error error = classify_status("searchOrder", answer(401, R"({"Results":{}})"));
    BOOST_TEST(kind(error) == kind(ErrorKind::unauthorized));
    BOOST_TEST(error.status == 401);
    BOOST_TEST(!error.retryable());
    BOOST_TEST(error.message.find("RMS searchOrder answered HTTP 401") == 0u);
    BOOST_TEST(error.message.find("issuing a new key in RMS makes the old one unusable at "
                                  "once") != std::string::npos);
    BOOST_TEST(error.message.find("musubictl rms check-key --key-file FILE") != std::string::npos);
    BOOST_TEST(error.message.find("rakuten.license_key_file names and restart musubi") !=
               std::string::npos);
}

BOOST_AUTO_TEST_CASE(es04_01_is_a_function_not_enabled_whatever_the_status) {
    for (const int status : {401, 403, 400}) {
        const Error error = classify_status(
            "getOrder",
            answer(status, R"({"Results":{"errorCode":"ES04-01","message":"not enabled"}})"));
        BOOST_TEST(kind(error) == kind(ErrorKind::function_not_enabled), status);
        BOOST_TEST(!error.retryable());
        BOOST_TEST(error.message == "RMS getOrder answered HTTP " + std::to_string(status) +
                                        " ES04-01: this function is not enabled for the shop's "
                                        "WEB API. Enable it in RMS (RMS → 店舗様向け情報・サービス "
                                        "→ WEB APIサービス → 利用設定 → 利用機能編集; the names of "
                                        "RMS's screens may differ slightly), then try again; the "
                                        "license key itself was not refused");
    }
    BOOST_TEST(license_handover_steps().find(
                   "sudo install -m 600 FILE /etc/musubi/secrets/rms_license_key && sudo "
                   "systemctl restart musubi") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(bad_request_carries_the_rms_codes) {
    const Error error =
        classify_status("searchOrder", answer(400, R"({"MessageModelList":[{"messageType":"ERROR",
            "messageCode":"ORDER_EXT_API_SEARCH_ORDER_ERROR_011",
            "message":"startDatetimeの書式が不正です。"}],"orderNumberList":null})"));
    BOOST_TEST(kind(error) == kind(ErrorKind::bad_request));
    BOOST_REQUIRE(error.messages.size() == 1u);
    BOOST_TEST(error.messages[0].code == "ORDER_EXT_API_SEARCH_ORDER_ERROR_011");
    BOOST_TEST(error.message ==
               "RMS searchOrder answered HTTP 400 (request refused): "
               "ORDER_EXT_API_SEARCH_ORDER_ERROR_011 startDatetimeの書式が不正です。");
}

BOOST_AUTO_TEST_CASE(server_errors_and_lost_connections_are_transient) {
    for (int status : {500, 502, 503, 504, 429}) {
        BOOST_TEST(classify_status("getOrder", answer(status, "")).retryable(), status);
    }
    BOOST_TEST(classify_status("getOrder", answer(503, "")).message ==
               "RMS getOrder answered HTTP 503 (overloaded or in maintenance); will retry later");
    for (auto transport : {musubi::http::TransportErrorKind::timeout,
                           musubi::http::TransportErrorKind::connection}) {
        BOOST_TEST(
            classify_transport("getOrder", {transport, "POST http://x/ timed out"}).retryable());
    }
    BOOST_TEST(!classify_transport("getOrder", {musubi::http::TransportErrorKind::tls, "bad cert"})
                    .retryable());
    BOOST_TEST(kind(classify_status("getOrder", answer(404, ""))) == kind(ErrorKind::other));
    BOOST_TEST(kind(classify_status("getOrder", answer(405, ""))) == kind(ErrorKind::other));
}

BOOST_AUTO_TEST_CASE(a_403_is_throttling_retried_like_a_503) {
    const Error error = classify_status("searchOrder", answer(403, R"({"Results":{}})"));
    BOOST_TEST(error.retryable());
    BOOST_TEST(error.throttled());
    BOOST_TEST(error.status == 403);
    BOOST_TEST(error.message == "RMS searchOrder answered HTTP 403 (request threshold exceeded: "
                                "AccessLimit/QPSLimit); slowing down and retrying");
    BOOST_TEST(!classify_status("searchOrder", answer(503, "")).throttled());
}

BOOST_AUTO_TEST_CASE(throttling_doubles_the_interval_within_bounds) {
    BOOST_TEST(throttled_interval(0ms, 0ms).count() == 100);
    BOOST_TEST(throttled_interval(1ms, 1ms).count() == 100);
    BOOST_TEST(throttled_interval(100ms, 0ms).count() == 200);
    BOOST_TEST(throttled_interval(1000ms, 1000ms).count() == 2000);
    BOOST_TEST(throttled_interval(8000ms, 1000ms).count() == 10000);
    BOOST_TEST(throttled_interval(10000ms, 1000ms).count() == 10000);
    // A configured interval longer than the cap is kept.
    BOOST_TEST(throttled_interval(20000ms, 20000ms).count() == 20000);
}

BOOST_AUTO_TEST_CASE(search_answers) {
    auto hits = parse_search_order_response(
        R"({"orderNumberList":["123456-20261122-0000000001","123456-20261122-0000000002"],
            "MessageModelList":[],"PaginationResponseModel":
            {"totalRecordsAmount":2002,"totalPages":3,"requestPage":2}})");
    BOOST_REQUIRE(hits.has_value());
    BOOST_TEST(hits->order_numbers.size() == 2u);
    BOOST_TEST(hits->total_records == 2002);
    BOOST_TEST(hits->total_pages == 3);
    BOOST_TEST(hits->page == 2);

    auto none = parse_search_order_response(
        R"({"orderNumberList":[],"MessageModelList":[],"PaginationResponseModel":
            {"totalRecordsAmount":null,"totalPages":null,"requestPage":null}})");
    BOOST_REQUIRE(none.has_value());
    BOOST_TEST(none->order_numbers.empty());
    BOOST_TEST(none->total_records == 0);

    auto junk = parse_search_order_response(R"({"orderNumberList":[1]})");
    BOOST_REQUIRE(!junk.has_value());
    BOOST_TEST(kind(junk.error()) == kind(ErrorKind::malformed));
    BOOST_TEST(junk.error().message ==
               "RMS searchOrder answered 200 with an orderNumberList entry that is not a string");
    BOOST_TEST(!parse_search_order_response("<html>").has_value());
}

BOOST_AUTO_TEST_CASE(backoff_doubles_up_to_the_cap_with_jitter) {
    const RetryPolicy policy{6, 1000ms, 5000ms};
    std::mt19937_64 random(7);
    for (int round = 0; round < 200; ++round) {
        const auto first = backoff_delay(policy, 1, random);
        const auto second = backoff_delay(policy, 2, random);
        const auto third = backoff_delay(policy, 3, random);
        const auto tenth = backoff_delay(policy, 10, random);
        BOOST_TEST((first >= 500ms && first <= 1000ms));
        BOOST_TEST((second >= 1000ms && second <= 2000ms));
        BOOST_TEST((third >= 2000ms && third <= 4000ms));
        BOOST_TEST((tenth >= 2500ms && tenth <= 5000ms));
    }
    // Jitter: not every client waits the same.
    std::set<long> seen;
    for (int i = 0; i < 20; ++i) {
        seen.insert(static_cast<long>(backoff_delay(policy, 3, random).count()));
    }
    BOOST_TEST(seen.size() > 10u);
}

BOOST_AUTO_TEST_CASE(a_wait_ends_when_stop_is_requested) {
    std::stop_source stop;
    std::jthread stopper([&] {
        std::this_thread::sleep_for(50ms);
        stop.request_stop();
    });
    const auto started = std::chrono::steady_clock::now();
    BOOST_TEST(!wait_unless_stopped(stop.get_token(), 30s));
    BOOST_TEST((std::chrono::steady_clock::now() - started < 5s));
    BOOST_TEST(wait_unless_stopped(std::stop_token{}, 10ms));
}

BOOST_AUTO_TEST_CASE(more_than_100_numbers_are_refused_unsent) {
    RmsClient client({"http://127.0.0.1:9", 100ms, 0ms, {1, 0ms, 0ms}}, {"s", "k"});
    const std::vector<std::string> numbers(101, "123456-20261122-0000000001");
    auto result = client.get_order(numbers);
    BOOST_REQUIRE(!result.has_value());
    BOOST_TEST(result.error().message ==
               "RMS getOrder takes at most 100 order numbers; asked for 101");
    BOOST_TEST(client.requests_sent() == 0);
}

BOOST_AUTO_TEST_SUITE_END()
