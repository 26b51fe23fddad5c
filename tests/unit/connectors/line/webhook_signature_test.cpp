#include <boost/test/unit_test.hpp>

#include "connectors/line/webhook_signature.hpp"

using musubi::line::webhook_signature;
using musubi::line::webhook_signature_matches;

namespace {
// The test vector from shared/platform/line-messaging.md.
constexpr const char* k_body = R"({"destination":"U8e742f61d673b39c7fff3cecb7536ef0","events":[]})";
constexpr const char* k_secret = "8c570fa6dd201bb328f1c1eac23a96d8";
constexpr const char* k_signature = "GhRKmvmHys4Pi8DxkF4+EayaH0OqtJtaZxgTD9fMDLs=";
} // namespace

BOOST_AUTO_TEST_SUITE(webhook_signature_suite)

BOOST_AUTO_TEST_CASE(contract_test_vector) {
    BOOST_TEST(webhook_signature(k_secret, k_body) == k_signature);
    BOOST_TEST(webhook_signature_matches(k_secret, k_body, k_signature));
}

BOOST_AUTO_TEST_CASE(one_changed_byte_of_the_body_is_refused) {
    std::string body = k_body;
    body[body.size() - 3] = '{';
    BOOST_TEST(!webhook_signature_matches(k_secret, body, k_signature));
}

BOOST_AUTO_TEST_CASE(wrong_secret_empty_and_truncated_headers_are_refused) {
    BOOST_TEST(!webhook_signature_matches("another-secret", k_body, k_signature));
    BOOST_TEST(!webhook_signature_matches(k_secret, k_body, ""));
    BOOST_TEST(
        !webhook_signature_matches(k_secret, k_body, std::string(k_signature).substr(0, 20)));
}

BOOST_AUTO_TEST_SUITE_END()
