#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "daemon/linking/chat_linker.hpp"
#include "daemon/linking/link_rules.hpp"
#include "unit/linking/linking_fixture.hpp"

using namespace musubi;
using namespace musubi::linking;
using musubi::test::LinkingFixture;

namespace musubi::linking {
std::ostream& operator<<(std::ostream& out, Reply reply) {
    return out << step_name(reply);
}
} // namespace musubi::linking

namespace {

constexpr const char* k_order = "123456-20261122-0000000001";
constexpr const char* k_other_order = "123456-20261122-0000000002";
constexpr std::int64_t k_minute = 60'000;

Settings test_settings() {
    Settings settings;
    settings.hashing_key = test::k_hashing_key;
    settings.shop_name = "結びストア";
    settings.max_attempts = 5;
    settings.attempt_window_ms = 60 * k_minute;
    settings.session_ttl_ms = 10 * k_minute;
    return settings;
}

struct ChatFixture : LinkingFixture {
    ChatFixture()
        : linker(store().links(), test_settings(), nullptr) {
        hanako = add_friend("U0000000000000000000000000000000a", "はなこ");
        taro = add_friend("U0000000000000000000000000000000b", "たろう");
        buyer = add_order(k_order, "09012345678", "hanako@example.jp");
        other_buyer = add_order(k_other_order, "08099998888", "jiro@example.jp");
    }

    // Sends `text` as friend `friend_id` in a new webhook event; answers handle()'s verdict.
    bool say(std::int64_t friend_id, const std::string& text) {
        const std::string event_id = "ev" + std::to_string(++events);
        return say_as(friend_id, event_id, text);
    }

    bool say_as(std::int64_t friend_id, const std::string& event_id, const std::string& text) {
        last_event_id = event_id;
        auto handled =
            linker.handle(friend_id, event_id, text, "token-" + event_id, clock().now_ms());
        BOOST_REQUIRE_MESSAGE(handled, (handled ? "" : handled.error().to_string()));
        return *handled;
    }

    // The step of the reply to the last event.
    std::string last_step() {
        return text("SELECT step FROM outbox WHERE retry_key = '" +
                    std::string(reply_retry_key(last_event_id, last_reply())) + "'");
    }

    // A new link is answered by the link-thanks scenario, not by linking: its fact carries
    // the message's reply token for that.
    Reply last_reply() {
        for (const Reply reply : k_all_replies) {
            if (number("SELECT count(*) FROM outbox WHERE retry_key = '" +
                       reply_retry_key(last_event_id, reply) + "'") == 1) {
                return reply;
            }
        }
        if (number("SELECT count(*) FROM facts WHERE kind = 'friend.linked' AND "
                   "json_extract(payload, '$.reply_token') = 'token-" +
                   last_event_id + "'") == 1) {
            return Reply::linked;
        }
        BOOST_FAIL("no reply to " + last_event_id);
        return Reply::failed;
    }

    std::int64_t active_links(std::int64_t friend_id) {
        return number("SELECT count(*) FROM links WHERE unlinked_at IS NULL AND friend_id = " +
                      std::to_string(friend_id));
    }

    void advance(std::int64_t ms) { clock().set(clock().now_ms() + ms); }

    ChatLinker linker;
    std::int64_t hanako = 0;
    std::int64_t taro = 0;
    std::int64_t buyer = 0;
    std::int64_t other_buyer = 0;
    int events = 0;
    std::string last_event_id;
};

} // namespace

BOOST_AUTO_TEST_SUITE(linking_chat_linker)

BOOST_FIXTURE_TEST_CASE(an_order_number_then_the_phone_digits_link_the_friend, ChatFixture) {
    BOOST_TEST(say(hanako, "注文番号は １２３４５６－２０２６１１２２－０００００００００１ です"));
    BOOST_TEST(last_reply() == Reply::ask_phone);
    const std::string ask = "WHERE retry_key = '" + reply_retry_key("ev1", Reply::ask_phone) + "'";
    BOOST_TEST(text("SELECT kind FROM outbox " + ask) == "reply");
    BOOST_TEST(text("SELECT scenario FROM outbox " + ask) == "linking");
    BOOST_TEST(text("SELECT reply_token FROM outbox " + ask) == "token-ev1");
    BOOST_TEST(number("SELECT reply_until - due_at FROM outbox " + ask) == 50'000);
    BOOST_TEST(number("SELECT friend_id FROM outbox " + ask) == hanako);
    BOOST_TEST(text("SELECT order_number FROM link_sessions") == k_order);
    BOOST_TEST(active_links(hanako) == 0);

    advance(k_minute);
    BOOST_TEST(say(hanako, "５６７８"));
    BOOST_TEST(last_reply() == Reply::linked);
    BOOST_TEST(active_links(hanako) == 1);
    const auto link_id = number("SELECT id FROM links WHERE friend_id = " + std::to_string(hanako));
    BOOST_TEST(number("SELECT buyer_id FROM links WHERE id = " + std::to_string(link_id)) == buyer);
    BOOST_TEST(text("SELECT method FROM links WHERE id = " + std::to_string(link_id)) == "chat");
    const std::string fact =
        "FROM facts WHERE natural_key = 'link:" + std::to_string(link_id) + ":linked'";
    BOOST_TEST(text("SELECT kind " + fact) == "friend.linked");
    BOOST_TEST(number("SELECT friend_id " + fact) == hanako);
    BOOST_TEST(text("SELECT subject " + fact) == std::to_string(buyer));
    const auto payload = nlohmann::json::parse(text("SELECT payload " + fact));
    BOOST_TEST(payload["method"] == "chat");
    BOOST_TEST(payload["order_number"] == k_order);
    BOOST_TEST(payload["reply_token"] == "token-ev2");
    // Only the question is sent; link-thanks answers the link with the fact's reply token.
    BOOST_TEST(number("SELECT count(*) FROM outbox WHERE state = 'pending'") == 1);
    BOOST_TEST(number("SELECT count(*) FROM link_sessions") == 0);
    BOOST_TEST(text("SELECT outcome FROM link_attempts") == "linked");
}

BOOST_FIXTURE_TEST_CASE(the_digits_may_come_with_the_order_number, ChatFixture) {
    BOOST_TEST(say(hanako, "123456-20261122-0000000001 090-1234-5678"));
    BOOST_TEST(last_reply() == Reply::linked);
    BOOST_TEST(active_links(hanako) == 1);
}

BOOST_FIXTURE_TEST_CASE(an_older_order_number_with_an_8_digit_sequence_links, ChatFixture) {
    const std::int64_t old_buyer =
        add_order("290333-20171006-10640141", "0311112222", "old@example.jp");
    BOOST_TEST(say(taro, "290333-20171006-10640141"));
    BOOST_TEST(last_reply() == Reply::ask_phone);
    BOOST_TEST(text("SELECT order_number FROM link_sessions") == "290333-20171006-10640141");
    BOOST_TEST(say(taro, "2222"));
    BOOST_TEST(last_reply() == Reply::linked);
    BOOST_TEST(number("SELECT buyer_id FROM links WHERE unlinked_at IS NULL AND friend_id = " +
                      std::to_string(taro)) == old_buyer);
}

BOOST_FIXTURE_TEST_CASE(a_9_digit_sequence_is_not_taken_for_an_order_number, ChatFixture) {
    // Not an order number: chat linking leaves the message alone (no session, no reply).
    BOOST_TEST(!say(taro, "290333-20171006-106401411"));
    BOOST_TEST(number("SELECT count(*) FROM link_sessions") == 0);
    BOOST_TEST(number("SELECT count(*) FROM outbox") == 0);
}

BOOST_FIXTURE_TEST_CASE(an_order_from_the_shops_own_site_links_too, ChatFixture) {
    exec("UPDATE orders SET source = 'ecfeed'");
    BOOST_TEST(say(hanako, "123456-20261122-0000000001 5678"));
    BOOST_TEST(last_reply() == Reply::linked);
    BOOST_TEST(active_links(hanako) == 1);
}

BOOST_FIXTURE_TEST_CASE(wrong_digits_and_an_unknown_order_get_the_same_failure, ChatFixture) {
    BOOST_TEST(say(hanako, k_order));
    BOOST_TEST(say(hanako, "1234"));
    BOOST_TEST(last_reply() == Reply::failed);
    const auto wrong_digits = text("SELECT payload FROM outbox WHERE step = 'failed'");

    BOOST_TEST(say(taro, "999999-20261122-0000000009"));
    BOOST_TEST(last_reply() == Reply::ask_phone); // an unknown order is not revealed early
    BOOST_TEST(say(taro, "5678"));
    BOOST_TEST(last_reply() == Reply::failed);
    BOOST_TEST(number("SELECT count(DISTINCT payload) FROM outbox WHERE step = 'failed'") == 1);
    BOOST_TEST(text("SELECT payload FROM outbox WHERE step = 'failed' LIMIT 1") == wrong_digits);

    BOOST_TEST(number("SELECT count(*) FROM links") == 0);
    BOOST_TEST(number("SELECT count(*) FROM facts WHERE kind = 'friend.linked'") == 0);
    BOOST_TEST(number("SELECT count(*) FROM link_attempts WHERE outcome = 'failed'") == 2);
}

BOOST_FIXTURE_TEST_CASE(another_friends_order_is_refused_without_linking, ChatFixture) {
    BOOST_TEST(say(hanako, "123456-20261122-0000000001 5678"));
    BOOST_REQUIRE(active_links(hanako) == 1);

    BOOST_TEST(say(taro, k_order));
    BOOST_TEST(say(taro, "5678"));
    BOOST_TEST(last_reply() == Reply::taken);
    BOOST_TEST(active_links(taro) == 0);
    BOOST_TEST(active_links(hanako) == 1);
    const auto payload = text("SELECT payload FROM outbox WHERE step = 'taken'");
    BOOST_TEST(payload.find("はなこ") == std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(brute_force_meets_the_cooldown_and_right_digits_then_do_not_link,
                        ChatFixture) {
    BOOST_TEST(say(taro, k_order));
    for (const char* guess : {"0000", "1111", "2222", "3333", "4444"}) {
        BOOST_TEST(say(taro, guess));
        BOOST_TEST(last_reply() == Reply::failed);
    }
    BOOST_TEST(say(taro, "5678")); // right, but after max_attempts failures
    BOOST_TEST(last_reply() == Reply::cooldown);
    BOOST_TEST(say(taro, "123456-20261122-0000000001 5678"));
    BOOST_TEST(last_reply() == Reply::cooldown);
    BOOST_TEST(say(taro, k_order));
    BOOST_TEST(last_reply() == Reply::cooldown);
    BOOST_TEST(active_links(taro) == 0);
    BOOST_TEST(number("SELECT count(*) FROM link_attempts WHERE outcome = 'failed'") == 5);
    BOOST_TEST(number("SELECT count(*) FROM link_attempts WHERE outcome = 'cooldown'") == 3);

    advance(61 * k_minute); // the window has passed
    BOOST_TEST(say(taro, k_order));
    BOOST_TEST(last_reply() == Reply::ask_phone);
    BOOST_TEST(say(taro, "5678"));
    BOOST_TEST(last_reply() == Reply::linked);
    BOOST_TEST(active_links(taro) == 1);
}

BOOST_FIXTURE_TEST_CASE(digits_after_the_session_expired_are_not_checked, ChatFixture) {
    BOOST_TEST(say(hanako, k_order));
    advance(11 * k_minute);
    BOOST_TEST(say(hanako, "5678"));
    BOOST_TEST(last_reply() == Reply::expired);
    BOOST_TEST(active_links(hanako) == 0);
    BOOST_TEST(!say(hanako, "5678")); // the session is gone: four digits are not linking now
}

BOOST_FIXTURE_TEST_CASE(unlinking_keeps_the_history_and_records_the_fact, ChatFixture) {
    BOOST_TEST(say(hanako, "123456-20261122-0000000001 5678"));
    const auto link_id = number("SELECT id FROM links");
    advance(k_minute);
    BOOST_TEST(say(hanako, "　連携解除 "));
    BOOST_TEST(last_reply() == Reply::unlinked);
    BOOST_TEST(active_links(hanako) == 0);
    BOOST_TEST(number("SELECT count(*) FROM links") == 1);
    BOOST_TEST(number("SELECT unlinked_at FROM links") == clock().now_ms());
    const std::string fact =
        "FROM facts WHERE natural_key = 'link:" + std::to_string(link_id) + ":unlinked'";
    BOOST_TEST(text("SELECT kind " + fact) == "friend.unlinked");
    BOOST_TEST(number("SELECT friend_id " + fact) == hanako);

    BOOST_TEST(say(hanako, "連携解除"));
    BOOST_TEST(last_reply() == Reply::not_linked);
    BOOST_TEST(!say(hanako, "連携解除してください")); // only the exact keyword
}

BOOST_FIXTURE_TEST_CASE(a_redelivered_event_changes_nothing_the_second_time, ChatFixture) {
    BOOST_TEST(say_as(hanako, "ev-order", k_order));
    BOOST_TEST(say_as(hanako, "ev-digits", "5678"));
    const auto outbox = number("SELECT count(*) FROM outbox");
    const auto attempts = number("SELECT count(*) FROM link_attempts");
    BOOST_TEST(say_as(hanako, "ev-order", k_order));
    BOOST_TEST(say_as(hanako, "ev-digits", "5678"));
    BOOST_TEST(number("SELECT count(*) FROM outbox") == outbox);
    BOOST_TEST(number("SELECT count(*) FROM link_attempts") == attempts);
    BOOST_TEST(number("SELECT count(*) FROM link_sessions") == 0);
    BOOST_TEST(number("SELECT count(*) FROM links") == 1);
    BOOST_TEST(number("SELECT count(*) FROM facts WHERE kind = 'friend.linked'") == 1);
}

BOOST_FIXTURE_TEST_CASE(other_messages_are_left_to_the_scenarios, ChatFixture) {
    BOOST_TEST(!say(hanako, "送料はいくらですか"));
    BOOST_TEST(!say(hanako, "1234")); // no session open
    BOOST_TEST(say(hanako, k_order));
    BOOST_TEST(!say(hanako, "営業時間を教えて")); // a session does not capture other messages
    BOOST_TEST(number("SELECT count(*) FROM outbox") == 1);
    BOOST_TEST(number("SELECT count(*) FROM link_attempts") == 0);
}

BOOST_FIXTURE_TEST_CASE(relinking_to_another_buyer_ends_the_old_link, ChatFixture) {
    BOOST_TEST(say(hanako, "123456-20261122-0000000001 5678"));
    advance(k_minute);
    BOOST_TEST(say(hanako, "123456-20261122-0000000002 8888"));
    BOOST_TEST(last_reply() == Reply::linked);
    BOOST_TEST(active_links(hanako) == 1);
    BOOST_TEST(number("SELECT buyer_id FROM links WHERE unlinked_at IS NULL") == other_buyer);
    BOOST_TEST(number("SELECT count(*) FROM facts WHERE kind = 'friend.unlinked'") == 1);
}

BOOST_AUTO_TEST_SUITE_END()
