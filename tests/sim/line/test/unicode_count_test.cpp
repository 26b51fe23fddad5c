// How the simulator counts characters: UTF-16 code units for a text message, grapheme
// clusters (ICU) for labels and titles, code points for JSON Schema's maxLength.

#include <boost/test/unit_test.hpp>

#include "line/unicode_count.hpp"

using namespace musubi::sim::line::unicode;

BOOST_AUTO_TEST_SUITE(line_unicode_count)

BOOST_AUTO_TEST_CASE(utf16_units_count_astral_characters_twice) {
    BOOST_TEST(utf16_units("") == 0u);
    BOOST_TEST(utf16_units("abc") == 3u);
    BOOST_TEST(utf16_units("こんにちは") == 5u);
    BOOST_TEST(utf16_units("😀") == 2u);
    BOOST_TEST(utf16_units("𠮷野家") == 4u); // a CJK character outside the BMP
    BOOST_TEST(utf16_units("👍🏽") == 4u);
}

BOOST_AUTO_TEST_CASE(code_points_are_what_json_schema_counts) {
    BOOST_TEST(code_points("😀") == 1u);
    BOOST_TEST(code_points("👍🏽") == 2u);
    BOOST_TEST(code_points("か\u3099") == 2u);
}

BOOST_AUTO_TEST_CASE(grapheme_clusters_are_what_a_user_sees) {
    BOOST_TEST(grapheme_clusters("") == 0u);
    BOOST_TEST(grapheme_clusters("レビューを書く") == 7u);
    BOOST_TEST(grapheme_clusters("👍🏽") == 1u);               // skin tone
    BOOST_TEST(grapheme_clusters("👨\u200D👩\u200D👧\u200D👦") == 1u); // family (ZWJ)
    BOOST_TEST(grapheme_clusters("🏳\uFE0F\u200D🌈") == 1u);   // flag sequence
    BOOST_TEST(grapheme_clusters("🇯🇵🇯🇵") == 2u);                   // two flags
    BOOST_TEST(grapheme_clusters("か\u3099") == 1u);               // voiced mark
    BOOST_TEST(grapheme_clusters("e\u0301\u0323x") == 2u);         // two combining marks
    BOOST_TEST(grapheme_clusters("\u1100\u1161\u11A8") == 1u);     // a Hangul syllable
    BOOST_TEST(grapheme_clusters("❤\uFE0F") == 1u);                // variation selector
    BOOST_TEST(grapheme_clusters("\r\n") == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
