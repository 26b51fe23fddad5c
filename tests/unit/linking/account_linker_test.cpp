#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "daemon/linking/account_linker.hpp"
#include "daemon/linking/link_rules.hpp"
#include "unit/linking/linking_fixture.hpp"

using namespace musubi;
using namespace musubi::linking;
using musubi::test::LinkingFixture;

namespace {

constexpr const char* k_site_token = "site-token-0123456789abcdef";

struct AccountFixture : LinkingFixture {
    AccountFixture()
        : endpoint(store().links(), settings(), issuer(), clock_pointer())
        , linker(store().links(), settings()) {
        hanako = add_friend("U0000000000000000000000000000000a", "はなこ");
        taro = add_friend("U0000000000000000000000000000000b", "たろう");
    }

    static Settings settings() {
        Settings settings;
        settings.hashing_key = test::k_hashing_key;
        settings.site_token = k_site_token;
        return settings;
    }

    LinkTokenIssuer issuer() {
        return [this](std::string_view user) -> tl::expected<std::string, std::string> {
            asked_for.push_back(std::string(user));
            return "linktoken" + std::to_string(asked_for.size());
        };
    }

    std::shared_ptr<const clock::Clock> clock_pointer() {
        return std::shared_ptr<const clock::Clock>(&clock(), [](const clock::Clock*) {});
    }

    // The nonce the site got for this member.
    std::string start(const std::string& user, const std::string& member) {
        const auto answered =
            endpoint.answer(std::string("Bearer ") + k_site_token,
                            nlohmann::json{{"line_user_id", user}, {"member_id", member}}.dump());
        BOOST_REQUIRE_MESSAGE(answered.status == 200, answered.body);
        const auto body = nlohmann::json::parse(answered.body);
        return body["nonce"].get<std::string>();
    }

    AccountLinkResult event(std::int64_t friend_id, const std::string& nonce,
                            const std::string& result = "ok") {
        auto done = linker.on_account_link(friend_id, "ev", nonce, result, clock().now_ms());
        BOOST_REQUIRE_MESSAGE(done, (done ? "" : done.error().to_string()));
        return *done;
    }

    std::vector<std::string> asked_for;
    AccountLinkEndpoint endpoint;
    AccountLinker linker;
    std::int64_t hanako = 0;
    std::int64_t taro = 0;
};

} // namespace

BOOST_AUTO_TEST_SUITE(linking_account_linker)

BOOST_FIXTURE_TEST_CASE(the_site_gets_a_link_token_a_nonce_and_the_dialog_url, AccountFixture) {
    const auto answered = endpoint.answer(
        std::string("Bearer ") + k_site_token,
        R"({"line_user_id":"U0000000000000000000000000000000a","member_id":"m-1001"})");
    BOOST_REQUIRE_MESSAGE(answered.status == 200, answered.body);
    const auto body = nlohmann::json::parse(answered.body);
    BOOST_TEST(body["linkToken"] == "linktoken1");
    const auto nonce = body["nonce"].get<std::string>();
    BOOST_TEST(nonce.size() >= 22); // at least 128 bits in base64url
    BOOST_TEST(body["url"] == "https://access.line.me/dialog/bot/accountLink?linkToken=linktoken1"
                              "&nonce=" +
                                  nonce);
    BOOST_TEST(asked_for == std::vector<std::string>{"U0000000000000000000000000000000a"});
    BOOST_TEST(number("SELECT count(*) FROM account_link_nonces WHERE nonce = '" + nonce + "'") ==
               1);
    BOOST_TEST(text("SELECT member_key FROM account_link_nonces") ==
               member_key(test::k_hashing_key, "m-1001"));
    BOOST_TEST(number("SELECT count(*) FROM account_link_nonces WHERE member_key = 'm-1001'") == 0);
}

BOOST_FIXTURE_TEST_CASE(wrong_or_missing_bearer_tokens_are_refused, AccountFixture) {
    const std::string body = R"({"line_user_id":"Ua","member_id":"m"})";
    BOOST_TEST(endpoint.answer("", body).status == 401);
    BOOST_TEST(endpoint.answer("Bearer wrong", body).status == 401);
    BOOST_TEST(endpoint.answer(k_site_token, body).status == 401);
    BOOST_TEST(endpoint.answer(std::string("Bearer ") + k_site_token, "{}").status == 400);
    BOOST_TEST(asked_for.empty());

    Settings off = settings();
    off.site_token.clear();
    AccountLinkEndpoint closed(store().links(), off, issuer(), clock_pointer());
    BOOST_TEST(closed.answer(std::string("Bearer ") + k_site_token, body).status == 404);
}

BOOST_FIXTURE_TEST_CASE(an_ok_event_with_the_nonce_links_the_member_once, AccountFixture) {
    const auto nonce = start("U0000000000000000000000000000000a", "m-1001");
    BOOST_TEST((event(hanako, nonce) == AccountLinkResult::linked));
    const auto buyer_key = "member:" + member_key(test::k_hashing_key, "m-1001");
    BOOST_TEST(number("SELECT count(*) FROM links l JOIN buyers b ON b.id = l.buyer_id WHERE "
                      "l.unlinked_at IS NULL AND l.method = 'account_link' AND l.friend_id = " +
                      std::to_string(hanako) + " AND b.buyer_key = '" + buyer_key + "'") == 1);
    BOOST_TEST(number("SELECT count(*) FROM facts WHERE kind = 'friend.linked'") == 1);
    BOOST_TEST(number("SELECT used_at IS NOT NULL FROM account_link_nonces") == 1);

    // The nonce is single use, even for the same friend.
    BOOST_TEST((event(hanako, nonce) == AccountLinkResult::refused_nonce));
    BOOST_TEST((event(taro, nonce) == AccountLinkResult::refused_nonce));
    BOOST_TEST(number("SELECT count(*) FROM links") == 1);
}

BOOST_FIXTURE_TEST_CASE(failed_results_unknown_and_stale_nonces_link_nothing, AccountFixture) {
    const auto nonce = start("U0000000000000000000000000000000a", "m-1001");
    BOOST_TEST((event(hanako, nonce, "failed") == AccountLinkResult::refused_failed));
    BOOST_TEST((event(hanako, "bm90LWEtbm9uY2U") == AccountLinkResult::refused_nonce));
    clock().set(clock().now_ms() + k_nonce_ttl_ms + 1);
    BOOST_TEST((event(hanako, nonce) == AccountLinkResult::refused_nonce));
    BOOST_TEST(number("SELECT count(*) FROM links") == 0);
    BOOST_TEST(number("SELECT count(*) FROM facts WHERE kind = 'friend.linked'") == 0);
}

BOOST_FIXTURE_TEST_CASE(a_member_linked_to_another_friend_is_refused, AccountFixture) {
    BOOST_TEST((event(hanako, start("U0000000000000000000000000000000a", "m-1001")) ==
                AccountLinkResult::linked));
    BOOST_TEST((event(taro, start("U0000000000000000000000000000000b", "m-1001")) ==
                AccountLinkResult::taken));
    BOOST_TEST(number("SELECT count(*) FROM links WHERE friend_id = " + std::to_string(taro)) == 0);
}

BOOST_AUTO_TEST_SUITE_END()
