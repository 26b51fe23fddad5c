#pragma once
// How LINE counts characters: message text in UTF-16 code units (an emoji outside the BMP is
// two), labels in user-perceived characters (grapheme clusters).

#include <cstddef>
#include <string_view>

namespace musubi::sim::line {

std::size_t utf16_length(std::string_view utf8);
// An approximation of Unicode grapheme clusters good for labels: combining marks, variation
// selectors, emoji modifiers and tags join the previous character, a ZWJ joins the next one,
// and regional indicators pair into one flag.
std::size_t grapheme_count(std::string_view utf8);

} // namespace musubi::sim::line
