#include <boost/test/unit_test.hpp>

#include "connectors/line/api_result.hpp"

using musubi::http::Response;
using musubi::http::TransportError;
using musubi::http::TransportErrorKind;
using musubi::line::classify_response;
using musubi::line::classify_transport_error;
using musubi::line::ErrorDetail;
using musubi::line::Outcome;
using musubi::line::outcome_name;

namespace {

Response answer(int status, std::string body,
                std::map<std::string, std::string> headers = {{"x-line-request-id", "req-1"}}) {
    Response response;
    response.status = status;
    response.body = std::move(body);
    response.headers = std::move(headers);
    return response;
}

} // namespace

BOOST_AUTO_TEST_SUITE(line_api_result)

BOOST_AUTO_TEST_CASE(a_200_push_is_sent_with_string_ids_and_the_request_id) {
    auto result = classify_response(
        answer(200, R"({"sentMessages":[{"id":"461230966842064897","quoteToken":"q1"},)"
                    R"({"id":"461230966842064898","quoteToken":"q2"}]})"));
    BOOST_TEST(outcome_name(result.outcome) == "sent");
    BOOST_TEST(result.succeeded());
    BOOST_TEST(result.status == 200);
    BOOST_TEST(result.request_id == "req-1");
    BOOST_TEST(result.sent_message_ids ==
                   (std::vector<std::string>{"461230966842064897", "461230966842064898"}),
               boost::test_tools::per_element());
    BOOST_TEST(result.message.empty());
    BOOST_TEST(result.details.empty());
}

BOOST_AUTO_TEST_CASE(a_numeric_message_id_keeps_every_digit) {
    // 2^63 - 1 does not fit a double: it must come back digit for digit.
    auto result =
        classify_response(answer(200, R"({"sentMessages":[{"id":9223372036854775807}]})"));
    BOOST_REQUIRE_EQUAL(result.sent_message_ids.size(), 1U);
    BOOST_TEST(result.sent_message_ids[0] == "9223372036854775807");
}

BOOST_AUTO_TEST_CASE(multicast_and_bulk_answers_are_sent_without_ids) {
    auto multicast = classify_response(answer(200, "{}"));
    BOOST_TEST(outcome_name(multicast.outcome) == "sent");
    BOOST_TEST(multicast.sent_message_ids.empty());
    auto bulk = classify_response(answer(202, "{}"));
    BOOST_TEST(outcome_name(bulk.outcome) == "sent");
    BOOST_TEST(bulk.status == 202);
}

BOOST_AUTO_TEST_CASE(a_409_with_the_accepted_request_id_is_already_sent) {
    auto result = classify_response(
        answer(409,
               R"({"message":"The retry key is already accepted",)"
               R"("sentMessages":[{"id":"600000000000000001","quoteToken":"q"}]})",
               {{"x-line-request-id", "req-2"}, {"x-line-accepted-request-id", "req-1"}}));
    BOOST_TEST(outcome_name(result.outcome) == "already_sent");
    BOOST_TEST(result.succeeded());
    BOOST_TEST(result.status == 409);
    BOOST_TEST(result.request_id == "req-2");
    BOOST_TEST(result.accepted_request_id == "req-1");
    BOOST_TEST(result.message == "The retry key is already accepted");
    BOOST_REQUIRE_EQUAL(result.sent_message_ids.size(), 1U);
    BOOST_TEST(result.sent_message_ids[0] == "600000000000000001");
}

BOOST_AUTO_TEST_CASE(a_409_without_the_accepted_request_id_is_permanent) {
    auto result = classify_response(answer(409, R"({"message":"Conflict"})"));
    BOOST_TEST(outcome_name(result.outcome) == "permanent");
    BOOST_TEST(!result.succeeded());
    BOOST_TEST(result.message == "Conflict");
}

BOOST_AUTO_TEST_CASE(the_two_429_messages_are_told_apart) {
    auto rate = classify_response(
        answer(429, R"({"message":"The API rate limit has been exceeded. Try again later."})"));
    BOOST_TEST(outcome_name(rate.outcome) == "rate_limited");
    BOOST_TEST(rate.status == 429);
    BOOST_TEST(rate.message == "The API rate limit has been exceeded. Try again later.");

    auto quota =
        classify_response(answer(429, R"({"message":"You have reached your monthly limit."})"));
    BOOST_TEST(outcome_name(quota.outcome) == "quota_exhausted");
    BOOST_TEST(quota.message == "You have reached your monthly limit.");
    BOOST_TEST(!quota.succeeded());
}

BOOST_AUTO_TEST_CASE(an_unknown_429_backs_off_rather_than_stops) {
    auto result = classify_response(answer(429, "Too Many Requests", {}));
    BOOST_TEST(outcome_name(result.outcome) == "rate_limited");
    BOOST_TEST(result.message == "LINE answered HTTP 429 without a message");
    BOOST_TEST(result.body.is_null());
}

BOOST_AUTO_TEST_CASE(a_401_is_unauthorized) {
    auto result = classify_response(answer(
        401, R"({"message":"Authentication failed due to the following reason: invalid )"
             R"(token. Confirm that the access token in the authorization header is valid."})"));
    BOOST_TEST(outcome_name(result.outcome) == "unauthorized");
    BOOST_TEST(result.message ==
               "Authentication failed due to the following reason: invalid token. "
               "Confirm that the access token in the authorization header is "
               "valid.");
}

BOOST_AUTO_TEST_CASE(a_400_is_permanent_with_line_s_message_and_details) {
    auto result = classify_response(answer(
        400, R"~({"message":"The request body has 2 error(s)","details":[)~"
             R"~({"message":"Length must be between 0 and 5000","property":"messages[0].text"},)~"
             R"~({"message":"must be specified","property":"messages[1].text"}]})~"));
    BOOST_TEST(outcome_name(result.outcome) == "permanent");
    BOOST_TEST(result.status == 400);
    BOOST_TEST(result.request_id == "req-1");
    BOOST_TEST(result.message == "The request body has 2 error(s)");
    const std::vector<ErrorDetail> expected{
        {"Length must be between 0 and 5000", "messages[0].text"},
        {"must be specified", "messages[1].text"}};
    BOOST_TEST((result.details == expected));
}

BOOST_AUTO_TEST_CASE(other_4xx_are_permanent) {
    for (int status : {403, 404, 413, 415}) {
        auto result = classify_response(answer(status, R"({"message":"Not found"})"));
        BOOST_TEST(outcome_name(result.outcome) == "permanent", "status " << status);
        BOOST_TEST(result.details.empty());
        BOOST_TEST(result.message == "Not found");
    }
}

BOOST_AUTO_TEST_CASE(server_errors_are_transient_with_or_without_a_body) {
    auto internal = classify_response(answer(500, R"({"message":"Internal server error"})"));
    BOOST_TEST(outcome_name(internal.outcome) == "transient");
    BOOST_TEST(internal.message == "Internal server error");
    auto gateway = classify_response(answer(503, "<html>busy</html>", {}));
    BOOST_TEST(outcome_name(gateway.outcome) == "transient");
    BOOST_TEST(gateway.status == 503);
    BOOST_TEST(gateway.request_id.empty());
    BOOST_TEST(gateway.message == "LINE answered HTTP 503 without a message");
}

BOOST_AUTO_TEST_CASE(transport_failures_are_transient_without_a_status) {
    for (auto kind :
         {TransportErrorKind::timeout, TransportErrorKind::connection, TransportErrorKind::tls}) {
        auto result = classify_transport_error(
            TransportError{kind, "POST http://x/v2/bot/message/push timed out"});
        BOOST_TEST(outcome_name(result.outcome) == "transient");
        BOOST_TEST(result.status == 0);
        BOOST_TEST(result.message == "POST http://x/v2/bot/message/push timed out");
        BOOST_TEST(!result.succeeded());
    }
}

BOOST_AUTO_TEST_CASE(every_outcome_has_its_own_name) {
    BOOST_TEST(outcome_name(Outcome::sent) == "sent");
    BOOST_TEST(outcome_name(Outcome::already_sent) == "already_sent");
    BOOST_TEST(outcome_name(Outcome::rate_limited) == "rate_limited");
    BOOST_TEST(outcome_name(Outcome::quota_exhausted) == "quota_exhausted");
    BOOST_TEST(outcome_name(Outcome::unauthorized) == "unauthorized");
    BOOST_TEST(outcome_name(Outcome::permanent) == "permanent");
    BOOST_TEST(outcome_name(Outcome::transient) == "transient");
}

BOOST_AUTO_TEST_SUITE_END()
