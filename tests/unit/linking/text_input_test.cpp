#include <boost/test/unit_test.hpp>

#include "daemon/linking/text_input.hpp"

using namespace musubi::linking;

BOOST_AUTO_TEST_SUITE(linking_text_input)

BOOST_AUTO_TEST_CASE(full_width_digits_dashes_and_spaces_become_ascii) {
    BOOST_TEST(normalize_input("１２３４５６－２０２６") == "123456-2026");
    BOOST_TEST(normalize_input("12ー34‐56−78") == "12-34-56-78");
    BOOST_TEST(normalize_input("注文　番号") == "注文 番号");
}

BOOST_AUTO_TEST_CASE(an_order_number_is_found_anywhere_in_the_text) {
    const auto found = find_order_number("注文番号は123456-20261122-0000000001です");
    BOOST_REQUIRE(found.has_value());
    BOOST_TEST(found->order_number == "123456-20261122-0000000001");
}

BOOST_AUTO_TEST_CASE(full_width_and_spaces_around_hyphens_are_tolerated) {
    for (const char* typed :
         {"１２３４５６－２０２６１１２２－０００００００００１", "123456 - 20261122 - 0000000001",
          "123456ー20261122ー0000000001", "　１２３４５６　－　２０２６１１２２－0000000001　",
          "123456202611220000000001"}) {
        const auto found = find_order_number(typed);
        BOOST_REQUIRE_MESSAGE(found.has_value(), typed);
        BOOST_TEST(found->order_number == "123456-20261122-0000000001", typed);
    }
}

BOOST_AUTO_TEST_CASE(longer_runs_of_digits_are_not_order_numbers) {
    BOOST_TEST(!find_order_number("1123456-20261122-0000000001").has_value());
    BOOST_TEST(!find_order_number("123456-20261122-00000000011").has_value());
    BOOST_TEST(!find_order_number("123456-2026112-0000000001").has_value());
    BOOST_TEST(!find_order_number("送料はいくらですか").has_value());
}

BOOST_AUTO_TEST_CASE(older_8_digit_sequences_are_order_numbers_too) {
    // RMS's own samples: 290333-20171006-10640141.
    for (const char* typed : {"注文番号は290333-20171006-10640141です",
                              "２９０３３３－２０１７１００６－１０６４０１４１",
                              "290333 - 20171006 - 10640141", "2903332017100610640141"}) {
        const auto found = find_order_number(typed);
        BOOST_REQUIRE_MESSAGE(found.has_value(), typed);
        BOOST_TEST(found->order_number == "290333-20171006-10640141", typed);
    }
    const auto with_digits = find_order_number("290333-20171006-10640141 ５６７８");
    BOOST_REQUIRE(with_digits.has_value());
    BOOST_TEST(with_digits->order_number == "290333-20171006-10640141");
    BOOST_TEST(phone_last4(with_digits->rest).value_or("none") == "5678");
}

BOOST_AUTO_TEST_CASE(other_sequence_lengths_and_impossible_dates_are_not_order_numbers) {
    for (const char* typed :
         {"290333-20171006-1064014", "290333-20171006-106401412", "290333-20171006-106401",
          "290333-20171306-10640141", "290333-20170230-0000000001", "290333-19961231-0000000001",
          "29033320171006106401412", "2903332017100610640"}) {
        BOOST_TEST(!find_order_number(typed).has_value(), typed);
    }
}

BOOST_AUTO_TEST_CASE(the_text_around_the_order_number_is_kept_for_digits_sent_with_it) {
    const auto found = find_order_number("123456-20261122-0000000001 ５６７８");
    BOOST_REQUIRE(found.has_value());
    BOOST_TEST(phone_last4(found->rest).value_or("none") == "5678");
}

BOOST_AUTO_TEST_CASE(phone_digits_are_four_digits_or_a_whole_phone_number) {
    BOOST_TEST(phone_last4("5678").value_or("none") == "5678");
    BOOST_TEST(phone_last4("　５６７８ ").value_or("none") == "5678");
    BOOST_TEST(phone_last4("090-1234-5678").value_or("none") == "5678");
    BOOST_TEST(phone_last4("０３１２３４５６７８").value_or("none") == "5678");
    BOOST_TEST(!phone_last4("567").has_value());
    BOOST_TEST(!phone_last4("56789").has_value());
    BOOST_TEST(!phone_last4("下4桁は5678").has_value());
    BOOST_TEST(!phone_last4("").has_value());
}

BOOST_AUTO_TEST_CASE(trim_removes_ideographic_and_ascii_spaces) {
    BOOST_TEST(trim("　連携解除 \n") == "連携解除");
    BOOST_TEST(trim("   ").empty());
}

BOOST_AUTO_TEST_SUITE_END()
