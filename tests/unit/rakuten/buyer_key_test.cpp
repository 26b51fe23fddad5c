#include <boost/test/unit_test.hpp>

#include "daemon/rakuten/buyer_key.hpp"

using namespace musubi::rakuten_poller;

namespace {

constexpr const char* k_key = "0123456789abcdef0123456789abcdef";

musubi::rakuten::Orderer orderer(std::string phone1, std::string phone2, std::string phone3,
                                 std::string email) {
    musubi::rakuten::Orderer value;
    value.family_name = "山田";
    value.first_name = "花子";
    value.phone_number1 = std::move(phone1);
    value.phone_number2 = std::move(phone2);
    value.phone_number3 = std::move(phone3);
    value.email_address = std::move(email);
    return value;
}

} // namespace

BOOST_AUTO_TEST_SUITE(buyer_key)

BOOST_AUTO_TEST_CASE(hmac_matches_rfc_4231_test_case_2) {
    BOOST_TEST(hmac_sha256_hex("Jefe", "what do ya want for nothing?") ==
               "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

BOOST_AUTO_TEST_CASE(phone_numbers_are_normalised_to_domestic_digits) {
    BOOST_TEST(normalise_phone("090-1234-5678") == "09012345678");
    BOOST_TEST(normalise_phone("+81 90 1234 5678") == "09012345678");
    BOOST_TEST(normalise_phone("８１９０１２３４５６７８") == "09012345678");
    BOOST_TEST(normalise_phone("03(1234)5678") == "0312345678");
    BOOST_TEST(normalise_phone("") == "");
}

BOOST_AUTO_TEST_CASE(email_is_trimmed_and_lower_cased) {
    BOOST_TEST(normalise_email("  ABCdef@PC.fw.rakuten.ne.jp \n") == "abcdef@pc.fw.rakuten.ne.jp");
}

BOOST_AUTO_TEST_CASE(same_buyer_written_differently_gets_the_same_key) {
    const auto a =
        buyer_identity(orderer("090", "1234", "5678", "x1s1@pc.fw.rakuten.ne.jp"), k_key);
    const auto b =
        buyer_identity(orderer("090-", "1234-", "5678", " X1S1@pc.fw.rakuten.ne.jp"), k_key);
    BOOST_TEST(a.buyer_key == b.buyer_key);
    BOOST_TEST(a.email_hash == b.email_hash);
    BOOST_TEST(a.phone_hash == b.phone_hash);
    BOOST_TEST(a.phone_last4_hash == hmac_sha256_hex(k_key, "phone_last4:5678"));
    BOOST_TEST(a.given_name == "花子");
}

BOOST_AUTO_TEST_CASE(hashes_hold_no_personal_data_and_depend_on_the_key) {
    const auto identity =
        buyer_identity(orderer("090", "1234", "5678", "x1s1@pc.fw.rakuten.ne.jp"), k_key);
    for (const auto& hash : {identity.buyer_key, identity.email_hash, identity.phone_hash,
                             identity.phone_last4_hash}) {
        BOOST_TEST(hash.size() == 64u);
        BOOST_TEST(hash.find("5678") == std::string::npos);
    }
    const auto other = buyer_identity(orderer("090", "1234", "5678", "x1s1@pc.fw.rakuten.ne.jp"),
                                      "another-install-key-0123456789abcdef");
    BOOST_TEST(other.buyer_key != identity.buyer_key);
    BOOST_TEST(other.phone_hash != identity.phone_hash);
}

BOOST_AUTO_TEST_CASE(another_phone_or_email_is_another_buyer) {
    const auto a =
        buyer_identity(orderer("090", "1234", "5678", "x1s1@pc.fw.rakuten.ne.jp"), k_key);
    const auto b =
        buyer_identity(orderer("090", "1234", "5679", "x1s1@pc.fw.rakuten.ne.jp"), k_key);
    const auto c =
        buyer_identity(orderer("090", "1234", "5678", "x2s1@pc.fw.rakuten.ne.jp"), k_key);
    BOOST_TEST(a.buyer_key != b.buyer_key);
    BOOST_TEST(a.buyer_key != c.buyer_key);
    BOOST_TEST(a.email_hash == b.email_hash);
}

BOOST_AUTO_TEST_CASE(an_orderer_without_contact_data_has_no_buyer_key) {
    const auto identity = buyer_identity(orderer("", "", "", ""), k_key);
    BOOST_TEST(identity.buyer_key.empty());
    BOOST_TEST(identity.phone_last4_hash.empty());
}

BOOST_AUTO_TEST_SUITE_END()
