#include <boost/test/unit_test.hpp>

#include "daemon/templates/text_count.hpp"

using namespace musubi::templates;

BOOST_AUTO_TEST_SUITE(text_count)

BOOST_AUTO_TEST_CASE(utf16_code_units) {
    BOOST_TEST(utf16_length("") == 0u);
    BOOST_TEST(utf16_length("abc") == 3u);
    BOOST_TEST(utf16_length("田中さん") == 4u);
    BOOST_TEST(utf16_length("😀") == 2u);                  // outside the BMP: a surrogate pair
    BOOST_TEST(utf16_length("👨‍👩‍👧") == 8u); // 3 emoji (2 each) and 2 ZWJ
}

BOOST_AUTO_TEST_CASE(grapheme_clusters) {
    BOOST_TEST(grapheme_count("") == 0u);
    BOOST_TEST(grapheme_count("abc") == 3u);
    BOOST_TEST(grapheme_count("a\r\nb") == 3u); // CR LF is one cluster
    BOOST_TEST(grapheme_count("レビューを書く") == 7u);
    BOOST_TEST(grapheme_count("👨‍👩‍👧‍👦") == 1u); // a ZWJ family
    BOOST_TEST(grapheme_count("👍🏽") == 1u);                  // an emoji with a skin tone
    BOOST_TEST(grapheme_count("🇯🇵🇺🇸") == 2u);                      // two flags
    BOOST_TEST(grapheme_count("か\u3099") == 1u);                  // a combining voiced mark
    BOOST_TEST(grapheme_count("❤\uFE0F") == 1u);                   // a variation selector
    BOOST_TEST(grapheme_count("1\uFE0F\u20E3") == 1u);             // a keycap
    BOOST_TEST(grapheme_count("\u1100\u1161\u11A8") == 1u);        // Hangul jamo make one syllable
    BOOST_TEST(grapheme_count("🏴\U000E0067\U000E0062\U000E0073\U000E0063\U000E0074\U000E007F") ==
               1u); // a tag sequence (the flag of Scotland)
}

BOOST_AUTO_TEST_CASE(thousands) {
    BOOST_TEST(with_thousands(5012) == "5,012");
    BOOST_TEST(with_thousands(30720) == "30,720");
    BOOST_TEST(with_thousands(1000000) == "1,000,000");
    BOOST_TEST(with_thousands(999) == "999");
}

BOOST_AUTO_TEST_SUITE_END()
