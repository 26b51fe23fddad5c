#pragma once
// How LINE counts characters (shared/platform/line-messaging.md, "How LINE counts"): a text
// message in UTF-16 code units, labels, titles and the like in grapheme clusters. Both are
// counted with ICU; JSON Schema's own `maxLength` counts Unicode code points.

#include <cstddef>
#include <string_view>

namespace musubi::sim::line::unicode {

// UTF-16 code units: a character outside the Basic Multilingual Plane (most emoji) is two.
std::size_t utf16_units(std::string_view utf8);
// Unicode code points (what JSON Schema's maxLength/minLength count).
std::size_t code_points(std::string_view utf8);
// Extended grapheme clusters as ICU's character BreakIterator finds them: an emoji with a skin
// tone, a family emoji, a flag or a letter with combining marks is one.
std::size_t grapheme_clusters(std::string_view utf8);

} // namespace musubi::sim::line::unicode
