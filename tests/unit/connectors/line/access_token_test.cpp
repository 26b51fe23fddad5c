#include <boost/test/unit_test.hpp>

#include "connectors/line/access_token.hpp"

using musubi::line::AccessToken;
using musubi::line::outcome_name;
using musubi::line::StatelessCredentials;

BOOST_AUTO_TEST_SUITE(line_access_token)

BOOST_AUTO_TEST_CASE(a_long_lived_token_is_used_as_is_and_cannot_be_renewed) {
    auto token = AccessToken::long_lived("console-token");
    BOOST_TEST(!token->renewable());
    auto value = token->get();
    BOOST_REQUIRE(value.has_value());
    BOOST_TEST(*value == "console-token");
    BOOST_TEST(!token->renew_after_unauthorized("console-token"));
    BOOST_TEST(*token->get() == "console-token");
    BOOST_TEST(token->issued_count() == 0U);
}

BOOST_AUTO_TEST_CASE(an_unreachable_issuer_is_transient_and_names_no_secret) {
    // Port 1 on loopback refuses the connection.
    auto token = AccessToken::stateless({"2000000000", "very-secret-value"}, "http://127.0.0.1:1",
                                        std::chrono::milliseconds(500));
    BOOST_TEST(token->renewable());
    auto value = token->get();
    BOOST_REQUIRE(!value.has_value());
    BOOST_TEST(outcome_name(value.error().outcome) == "transient");
    BOOST_TEST(value.error().status == 0);
    BOOST_TEST(value.error().message.starts_with("could not reach LINE for a channel access token: "
                                                 "POST http://127.0.0.1:1/oauth2/v3/token"));
    BOOST_TEST(value.error().message.find("very-secret-value") == std::string::npos);
    BOOST_TEST(token->issued_count() == 0U);
}

BOOST_AUTO_TEST_SUITE_END()
