#pragma once
// "Did you mean …?" for misspelt keys and values.

#include <string>
#include <string_view>
#include <vector>

namespace musubi::config {

// The closest candidate within a small edit distance, or "" when nothing is close.
std::string closest_match(std::string_view word, const std::vector<std::string>& candidates);

// "a, b, c"
std::string join(const std::vector<std::string>& words, std::string_view separator = ", ");

} // namespace musubi::config
