#pragma once
// How LINE counts the length of a text (shared/platform/line-messaging.md, "How LINE counts"):
// a text message in UTF-16 code units, labels, titles, displayText and rich-menu names in
// grapheme clusters (an emoji with a skin tone, a family emoji or a flag is one). Both are
// counted with ICU, never by hand.

#include <cstddef>
#include <string>
#include <string_view>

namespace musubi::templates {

// UTF-16 code units: an emoji outside the BMP is two.
std::size_t utf16_length(std::string_view utf8);
// Extended grapheme clusters (Unicode UAX #29, as ICU's character BreakIterator finds them).
std::size_t grapheme_count(std::string_view utf8);
// 5012 → "5,012", the way the limits are written in LINE's documentation.
std::string with_thousands(std::size_t number);

} // namespace musubi::templates
