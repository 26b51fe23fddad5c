// The LINE Messaging API client against the real simulator: every assertion about sending is
// made on the simulator's ledger, i.e. on what LINE received and delivered.

#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "connectors/line/messaging_client.hpp"
#include "support/sim_process.hpp"

using nlohmann::json;
using namespace musubi::line;
using musubi::test::SimProcess;

namespace {

constexpr const char* k_tanaka = "U0123456789abcdef0123456789abcdef";
constexpr const char* k_sato = "U1123456789abcdef0123456789abcdef";
constexpr const char* k_suzuki = "U2123456789abcdef0123456789abcdef";
constexpr const char* k_blocked = "U3123456789abcdef0123456789abcdef";
constexpr const char* k_secret = "8c570fa6dd201bb328f1c1eac23a96d8";
constexpr const char* k_rate_limit = "The API rate limit has been exceeded. Try again later.";

// Frozen simulated time (speed 0), so that rate-limit buckets and token lifetimes move only
// when a test moves them. `line_extra` is added under `line:` (two-space indented lines).
std::string scenario(const std::string& line_extra = "") {
    return "clock: {speed: 0}\n"
           "line:\n"
           "  channel_id: \"2000000000\"\n"
           "  channel_secret: " +
           std::string(k_secret) +
           "\n"
           "  bulk_delay: 100ms\n"
           "  friends:\n"
           "    - {userId: " +
           k_tanaka +
           ", displayName: 田中, language: ja}\n"
           "    - {userId: " +
           k_sato +
           ", displayName: 佐藤, language: ja}\n"
           "    - {userId: " +
           k_suzuki +
           ", displayName: 鈴木, language: en}\n"
           "    - {userId: " +
           k_blocked + ", displayName: 高橋, blocked: true}\n" + line_extra;
}

std::string key(int n) {
    char text[40];
    std::snprintf(text, sizeof text, "00000000-0000-4000-8000-%012d", n);
    return text;
}

json text(const std::string& body) {
    return json::array({{{"type", "text"}, {"text", body}}});
}

ClientSettings settings_for(const SimProcess& sim,
                            std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    ClientSettings settings;
    settings.api_base_url = sim.api_url();
    settings.data_base_url = sim.data_url();
    settings.timeout = timeout;
    return settings;
}

MessagingClient client_for(const SimProcess& sim,
                           std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    return MessagingClient(settings_for(sim, timeout), AccessToken::long_lived("musubi-sim-token"));
}

json ledger(const SimProcess& sim) {
    return sim.control_get("/_sim/line/ledger");
}
json friend_ledger(const SimProcess& sim, const std::string& user_id) {
    return sim.control_get("/_sim/line/ledger/" + user_id);
}

void set_faults(const SimProcess& sim, const json& faults) {
    sim.control_post("/_sim/line/faults", faults);
}

// A PNG as far as its header goes: signature and IHDR with the given size.
std::string png(std::uint32_t width, std::uint32_t height) {
    std::string data("\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR", 16);
    for (std::uint32_t value : {width, height}) {
        for (int shift = 24; shift >= 0; shift -= 8) {
            data.push_back(static_cast<char>((value >> shift) & 0xFF));
        }
    }
    data.append(std::string("\x08\x06\x00\x00\x00\x00\x00\x00\x00", 9));
    return data;
}

json rich_menu_definition(const std::string& name) {
    return json{
        {"size", {{"width", 2500}, {"height", 1686}}},
        {"selected", false},
        {"name", name},
        {"chatBarText", "メニュー"},
        {"areas", json::array({{{"bounds", {{"x", 0}, {"y", 0}, {"width", 2500}, {"height", 1686}}},
                                {"action", {{"type", "message"}, {"text", "注文"}}}}})}};
}

} // namespace

BOOST_AUTO_TEST_SUITE(line_client)

BOOST_AUTO_TEST_CASE(push_is_delivered_once_and_a_repeated_key_is_already_sent) {
    SimProcess sim(scenario());
    auto client = client_for(sim);

    auto first = client.push(k_tanaka, text("ご注文ありがとうございます"), key(1));
    BOOST_TEST(outcome_name(first.outcome) == "sent");
    BOOST_TEST(first.status == 200);
    BOOST_TEST(!first.request_id.empty());
    BOOST_REQUIRE_EQUAL(first.sent_message_ids.size(), 1U);

    auto tanaka = friend_ledger(sim, k_tanaka);
    BOOST_REQUIRE_EQUAL(tanaka["deliveries"].size(), 1U);
    const auto& delivery = tanaka["deliveries"][0];
    BOOST_TEST(delivery["endpoint"] == "push");
    BOOST_TEST(delivery["retry_key"] == key(1));
    BOOST_TEST(delivery["message"] == text("ご注文ありがとうございます")[0]);
    BOOST_TEST(delivery["message_id"] == first.sent_message_ids[0]);
    BOOST_TEST(delivery["request_id"] == first.request_id);

    auto again = client.push(k_tanaka, text("ご注文ありがとうございます"), key(1));
    BOOST_TEST(outcome_name(again.outcome) == "already_sent");
    BOOST_TEST(again.succeeded());
    BOOST_TEST(again.status == 409);
    BOOST_TEST(again.message == "The retry key is already accepted");
    BOOST_TEST(again.accepted_request_id == first.request_id);
    BOOST_TEST(again.sent_message_ids == first.sent_message_ids, boost::test_tools::per_element());

    auto all = ledger(sim);
    BOOST_TEST(all["friends"][k_tanaka]["deliveries"].size() == 1U);
    BOOST_TEST(all["counters"]["deliveries"] == 1);
    BOOST_TEST(all["counters"]["retry_key_conflicts"] == 1);
    BOOST_TEST(all["counters"]["duplicate_deliveries"] == 0);
    BOOST_TEST(all["counters"]["refused_total"] == 0);
}

BOOST_AUTO_TEST_CASE(multicast_reaches_each_friend_once) {
    SimProcess sim(scenario());
    auto client = client_for(sim);
    const std::vector<std::string> to{k_tanaka, k_sato, k_suzuki};

    auto sent = client.multicast(to, text("発送しました"), key(2));
    BOOST_TEST(outcome_name(sent.outcome) == "sent");
    BOOST_TEST(sent.status == 200);
    BOOST_TEST(sent.sent_message_ids.empty());
    auto repeat = client.multicast(to, text("発送しました"), key(2));
    BOOST_TEST(outcome_name(repeat.outcome) == "already_sent");
    BOOST_TEST(repeat.accepted_request_id == sent.request_id);

    auto all = ledger(sim);
    for (const auto& user : to) {
        const auto& deliveries = all["friends"][user]["deliveries"];
        BOOST_REQUIRE_EQUAL(deliveries.size(), 1U);
        BOOST_TEST(deliveries[0]["endpoint"] == "multicast");
        BOOST_TEST(deliveries[0]["retry_key"] == key(2));
        BOOST_TEST(deliveries[0]["message"]["text"] == "発送しました");
    }
    BOOST_TEST(all["counters"]["deliveries"] == 3);

    auto too_many = client.multicast(std::vector<std::string>(501, k_tanaka), text("x"), key(3));
    BOOST_TEST(outcome_name(too_many.outcome) == "permanent");
    BOOST_TEST(too_many.status == 0);
    BOOST_TEST(too_many.message == "multicast takes 1 to 500 user ids; got 501");
    BOOST_TEST(ledger(sim)["counters"]["deliveries"] == 3);
}

BOOST_AUTO_TEST_CASE(reply_uses_the_token_of_a_friend_event_once) {
    SimProcess sim(scenario());
    auto client = client_for(sim);
    // Stored, not sent: the event (and its reply token) comes back in the control answer.
    auto event = sim.control_post(std::string("/_sim/line/friends/") + k_tanaka + "/text",
                                  {{"text", "1234-5678"}, {"send", false}});
    const auto reply_token = event["event"]["replyToken"].get<std::string>();

    auto replied = client.reply(reply_token, text("注文番号を確認しています"));
    BOOST_TEST(outcome_name(replied.outcome) == "sent");
    BOOST_REQUIRE_EQUAL(replied.sent_message_ids.size(), 1U);
    auto used = client.reply(reply_token, text("注文番号を確認しています"));
    BOOST_TEST(outcome_name(used.outcome) == "permanent");
    BOOST_TEST(used.status == 400);
    BOOST_TEST(used.message == "Invalid reply token");

    auto tanaka = friend_ledger(sim, k_tanaka);
    BOOST_REQUIRE_EQUAL(tanaka["deliveries"].size(), 1U);
    BOOST_TEST(tanaka["deliveries"][0]["endpoint"] == "reply");
    BOOST_TEST(tanaka["deliveries"][0]["retry_key"].is_null());
    BOOST_TEST(tanaka["deliveries"][0]["message_id"] == replied.sent_message_ids[0]);
}

BOOST_AUTO_TEST_CASE(the_rate_limit_is_rate_limited_and_the_same_key_sends_later) {
    SimProcess sim(scenario("  rate_limits: {push: 2/s}\n"));
    auto client = client_for(sim);
    BOOST_TEST(outcome_name(client.push(k_tanaka, text("1"), key(1)).outcome) == "sent");
    BOOST_TEST(outcome_name(client.push(k_tanaka, text("2"), key(2)).outcome) == "sent");
    auto limited = client.push(k_tanaka, text("3"), key(3));
    BOOST_TEST(outcome_name(limited.outcome) == "rate_limited");
    BOOST_TEST(limited.status == 429);
    BOOST_TEST(limited.message == k_rate_limit);

    sim.control_post("/_sim/clock", {{"advance", "1s"}});
    auto later = client.push(k_tanaka, text("3"), key(3));
    BOOST_TEST(outcome_name(later.outcome) == "sent");

    auto tanaka = friend_ledger(sim, k_tanaka);
    BOOST_TEST(tanaka["deliveries"].size() == 3U);
    BOOST_TEST(tanaka["refused"] == json::parse(R"([{"status":429,"message":")" +
                                                std::string(k_rate_limit) + R"(","count":1}])"));
}

BOOST_AUTO_TEST_CASE(the_monthly_quota_is_quota_exhausted_and_readable) {
    SimProcess sim(scenario("  quota: {type: limited, value: 2}\n"));
    auto client = client_for(sim);
    BOOST_TEST(outcome_name(client.push(k_tanaka, text("1"), key(1)).outcome) == "sent");
    BOOST_TEST(outcome_name(client.push(k_sato, text("1"), key(2)).outcome) == "sent");
    auto exhausted = client.push(k_suzuki, text("1"), key(3));
    BOOST_TEST(outcome_name(exhausted.outcome) == "quota_exhausted");
    BOOST_TEST(exhausted.status == 429);
    BOOST_TEST(exhausted.message == "You have reached your monthly limit.");
    BOOST_TEST(friend_ledger(sim, k_suzuki)["deliveries"].empty());

    auto quota = client.quota();
    BOOST_REQUIRE(quota.has_value());
    BOOST_TEST(quota->limited);
    BOOST_TEST(quota->value == 2);
    auto usage = client.quota_consumption();
    BOOST_REQUIRE(usage.has_value());
    BOOST_TEST(*usage == 2);
    BOOST_TEST(ledger(sim)["counters"]["deliveries"] == 2);
}

BOOST_AUTO_TEST_CASE(injected_500s_are_transient_and_the_same_key_sends_once) {
    SimProcess sim(scenario());
    auto client = client_for(sim);
    set_faults(sim, {{"rate_500", 1.0}, {"endpoints", {"push"}}});
    auto failed = client.push(k_tanaka, text("発送しました"), key(7));
    BOOST_TEST(outcome_name(failed.outcome) == "transient");
    BOOST_TEST(failed.status == 500);
    BOOST_TEST(failed.message == "Internal server error");
    BOOST_TEST(friend_ledger(sim, k_tanaka)["deliveries"].empty());

    set_faults(sim, json::object());
    auto retried = client.push(k_tanaka, text("発送しました"), key(7));
    BOOST_TEST(outcome_name(retried.outcome) == "sent");
    BOOST_TEST(friend_ledger(sim, k_tanaka)["deliveries"].size() == 1U);
}

BOOST_AUTO_TEST_CASE(a_lost_answer_is_transient_and_the_retry_is_already_sent) {
    SimProcess sim(scenario());
    auto client = client_for(sim);
    // LINE delivers, then the answer is lost: only the retry key keeps this from sending twice.
    set_faults(sim, {{"rate_500", 1.0}, {"after_delivery", true}, {"endpoints", {"push"}}});
    auto lost = client.push(k_tanaka, text("レビューのお願い"), key(8));
    BOOST_TEST(outcome_name(lost.outcome) == "transient");
    BOOST_TEST(lost.status == 500);

    set_faults(sim, json::object());
    auto retried = client.push(k_tanaka, text("レビューのお願い"), key(8));
    BOOST_TEST(outcome_name(retried.outcome) == "already_sent");
    BOOST_TEST(retried.status == 409);
    auto all = ledger(sim);
    BOOST_TEST(all["friends"][k_tanaka]["deliveries"].size() == 1U);
    BOOST_TEST(all["counters"]["duplicate_deliveries"] == 0);
}

BOOST_AUTO_TEST_CASE(timeouts_and_dropped_connections_are_transient) {
    SimProcess sim(scenario());
    auto client = client_for(sim, std::chrono::milliseconds(300));
    set_faults(sim, {{"rate_timeout", 1.0}, {"timeout_ms", 1200}, {"endpoints", {"push"}}});
    auto timed_out = client.push(k_tanaka, text("1"), key(9));
    BOOST_TEST(outcome_name(timed_out.outcome) == "transient");
    BOOST_TEST(timed_out.status == 0);
    BOOST_TEST(timed_out.message.ends_with("/v2/bot/message/push timed out"));

    set_faults(
        sim, {{"rate_timeout", 1.0}, {"timeout_ms", 50}, {"drop", true}, {"endpoints", {"push"}}});
    auto dropped = client.push(k_tanaka, text("1"), key(9));
    BOOST_TEST(outcome_name(dropped.outcome) == "transient");
    BOOST_TEST(dropped.status == 0);
    BOOST_TEST(friend_ledger(sim, k_tanaka)["deliveries"].empty());

    set_faults(sim, json::object());
    BOOST_TEST(outcome_name(client.push(k_tanaka, text("1"), key(9)).outcome) == "sent");
    BOOST_TEST(friend_ledger(sim, k_tanaka)["deliveries"].size() == 1U);
}

BOOST_AUTO_TEST_CASE(a_too_long_text_is_permanent_with_line_s_details) {
    SimProcess sim(scenario());
    auto client = client_for(sim);
    std::string long_text;
    for (int i = 0; i < 5001; ++i) {
        long_text += "あ";
    }
    auto refused = client.push(k_tanaka, text(long_text), key(10));
    BOOST_TEST(outcome_name(refused.outcome) == "permanent");
    BOOST_TEST(refused.status == 400);
    BOOST_TEST(refused.message == "The request body has 1 error(s)");
    BOOST_REQUIRE_EQUAL(refused.details.size(), 1U);
    BOOST_TEST(refused.details[0].message == "Length must be between 0 and 5000");
    BOOST_TEST(refused.details[0].property == "messages[0].text");

    // 5000 UTF-16 code units is the limit itself.
    long_text.resize(long_text.size() - std::string("あ").size());
    BOOST_TEST(outcome_name(client.push(k_tanaka, text(long_text), key(11)).outcome) == "sent");
    auto tanaka = friend_ledger(sim, k_tanaka);
    BOOST_TEST(tanaka["deliveries"].size() == 1U);
    BOOST_TEST(
        tanaka["refused"] ==
        json::parse(R"~([{"status":400,"message":"The request body has 1 error(s)","count":1}])~"));
}

BOOST_AUTO_TEST_CASE(a_push_to_a_blocked_friend_is_200_and_delivers_nothing) {
    SimProcess sim(scenario());
    auto client = client_for(sim);
    auto result = client.push(k_blocked, text("セールのお知らせ"), key(12));
    BOOST_TEST(outcome_name(result.outcome) == "sent");
    BOOST_TEST(result.status == 200);
    auto all = ledger(sim);
    BOOST_TEST(all["friends"][k_blocked]["deliveries"].empty());
    BOOST_TEST(all["friends"][k_blocked]["undelivered"] == 1);
    BOOST_TEST(all["counters"]["undelivered"]["blocked"] == 1);
    BOOST_TEST(all["counters"]["deliveries"] == 0);
}

BOOST_AUTO_TEST_CASE(a_wrong_long_lived_token_is_unauthorized) {
    SimProcess sim(scenario());
    MessagingClient client(settings_for(sim), AccessToken::long_lived("not-the-token"));
    auto result = client.push(k_tanaka, text("1"), key(13));
    BOOST_TEST(outcome_name(result.outcome) == "unauthorized");
    BOOST_TEST(result.status == 401);
    BOOST_TEST(result.message ==
               "Authentication failed due to the following reason: invalid token. Confirm that "
               "the access token in the authorization header is valid.");
    BOOST_TEST(result.message.find("not-the-token") == std::string::npos);
    auto tanaka = friend_ledger(sim, k_tanaka);
    BOOST_TEST(tanaka["deliveries"].empty());
    BOOST_REQUIRE_EQUAL(tanaka["refused"].size(), 1U);
    BOOST_TEST(tanaka["refused"][0]["status"] == 401);
}

BOOST_AUTO_TEST_CASE(stateless_tokens_are_issued_and_renewed) {
    SimProcess sim(scenario());
    std::atomic<long> skew_s{0};
    auto clock = [&skew_s] {
        return std::chrono::steady_clock::now() + std::chrono::seconds(skew_s.load());
    };
    auto token = AccessToken::stateless({"2000000000", k_secret}, sim.api_url(),
                                        std::chrono::seconds(5), clock);
    MessagingClient client(settings_for(sim), token);

    BOOST_TEST(outcome_name(client.push(k_tanaka, text("1"), key(21)).outcome) == "sent");
    BOOST_TEST(token->issued_count() == 1U);
    const auto first = *token->get();
    skew_s = 700; // under 80% of 15 minutes: kept
    BOOST_TEST(outcome_name(client.push(k_tanaka, text("2"), key(22)).outcome) == "sent");
    BOOST_TEST(token->issued_count() == 1U);
    skew_s = 725; // past 80% (720 s): renewed before it expires
    BOOST_TEST(outcome_name(client.push(k_tanaka, text("3"), key(23)).outcome) == "sent");
    BOOST_TEST(token->issued_count() == 2U);
    BOOST_TEST(*token->get() != first);

    // LINE's clock says the token has expired though ours does not: a 401, renewed once.
    sim.control_post("/_sim/clock", {{"advance", "16m"}});
    auto after_expiry = client.push(k_tanaka, text("4"), key(24));
    BOOST_TEST(outcome_name(after_expiry.outcome) == "sent");
    BOOST_TEST(token->issued_count() == 3U);

    auto tanaka = friend_ledger(sim, k_tanaka);
    BOOST_TEST(tanaka["deliveries"].size() == 4U);
    BOOST_REQUIRE_EQUAL(tanaka["refused"].size(), 1U);
    BOOST_TEST(tanaka["refused"][0]["status"] == 401);
    BOOST_TEST(tanaka["refused"][0]["count"] == 1);
}

BOOST_AUTO_TEST_CASE(a_wrong_channel_secret_is_unauthorized_and_not_echoed) {
    SimProcess sim(scenario());
    auto token = AccessToken::stateless({"2000000000", "wrong-secret-0123"}, sim.api_url(),
                                        std::chrono::seconds(5));
    MessagingClient client(settings_for(sim), token);
    auto result = client.push(k_tanaka, text("1"), key(25));
    BOOST_TEST(outcome_name(result.outcome) == "unauthorized");
    BOOST_TEST(result.status == 400);
    BOOST_TEST(result.message ==
               "LINE did not issue a stateless channel access token (invalid_client: invalid "
               "client_id or client_secret); check the channel id and channel secret");
    BOOST_TEST(result.message.find("wrong-secret-0123") == std::string::npos);
    BOOST_TEST(token->issued_count() == 0U);
    BOOST_TEST(friend_ledger(sim, k_tanaka)["deliveries"].empty());
}

BOOST_AUTO_TEST_CASE(profile_link_token_and_quota) {
    SimProcess sim(scenario());
    auto client = client_for(sim);
    auto tanaka = client.profile(k_tanaka);
    BOOST_REQUIRE(tanaka.has_value());
    BOOST_TEST(tanaka->user_id == k_tanaka);
    BOOST_TEST(tanaka->display_name == "田中");
    BOOST_TEST(tanaka->language == "ja");
    auto blocked = client.profile(k_blocked);
    BOOST_REQUIRE(!blocked.has_value());
    BOOST_TEST(outcome_name(blocked.error().outcome) == "permanent");
    BOOST_TEST(blocked.error().status == 404);
    BOOST_TEST(blocked.error().message == "Not found");

    auto link = client.link_token(k_tanaka);
    BOOST_REQUIRE(link.has_value());
    // The token is the real one: LINE's account-link event for it comes back "ok".
    auto event = sim.control_post(std::string("/_sim/line/friends/") + k_tanaka + "/account_link",
                                  {{"nonce", "bm9uY2U="}, {"linkToken", *link}, {"send", false}});
    BOOST_TEST(event["event"]["link"]["result"] == "ok");

    auto quota = client.quota();
    BOOST_REQUIRE(quota.has_value());
    BOOST_TEST(!quota->limited);
    BOOST_TEST(outcome_name(client.push(k_tanaka, text("1"), key(26)).outcome) == "sent");
    BOOST_TEST(outcome_name(client.reply(event["event"]["replyToken"].get<std::string>(), text("r"))
                                .outcome) == "sent");
    auto usage = client.quota_consumption();
    BOOST_REQUIRE(usage.has_value());
    BOOST_TEST(*usage == 1); // the reply is free
}

BOOST_AUTO_TEST_CASE(rich_menus_create_upload_link_and_bulk_link) {
    SimProcess sim(scenario());
    auto client = client_for(sim);
    auto menu = client.create_rich_menu(rich_menu_definition("linked"));
    BOOST_REQUIRE(menu.has_value());
    BOOST_TEST(menu->starts_with("richmenu-"));

    auto too_early = client.link_rich_menu(k_tanaka, *menu);
    BOOST_REQUIRE(!too_early.has_value());
    BOOST_TEST(outcome_name(too_early.error().outcome) == "permanent");
    BOOST_TEST(too_early.error().message ==
               "must upload richmenu image before applying it to user");

    BOOST_REQUIRE(client.upload_rich_menu_image(*menu, ImageType::png, png(2500, 1686)));
    auto second = client.upload_rich_menu_image(*menu, ImageType::png, png(2500, 1686));
    BOOST_REQUIRE(!second.has_value());
    BOOST_TEST(second.error().message == "An image has already been uploaded to the richmenu");

    BOOST_REQUIRE(client.link_rich_menu(k_tanaka, *menu));
    auto linked = client.user_rich_menu(k_tanaka);
    BOOST_REQUIRE(linked.has_value());
    BOOST_TEST(linked->value_or("") == *menu);
    auto none = client.user_rich_menu(k_sato);
    BOOST_REQUIRE(none.has_value());
    BOOST_TEST(!none->has_value());

    BOOST_REQUIRE(client.bulk_link_rich_menu(*menu, {k_sato, k_suzuki}));
    BOOST_TEST(ledger(sim)["pending_bulk_operations"] == 1);
    json all;
    for (int i = 0; i < 100; ++i) {
        all = ledger(sim);
        if (all["pending_bulk_operations"] == 0) {
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    for (const char* user : {k_tanaka, k_sato, k_suzuki}) {
        BOOST_TEST(all["friends"][user]["rich_menu"]["linked"] == *menu, user);
    }
    BOOST_REQUIRE_EQUAL(all["rich_menus"].size(), 1U);
    BOOST_TEST(all["rich_menus"][0]["hasImage"] == true);
    BOOST_TEST(all["rich_menus"][0]["name"] == "linked");

    BOOST_REQUIRE(client.set_default_rich_menu(*menu));
    BOOST_REQUIRE(client.create_rich_menu_alias("linked", *menu));
    auto other = client.create_rich_menu(rich_menu_definition("vip"));
    BOOST_REQUIRE(other.has_value());
    auto imageless = client.update_rich_menu_alias("linked", *other);
    BOOST_REQUIRE(!imageless.has_value());
    BOOST_TEST(imageless.error().message == "must upload richmenu image before creating an alias");
    BOOST_REQUIRE(client.upload_rich_menu_image(*other, ImageType::png, png(2500, 1686)));
    BOOST_REQUIRE(client.update_rich_menu_alias("linked", *other));
    BOOST_REQUIRE(client.unlink_rich_menu(k_tanaka));
    all = ledger(sim);
    BOOST_TEST(all["default_rich_menu"] == *menu);
    BOOST_TEST(all["aliases"] == (json{{"linked", *other}}));
    BOOST_TEST(all["friends"][k_tanaka]["rich_menu"]["linked"].is_null());
    BOOST_TEST(all["friends"][k_tanaka]["rich_menu"]["effective"] == *menu);

    BOOST_REQUIRE(client.bulk_unlink_rich_menu({k_sato}));
    BOOST_REQUIRE(client.delete_rich_menu(*other));
    all = ledger(sim);
    BOOST_TEST(all["rich_menus"].size() == 1U);
    BOOST_TEST(all["aliases"].empty()); // the alias pointed at the deleted menu
}

BOOST_AUTO_TEST_CASE(one_client_serves_many_threads) {
    SimProcess sim(scenario());
    auto client = client_for(sim);
    constexpr int k_threads = 8;
    constexpr int k_each = 5;
    std::atomic<int> sent{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < k_threads; ++t) {
        threads.emplace_back([&client, &sent, t] {
            for (int i = 0; i < k_each; ++i) {
                const int n = 1000 + t * k_each + i;
                auto result = client.push(k_tanaka, text("message " + std::to_string(n)), key(n));
                if (result.outcome == Outcome::sent) {
                    ++sent;
                }
            }
        });
    }
    for (auto& thread : threads) {
        thread.join();
    }
    BOOST_TEST(sent.load() == k_threads * k_each);
    BOOST_TEST(friend_ledger(sim, k_tanaka)["deliveries"].size() ==
               static_cast<std::size_t>(k_threads * k_each));
}

BOOST_AUTO_TEST_SUITE_END()
