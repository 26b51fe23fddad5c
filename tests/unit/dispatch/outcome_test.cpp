#include <boost/test/unit_test.hpp>

#include "daemon/dispatch/outcome.hpp"

using namespace musubi;
using namespace musubi::dispatch;
using namespace std::chrono_literals;
using store::Disposition;

namespace {

constexpr std::int64_t k_now = 1'795'309'506'000;

store::DueMessage row() {
    store::DueMessage message;
    message.id = 7;
    message.retry_key = "00000000-0000-4000-8000-000000000007";
    message.friend_id = 3;
    message.line_user_id = "U0123456789abcdef0123456789abcdef";
    message.scenario = "order-thanks";
    message.step = "thanks";
    message.kind = "push";
    message.payload = R"([{"type":"text","text":"ありがとうございます"}])";
    message.first_attempt_at = k_now;
    message.attempts = 1;
    return message;
}

line::ApiResult answer(line::Outcome outcome, int status, std::string message = "") {
    line::ApiResult result;
    result.outcome = outcome;
    result.status = status;
    result.message = std::move(message);
    result.request_id = "req-1";
    return result;
}

const BackoffPolicy k_backoff{1s, 10min};

} // namespace

BOOST_AUTO_TEST_SUITE(dispatch_outcome)

BOOST_AUTO_TEST_CASE(a_message_to_a_following_friend_within_its_time_may_be_sent) {
    BOOST_TEST(!precheck(row(), k_now, 23h).has_value());
}

BOOST_AUTO_TEST_CASE(a_blocked_friend_is_skipped_with_the_reason) {
    auto message = row();
    message.friend_blocked = true;
    const auto record = precheck(message, k_now, 23h);
    BOOST_REQUIRE(record.has_value());
    BOOST_TEST((record->disposition == Disposition::skipped));
    BOOST_TEST(record->reason == "friend has blocked the account");
    BOOST_TEST(record->outbox_id == 7);
}

BOOST_AUTO_TEST_CASE(a_row_first_tried_over_23_hours_ago_expires) {
    auto message = row();
    message.first_attempt_at = k_now - (23h + 1ms).count();
    const auto record = precheck(message, k_now, 23h);
    BOOST_REQUIRE(record.has_value());
    BOOST_TEST((record->disposition == Disposition::expired));
    BOOST_TEST(record->reason == "first tried over 23 hours ago; not resent because LINE forgets "
                                 "retry keys after 24 hours");
    message.first_attempt_at = k_now - (23h).count();
    BOOST_TEST(!precheck(message, k_now, 23h).has_value());
}

BOOST_AUTO_TEST_CASE(a_row_without_a_friend_fails) {
    auto message = row();
    message.line_user_id.clear();
    const auto record = precheck(message, k_now, 23h);
    BOOST_REQUIRE(record.has_value());
    BOOST_TEST((record->disposition == Disposition::failed));
    BOOST_TEST(record->reason == "no friend with id 3");
}

BOOST_AUTO_TEST_CASE(accepted_and_409_are_both_sent_with_the_request_id) {
    const auto sent =
        judge(row(), answer(line::Outcome::sent, 200), Route::push, k_now, k_backoff, 0.5);
    BOOST_TEST((sent.disposition == Disposition::sent));
    BOOST_TEST(sent.outcome == "sent");
    BOOST_TEST(sent.request_id == "req-1");
    BOOST_TEST(sent.reason == "pushed");

    auto conflict = answer(line::Outcome::already_sent, 409, "The retry key is already accepted");
    conflict.accepted_request_id = "req-first";
    const auto again = judge(row(), conflict, Route::push, k_now, k_backoff, 0.5);
    BOOST_TEST((again.disposition == Disposition::sent));
    BOOST_TEST(again.outcome == "already_sent");
    BOOST_TEST(again.request_id == "req-first");
    BOOST_TEST(again.http_status == 409);
}

BOOST_AUTO_TEST_CASE(a_5xx_and_a_rate_limit_retry_later_with_growing_backoff) {
    auto message = row();
    message.attempts = 3; // third failure: the step is 4 s, jitter 0.5 → 3 s
    const auto transient =
        judge(message, answer(line::Outcome::transient, 500, "Internal server error"), Route::push,
              k_now, k_backoff, 0.5);
    BOOST_TEST((transient.disposition == Disposition::retry));
    BOOST_TEST(transient.retry_at == k_now + 3000);
    BOOST_TEST(transient.reason ==
               "Internal server error (HTTP 500); resending with the same retry key");

    const auto limited = judge(row(),
                               answer(line::Outcome::rate_limited, 429,
                                      "The API rate limit has been exceeded. Try again later."),
                               Route::push, k_now, k_backoff, 0.0);
    BOOST_TEST((limited.disposition == Disposition::retry));
    BOOST_TEST(limited.outcome == "rate_limited");
    BOOST_TEST(limited.retry_at == k_now + 500);
}

BOOST_AUTO_TEST_CASE(a_timeout_is_retried_and_says_no_answer_came) {
    const auto record = judge(row(), answer(line::Outcome::transient, 0, "Timeout"), Route::push,
                              k_now, k_backoff, 1.0);
    BOOST_TEST((record.disposition == Disposition::retry));
    BOOST_TEST(record.reason == "Timeout (no answer); resending with the same retry key");
}

BOOST_AUTO_TEST_CASE(a_permanent_refusal_fails_with_lines_message_and_details) {
    auto refused = answer(line::Outcome::permanent, 400, "The request body has 2 error(s)");
    refused.details = {{"Length must be between 0 and 5000", "messages[0].text"},
                       {"must be specified", "messages[1].altText"}};
    const auto record = judge(row(), refused, Route::push, k_now, k_backoff, 0.5);
    BOOST_TEST((record.disposition == Disposition::failed));
    BOOST_TEST(record.reason ==
               "LINE refused the message (HTTP 400): The request body has 2 error(s): "
               "messages[0].text: Length must be between 0 and 5000; messages[1].altText: must "
               "be specified");
}

BOOST_AUTO_TEST_CASE(quota_and_token_problems_put_the_row_back_due_now) {
    const auto quota = judge(
        row(), answer(line::Outcome::quota_exhausted, 429, "You have reached your monthly limit."),
        Route::push, k_now, k_backoff, 0.5);
    BOOST_TEST((quota.disposition == Disposition::retry));
    BOOST_TEST(quota.retry_at == k_now);
    const auto token = judge(row(), answer(line::Outcome::unauthorized, 401, "invalid token"),
                             Route::push, k_now, k_backoff, 0.5);
    BOOST_TEST((token.disposition == Disposition::retry));
    BOOST_TEST(token.outcome == "unauthorized");
}

BOOST_AUTO_TEST_CASE(the_reason_says_how_a_reply_row_went_out) {
    BOOST_TEST(
        judge(row(), answer(line::Outcome::sent, 200), Route::reply, k_now, k_backoff, 0).reason ==
        "replied");
    BOOST_TEST(
        judge(row(), answer(line::Outcome::sent, 200), Route::push_after_reply, k_now, k_backoff, 0)
            .reason == "pushed (the reply token was no longer valid)");
}

// --- A reply into a group chat (issue 17): by its token only, never pushed.
BOOST_AUTO_TEST_CASE(a_group_reply_goes_while_its_token_lives_and_then_expires_unpushed) {
    auto message = row();
    message.kind = "reply";
    message.friend_id.reset();
    message.line_user_id.clear();
    message.reply_token = "rt-group";
    message.reply_until = k_now + 30'000;
    BOOST_TEST(!precheck(message, k_now, 23h).has_value());
    const auto late = precheck(message, k_now + 30'000, 23h);
    BOOST_REQUIRE(late.has_value());
    BOOST_TEST((late->disposition == Disposition::expired));
    BOOST_TEST(late->reason == "a reply into a group chat goes only by its reply token, and the "
                               "token has expired; nothing is pushed into a group");
}

BOOST_AUTO_TEST_SUITE_END()
