// The dispatcher against the real simulator: every assertion is on what LINE received (the
// simulator's ledger) and on what the outbox holds.

#include <algorithm>
#include <set>

#include <boost/test/unit_test.hpp>

#include "daemon/outbox/multicast.hpp"
#include "dispatcher_support.hpp"

using nlohmann::json;
using namespace musubi;
using namespace musubi::test;
using dispatch::Dispatcher;

namespace {

// Waits (bounded) until `done` holds.
template <typename Predicate>
bool eventually(Predicate done, std::chrono::seconds limit = std::chrono::seconds(30)) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < until) {
        if (done()) {
            return true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
}

std::vector<store::sqlite::NewMessage> numbered(TestStore& store, int friend_n, int count,
                                                const std::string& prefix) {
    std::vector<store::sqlite::NewMessage> messages;
    for (int i = 1; i <= count; ++i) {
        const auto text = prefix + " " + std::to_string(i);
        messages.push_back(store.message(friend_n, text, text_messages(text)));
    }
    return messages;
}

} // namespace

BOOST_AUTO_TEST_SUITE(dispatcher_send)

BOOST_AUTO_TEST_CASE(every_due_message_is_delivered_once_and_recorded_sent) {
    SimProcess sim(sim_scenario(3));
    TestStore store(3);
    std::vector<store::sqlite::NewMessage> rows;
    for (int n = 1; n <= 3; ++n) {
        auto some = numbered(store, n, 10, "message for " + std::to_string(n));
        rows.insert(rows.end(), some.begin(), some.end());
    }
    auto later = store.message(1, "later", text_messages("not yet"));
    later.due_at += 3'600'000;
    rows.push_back(later);
    store.insert(rows);

    Dispatcher dispatcher(store.outbox(), store.clock());
    dispatcher.start(test_options(sim));
    BOOST_REQUIRE(eventually([&] { return store.count("state = 'sent'") == 30; }));
    dispatcher.stop();

    const auto ledger = sim.control_get("/_sim/line/ledger");
    BOOST_TEST(ledger["counters"]["deliveries"] == 30);
    BOOST_TEST(ledger["counters"]["duplicate_deliveries"] == 0);
    auto texts = delivered_texts(ledger);
    for (int n = 1; n <= 3; ++n) {
        auto got = texts[user_id(n)];
        std::sort(got.begin(), got.end());
        std::vector<std::string> expected;
        for (int i = 1; i <= 10; ++i) {
            expected.push_back("message for " + std::to_string(n) + " " + std::to_string(i));
        }
        std::sort(expected.begin(), expected.end());
        BOOST_TEST(got == expected, boost::test_tools::per_element());
    }
    // The message due in an hour waits; every sent row has its delivery with LINE's request id.
    BOOST_TEST(store.count("state = 'pending'") == 1);
    BOOST_TEST(store.text("SELECT count(*) FROM deliveries WHERE outcome = 'sent' AND "
                          "http_status = 200 AND request_id IS NOT NULL") == "30");
    BOOST_TEST(store.text("SELECT reason FROM outbox WHERE state = 'sent' LIMIT 1") == "pushed");
}

BOOST_AUTO_TEST_CASE(an_announcement_goes_by_multicast_in_500s_once_to_each_friend) {
    constexpr int k_friends = 1203;
    SimProcess sim(sim_scenario(k_friends));
    TestStore store(0); // a multicast names no friend row
    outbox::Announcement announcement;
    announcement.identity = "campaign:winter/run:1";
    announcement.scenario = "campaign:winter";
    announcement.step = "announce";
    for (int n = 1; n <= k_friends; ++n) {
        announcement.recipients.push_back(user_id(n));
    }
    announcement.messages = text_messages("冬のセールのお知らせ");
    announcement.due_at_ms = store.clock()->now_ms();
    const auto rows = outbox::multicast_messages(announcement);
    BOOST_REQUIRE(rows.size() == 3u);
    BOOST_TEST(*store.outbox().add(rows) == 3);
    // Writing the same announcement again (a second command, a crash before the reply) adds
    // nothing.
    BOOST_TEST(*store.outbox().add(outbox::multicast_messages(announcement)) == 0);

    Dispatcher dispatcher(store.outbox(), store.clock());
    dispatcher.start(test_options(sim));
    BOOST_REQUIRE(eventually([&] { return store.count("state = 'sent'") == 3; }));
    dispatcher.stop();
    auto ledger = sim.control_get("/_sim/line/ledger");
    BOOST_TEST(ledger["counters"]["deliveries"] == k_friends);
    for (int n = 1; n <= k_friends; ++n) {
        const auto& deliveries = ledger["friends"][user_id(n)]["deliveries"];
        BOOST_REQUIRE(deliveries.size() == 1u);
        BOOST_TEST(deliveries[0]["endpoint"] == "multicast");
        BOOST_TEST(deliveries[0]["message"]["text"] == "冬のセールのお知らせ");
    }
    BOOST_TEST(store.text("SELECT group_concat(json_array_length(payload, '$.to')) FROM outbox") ==
               "500,500,203");
    BOOST_TEST(store.text("SELECT reason FROM outbox LIMIT 1") == "multicast");

    // A crash after LINE accepted a group but before the outcome was recorded: the row is due
    // again, goes out with its retry key, and LINE's 409 makes it sent without a second copy.
    store.exec("UPDATE outbox SET state = 'sending' WHERE id = (SELECT min(id) FROM outbox)");
    Dispatcher restarted(store.outbox(), store.clock());
    restarted.start(test_options(sim));
    BOOST_REQUIRE(eventually([&] { return store.count("state = 'sent'") == 3; }));
    restarted.stop();
    ledger = sim.control_get("/_sim/line/ledger");
    BOOST_TEST(ledger["counters"]["deliveries"] == k_friends);
    BOOST_TEST(ledger["counters"]["duplicate_deliveries"] == 0);
    BOOST_TEST(store.text("SELECT count(*) FROM deliveries WHERE outcome = 'already_sent'") == "1");
}

BOOST_AUTO_TEST_CASE(a_message_line_already_accepted_counts_as_sent_and_is_not_delivered_again) {
    SimProcess sim(sim_scenario(1));
    TestStore store(1);
    const auto row = store.message(1, "thanks", text_messages("ご注文ありがとうございます"));
    store.insert({row});
    // The crash case: LINE accepted the push, the process died before recording it.
    line::MessagingClient client(test_options(sim).client,
                                 line::AccessToken::long_lived(k_sim_token));
    const auto first =
        client.push(user_id(1), text_messages("ご注文ありがとうございます"), row.retry_key);
    BOOST_REQUIRE(first.outcome == line::Outcome::sent);

    Dispatcher dispatcher(store.outbox(), store.clock());
    dispatcher.start(test_options(sim));
    BOOST_REQUIRE(eventually([&] { return store.count("state = 'sent'") == 1; }));
    dispatcher.stop();

    BOOST_TEST(store.text("SELECT outcome || ' ' || http_status || ' ' || request_id FROM "
                          "deliveries") == "already_sent 409 " + first.request_id);
    const auto ledger = sim.control_get("/_sim/line/ledger");
    BOOST_TEST(ledger["counters"]["deliveries"] == 1);
    BOOST_TEST(ledger["counters"]["retry_key_conflicts"] == 1);
    BOOST_TEST(dispatcher.stats().already_sent == 1);
}

BOOST_AUTO_TEST_CASE(a_friend_who_blocked_the_account_is_skipped_with_the_reason) {
    SimProcess sim(sim_scenario(2));
    TestStore store(2);
    store.exec("UPDATE friends SET state = 'blocked' WHERE id = 2");
    store.insert({store.message(1, "a", text_messages("to a friend")),
                  store.message(2, "b", text_messages("to a blocked friend"))});

    Dispatcher dispatcher(store.outbox(), store.clock());
    dispatcher.start(test_options(sim));
    BOOST_REQUIRE(store.wait_until_settled());
    dispatcher.stop();

    BOOST_TEST(store.text("SELECT state || ': ' || reason FROM outbox WHERE friend_id = 2") ==
               "skipped: friend has blocked the account");
    BOOST_TEST(store.text("SELECT state FROM outbox WHERE friend_id = 1") == "sent");
    const auto ledger = sim.control_get("/_sim/line/ledger");
    BOOST_TEST(ledger["counters"]["deliveries"] == 1);
    BOOST_TEST(ledger.at("friends").at(user_id(2)).at("deliveries").size() == 0u);
}

BOOST_AUTO_TEST_CASE(a_message_line_refuses_fails_with_lines_details) {
    SimProcess sim(sim_scenario(1));
    TestStore store(1);
    store.insert({store.message(1, "long", text_messages(std::string(5001, 'a')))});

    Dispatcher dispatcher(store.outbox(), store.clock());
    dispatcher.start(test_options(sim));
    BOOST_REQUIRE(store.wait_until_settled());
    dispatcher.stop();

    BOOST_TEST(store.text("SELECT state || ': ' || reason FROM outbox") ==
               "failed: LINE refused the message (HTTP 400): The request body has 1 error(s): "
               "messages[0].text: Length must be between 0 and 5000");
    BOOST_TEST(store.text("SELECT outcome || ' ' || http_status FROM deliveries") ==
               "permanent 400");
    BOOST_TEST(sim.control_get("/_sim/line/ledger")["counters"]["deliveries"] == 0);
}

BOOST_AUTO_TEST_CASE(a_message_first_tried_over_23_hours_ago_expires_unsent) {
    SimProcess sim(sim_scenario(1));
    TestStore store(1);
    store.insert({store.message(1, "old", text_messages("too late")),
                  store.message(1, "new", text_messages("in time"))});
    const auto day_ago = store.clock()->now_ms() - 24 * 3'600'000LL;
    store.exec("UPDATE outbox SET first_attempt_at = " + std::to_string(day_ago) +
               ", attempts = 3 WHERE payload LIKE '%too late%'");

    Dispatcher dispatcher(store.outbox(), store.clock());
    dispatcher.start(test_options(sim));
    BOOST_REQUIRE(store.wait_until_settled());
    dispatcher.stop();

    BOOST_TEST(store.text("SELECT state || ': ' || reason FROM outbox WHERE payload LIKE "
                          "'%too late%'") ==
               "expired: first tried over 23 hours ago; not resent because LINE forgets retry "
               "keys after 24 hours");
    const auto texts = delivered_texts(sim.control_get("/_sim/line/ledger"));
    BOOST_TEST(texts.at(user_id(1)) == std::vector<std::string>{"in time"},
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_reply_row_replies_while_the_token_is_valid_and_pushes_after) {
    SimProcess sim(sim_scenario(1));
    TestStore store(1);
    // A text from the friend issues a reply token (not sent anywhere: no webhook here).
    const auto event = sim.control_post("/_sim/line/friends/" + user_id(1) + "/text",
                                        {{"text", "営業時間は？"}, {"send", false}});
    const auto token = event["event"]["replyToken"].get<std::string>();
    const auto now = store.clock()->now_ms();

    auto valid = store.message(1, "valid", text_messages("reply while valid"));
    valid.kind = "reply";
    valid.reply_token = token;
    valid.reply_until = now + 50'000;
    auto stale = store.message(1, "stale", text_messages("token too old"));
    stale.kind = "reply";
    stale.reply_token = "never-issued-token";
    stale.reply_until = now - 1;
    auto refused = store.message(1, "refused", text_messages("token refused"));
    refused.kind = "reply";
    refused.reply_token = "another-never-issued-token";
    refused.reply_until = now + 50'000;
    // A valid token with too little of its life left for a resend to confirm a reply
    // (under 20 s): pushed at once.
    const auto later = sim.control_post("/_sim/line/friends/" + user_id(1) + "/text",
                                        {{"text", "在庫は？"}, {"send", false}});
    auto closing = store.message(1, "closing", text_messages("token about to expire"));
    closing.kind = "reply";
    closing.reply_token = later.at("event").at("replyToken").get<std::string>();
    closing.reply_until = now + 10'000;
    store.insert({valid, stale, refused, closing});

    Dispatcher dispatcher(store.outbox(), store.clock());
    dispatcher.start(test_options(sim));
    BOOST_REQUIRE(store.wait_until_settled());
    dispatcher.stop();

    std::map<std::string, json> by_text;
    const auto received = sim.control_get("/_sim/line/ledger/" + user_id(1));
    for (const auto& delivery : received.at("deliveries")) {
        by_text[delivery["message"]["text"].get<std::string>()] = delivery;
    }
    BOOST_REQUIRE_MESSAGE(by_text.size() == 4u,
                          store.text("SELECT group_concat(state || ': ' || ifnull(reason, ''), "
                                     "' | ') FROM outbox"));
    BOOST_TEST(by_text["reply while valid"]["endpoint"] == "reply");
    BOOST_TEST(by_text["reply while valid"]["retry_key"].is_null());
    BOOST_TEST(by_text["token too old"]["endpoint"] == "push");
    BOOST_TEST(by_text["token too old"]["retry_key"] == stale.retry_key);
    BOOST_TEST(by_text["token refused"]["endpoint"] == "push");
    BOOST_TEST(by_text["token refused"]["retry_key"] == refused.retry_key);
    BOOST_TEST(by_text["token about to expire"]["endpoint"] == "push");
    BOOST_TEST(by_text["token about to expire"]["retry_key"] == closing.retry_key);
    BOOST_TEST(store.text("SELECT group_concat(reason, ' | ') FROM (SELECT reason FROM outbox "
                          "ORDER BY id)") ==
               "replied | pushed | pushed (the reply token was no longer valid) | pushed");
}

BOOST_AUTO_TEST_CASE(a_reply_resent_after_a_crash_is_not_delivered_twice) {
    SimProcess sim(sim_scenario(1));
    TestStore store(1);
    const auto event = sim.control_post("/_sim/line/friends/" + user_id(1) + "/text",
                                        {{"text", "送料は？"}, {"send", false}});
    const auto token = event["event"]["replyToken"].get<std::string>();
    auto answer = store.message(1, "answer", text_messages("送料は全国一律500円です"));
    answer.kind = "reply";
    answer.reply_token = token;
    answer.reply_until = store.clock()->now_ms() + 50'000;
    // A second message decided for the same event cannot take the same token.
    auto second = store.message(1, "second", text_messages("ほかにご質問があればどうぞ"));
    second.kind = "reply";
    second.reply_token = token;
    second.reply_until = answer.reply_until;
    store.insert({answer, second});
    BOOST_TEST(store.text("SELECT group_concat(kind, ',') FROM (SELECT kind FROM outbox "
                          "ORDER BY id)") == "reply,push");

    // The first attempt reached LINE, then musubid died before recording it: the row is left
    // `sending`, and LINE has used the token.
    const auto sent = line::MessagingClient(test_options(sim).client, test_options(sim).token)
                          .reply(token, text_messages("送料は全国一律500円です"));
    BOOST_REQUIRE(sent.outcome == line::Outcome::sent);
    store.exec("UPDATE outbox SET state = 'sending', attempts = 1, first_attempt_at = " +
               std::to_string(store.clock()->now_ms()) + " WHERE retry_key = '" + answer.retry_key +
               "'");

    Dispatcher dispatcher(store.outbox(), store.clock());
    dispatcher.start(test_options(sim));
    BOOST_REQUIRE(store.wait_until_settled());
    dispatcher.stop();
    const auto received = sim.control_get("/_sim/line/ledger/" + user_id(1));
    std::vector<std::string> texts;
    for (const auto& delivery : received.at("deliveries")) {
        texts.push_back(delivery["endpoint"].get<std::string>() + ":" +
                        delivery["message"]["text"].get<std::string>());
    }
    std::sort(texts.begin(), texts.end());
    BOOST_TEST(texts == (std::vector<std::string>{"push:ほかにご質問があればどうぞ",
                                                  "reply:送料は全国一律500円です"}),
               boost::test_tools::per_element());
    BOOST_TEST(store.text("SELECT state || ': ' || reason FROM outbox WHERE retry_key = '" +
                          answer.retry_key + "'") ==
               "sent: replied by an earlier attempt (LINE says the reply token is used)");
}

BOOST_AUTO_TEST_CASE(the_monthly_limit_stops_all_sending_until_the_quota_allows_again) {
    SimProcess sim(sim_scenario(2, "  quota: {type: limited, value: 5}\n"));
    TestStore store(2);
    auto rows = numbered(store, 1, 6, "first");
    auto more = numbered(store, 2, 6, "second");
    rows.insert(rows.end(), more.begin(), more.end());
    store.insert(rows);

    Dispatcher dispatcher(store.outbox(), store.clock());
    dispatcher.start(test_options(sim));
    BOOST_REQUIRE(
        eventually([&] { return dispatcher.stats().paused == dispatch::PauseReason::quota; }));
    // Paused: nothing more is sent, whatever stays due.
    BOOST_REQUIRE(eventually([&] { return store.count("state = 'sending'") == 0; }));
    BOOST_TEST(store.count("state = 'sent'") == 5);
    BOOST_TEST(store.count("state = 'pending'") == 7);
    BOOST_TEST(sim.control_get("/_sim/line/ledger")["counters"]["deliveries"] == 5);

    sim.control_post("/_sim/line/quota", {{"type", "limited"}, {"value", 1000}});
    BOOST_REQUIRE(store.wait_until_settled());
    dispatcher.stop();

    BOOST_TEST(store.count("state = 'sent'") == 12);
    const auto ledger = sim.control_get("/_sim/line/ledger");
    BOOST_TEST(ledger["counters"]["deliveries"] == 12);
    BOOST_TEST(ledger["counters"]["duplicate_deliveries"] == 0);
    BOOST_TEST(store.text("SELECT count(*) FROM deliveries WHERE outcome = 'quota_exhausted'") !=
               "0");
    BOOST_TEST((dispatcher.stats().paused == dispatch::PauseReason::none));
}

BOOST_AUTO_TEST_CASE(a_refused_token_pauses_sending_until_a_reload_brings_a_valid_one) {
    SimProcess sim(sim_scenario(1));
    TestStore store(1);
    store.insert(numbered(store, 1, 5, "after reload"));
    auto wrong = test_options(sim);
    wrong.token = line::AccessToken::long_lived("not-the-token");

    Dispatcher dispatcher(store.outbox(), store.clock());
    dispatcher.start(wrong);
    BOOST_REQUIRE(eventually(
        [&] { return dispatcher.stats().paused == dispatch::PauseReason::unauthorized; }));
    BOOST_REQUIRE(eventually([&] { return store.count("state = 'sending'") == 0; }));
    BOOST_TEST(store.count("state = 'pending'") == 5);

    dispatcher.reload(test_options(sim));
    BOOST_REQUIRE(store.wait_until_settled());
    dispatcher.stop();
    BOOST_TEST(store.count("state = 'sent'") == 5);
    BOOST_TEST(sim.control_get("/_sim/line/ledger")["counters"]["deliveries"] == 5);
}

BOOST_AUTO_TEST_CASE(a_row_written_while_idle_goes_out_after_wake) {
    SimProcess sim(sim_scenario(1));
    TestStore store(1);
    Dispatcher dispatcher(store.outbox(), store.clock());
    dispatcher.start(test_options(sim));
    store.insert({store.message(1, "woken", text_messages("written later"))});
    dispatcher.wake();
    BOOST_REQUIRE(store.wait_until_settled());
    dispatcher.stop();
    BOOST_TEST(store.count("state = 'sent'") == 1);
}

BOOST_AUTO_TEST_SUITE_END()
