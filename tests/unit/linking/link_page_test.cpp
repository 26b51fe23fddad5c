#include <boost/test/unit_test.hpp>

#include "daemon/linking/link_page.hpp"
#include "unit/linking/linking_fixture.hpp"

using namespace musubi;
using namespace musubi::linking;
using musubi::test::LinkingFixture;

namespace {

constexpr const char* k_order = "123456-20261122-0000000001";

struct PageFixture : LinkingFixture {
    PageFixture()
        : page(store().links(), settings(), clock_pointer()) {
        hanako = add_friend("U0000000000000000000000000000000a", "はなこ");
        buyer = add_order(k_order, "09012345678", "hanako@example.jp");
        token = PageTokens(test::k_hashing_key, settings().page_token_ttl_ms)
                    .make(hanako, clock().now_ms());
    }

    static Settings settings() {
        Settings settings;
        settings.hashing_key = test::k_hashing_key;
        settings.shop_name = "結び<ストア>";
        return settings;
    }

    std::shared_ptr<const clock::Clock> clock_pointer() {
        return std::shared_ptr<const clock::Clock>(&clock(), [](const clock::Clock*) {});
    }

    LinkPage page;
    std::int64_t hanako = 0;
    std::int64_t buyer = 0;
    std::string token;
};

bool contains(const std::string& html, std::string_view text) {
    return html.find(text) != std::string::npos;
}

} // namespace

BOOST_AUTO_TEST_SUITE(linking_link_page)

BOOST_FIXTURE_TEST_CASE(the_form_asks_for_both_and_escapes_what_it_shows, PageFixture) {
    const auto shown = page.show(token);
    BOOST_TEST(shown.status == 200);
    BOOST_TEST(contains(shown.html, "ご注文番号"));
    BOOST_TEST(contains(shown.html, "電話番号の下4桁"));
    BOOST_TEST(contains(shown.html, "name=\"viewport\""));
    BOOST_TEST(contains(shown.html, "結び&lt;ストア&gt;"));
    BOOST_TEST(!contains(shown.html, "<ストア>"));
    BOOST_TEST(!contains(shown.html, "http")); // no external resources
}

BOOST_FIXTURE_TEST_CASE(the_right_order_and_digits_link_with_the_fact, PageFixture) {
    const auto result =
        page.submit(token, "１２３４５６－２０２６１１２２－０００００００００１", "5678");
    BOOST_TEST(result.status == 200);
    BOOST_TEST(contains(result.html, "連携が完了しました"));
    BOOST_TEST(number("SELECT count(*) FROM links WHERE unlinked_at IS NULL AND method = 'web' "
                      "AND friend_id = " +
                      std::to_string(hanako) + " AND buyer_id = " + std::to_string(buyer)) == 1);
    BOOST_TEST(number("SELECT count(*) FROM facts WHERE kind = 'friend.linked' AND friend_id = " +
                      std::to_string(hanako)) == 1);
}

BOOST_FIXTURE_TEST_CASE(wrong_digits_fail_without_saying_why_and_count_to_the_limit, PageFixture) {
    const auto wrong = page.submit(token, k_order, "1234");
    const auto unknown = page.submit(token, "999999-20261122-0000000009", "5678");
    BOOST_TEST(wrong.status == 200);
    BOOST_TEST(contains(wrong.html, "確認できませんでした"));
    BOOST_TEST(contains(unknown.html, "確認できませんでした"));
    for (int i = 0; i < 3; ++i) {
        (void)page.submit(token, k_order, "0000");
    }
    const auto right_in_cooldown = page.submit(token, k_order, "5678");
    BOOST_TEST(right_in_cooldown.status == 429);
    BOOST_TEST(contains(right_in_cooldown.html, "上限"));
    BOOST_TEST(number("SELECT count(*) FROM links") == 0);
    BOOST_TEST(number("SELECT count(*) FROM link_attempts WHERE method = 'web'") == 6);
}

BOOST_FIXTURE_TEST_CASE(expired_and_forged_tokens_show_no_form_and_link_nothing, PageFixture) {
    clock().set(clock().now_ms() + settings().page_token_ttl_ms);
    const auto expired = page.submit(token, k_order, "5678");
    BOOST_TEST(expired.status == 410);
    BOOST_TEST(!contains(expired.html, "<form"));
    BOOST_TEST(page.show(token).status == 410);
    const auto forged = page.submit(token + "x", k_order, "5678");
    BOOST_TEST(forged.status == 403);
    BOOST_TEST(number("SELECT count(*) FROM links") == 0);
    BOOST_TEST(number("SELECT count(*) FROM link_attempts") == 0);
}

BOOST_FIXTURE_TEST_CASE(input_that_is_no_order_number_is_asked_again_uncounted, PageFixture) {
    const auto again = page.submit(token, "<script>alert(1)</script>", "5678");
    BOOST_TEST(again.status == 200);
    BOOST_TEST(contains(again.html, "&lt;script&gt;"));
    BOOST_TEST(!contains(again.html, "<script>"));
    BOOST_TEST(number("SELECT count(*) FROM link_attempts") == 0);
}

BOOST_AUTO_TEST_SUITE_END()
