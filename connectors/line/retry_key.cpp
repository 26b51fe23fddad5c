#include "connectors/line/retry_key.hpp"

#include <cctype>

namespace musubi::line {

bool is_retry_key(std::string_view key) {
    constexpr std::size_t k_length = 36;
    if (key.size() != k_length) {
        return false;
    }
    for (std::size_t i = 0; i < k_length; ++i) {
        const bool dash_position = i == 8 || i == 13 || i == 18 || i == 23;
        const auto c = static_cast<unsigned char>(key[i]);
        if (dash_position ? c != '-' : std::isxdigit(c) == 0) {
            return false;
        }
    }
    return true;
}

} // namespace musubi::line
