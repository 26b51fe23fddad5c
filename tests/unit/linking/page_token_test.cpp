#include <boost/test/unit_test.hpp>

#include "daemon/linking/page_token.hpp"

using namespace musubi::linking;

namespace musubi::linking {
std::ostream& operator<<(std::ostream& out, TokenError error) {
    return out << static_cast<int>(error);
}
} // namespace musubi::linking

namespace {

constexpr std::int64_t k_now = 1'795'000'000'000;
constexpr std::int64_t k_ttl = 30 * 60 * 1000;
constexpr const char* k_key = "test-hashing-key-0123456789abcdefghij";

} // namespace

BOOST_AUTO_TEST_SUITE(linking_page_token)

BOOST_AUTO_TEST_CASE(a_token_names_its_friend_until_it_expires) {
    const PageTokens tokens(k_key, k_ttl);
    const auto token = tokens.make(42, k_now);
    BOOST_TEST(tokens.verify(token, k_now).value_or(-1) == 42);
    BOOST_TEST(tokens.verify(token, k_now + k_ttl - 1).value_or(-1) == 42);
    BOOST_TEST(tokens.verify(token, k_now + k_ttl).error() == TokenError::expired);
}

BOOST_AUTO_TEST_CASE(a_token_is_url_safe) {
    const auto token = PageTokens(k_key, k_ttl).make(7, k_now);
    BOOST_TEST(token.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                       "0123456789-_.") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(changing_the_friend_or_the_expiry_is_detected) {
    const PageTokens tokens(k_key, k_ttl);
    const auto token = tokens.make(42, k_now);
    auto other_friend = token;
    other_friend.replace(token.find(".42.") + 1, 2, "43");
    BOOST_TEST(tokens.verify(other_friend, k_now).error() == TokenError::forged);
    const auto expiry = std::to_string(k_now + k_ttl);
    auto later = token;
    later.replace(token.find(expiry), expiry.size(), std::to_string(k_now + 10 * k_ttl));
    BOOST_TEST(tokens.verify(later, k_now + 2 * k_ttl).error() == TokenError::forged);
    auto flipped = token;
    flipped.back() = flipped.back() == 'A' ? 'B' : 'A';
    BOOST_TEST(tokens.verify(flipped, k_now).error() == TokenError::forged);
}

BOOST_AUTO_TEST_CASE(a_token_made_with_another_key_is_forged) {
    const auto token = PageTokens("another-key-0123456789abcdefghijklmn", k_ttl).make(42, k_now);
    BOOST_TEST(PageTokens(k_key, k_ttl).verify(token, k_now).error() == TokenError::forged);
}

BOOST_AUTO_TEST_CASE(garbage_is_malformed) {
    const PageTokens tokens(k_key, k_ttl);
    for (const char* garbage : {"", "v1", "v1.42.123", "v2.42.1795001800000.abc", "v1.x.1.abc",
                                "v1.-4.1795001800000.abc", "v1.42.1795001800000.abc.def"}) {
        BOOST_TEST((tokens.verify(garbage, k_now).error() == TokenError::malformed), garbage);
    }
}

BOOST_AUTO_TEST_CASE(the_page_url_carries_the_token) {
    musubi::config::LinkingConfig config;
    config.page_url = "https://shop.example.jp/musubi/link";
    config.page_token_ttl = std::chrono::minutes(30);
    const auto url = make_page_url(config, k_key, 42, k_now);
    const std::string prefix = "https://shop.example.jp/musubi/link?t=";
    BOOST_REQUIRE(url.rfind(prefix, 0) == 0);
    BOOST_TEST(PageTokens(k_key, k_ttl).verify(url.substr(prefix.size()), k_now).value_or(-1) ==
               42);
    config.page_url.clear();
    BOOST_TEST(make_page_url(config, k_key, 42, k_now).empty());
}

BOOST_AUTO_TEST_SUITE_END()
