#include "text_length.hpp"

#include <cstdint>
#include <vector>

namespace musubi::sim::line {

namespace {

// Decodes leniently: the JSON parser has already refused malformed UTF-8.
std::vector<std::uint32_t> code_points(std::string_view utf8) {
    std::vector<std::uint32_t> points;
    for (std::size_t i = 0; i < utf8.size();) {
        auto lead = static_cast<unsigned char>(utf8[i]);
        int extra = lead < 0x80 ? 0 : lead < 0xE0 ? 1 : lead < 0xF0 ? 2 : 3;
        std::uint32_t point = extra == 0   ? lead
                              : extra == 1 ? (lead & 0x1Fu)
                              : extra == 2 ? (lead & 0x0Fu)
                                           : (lead & 0x07u);
        for (int k = 1; k <= extra && i + static_cast<std::size_t>(k) < utf8.size(); ++k) {
            point = (point << 6) |
                    (static_cast<unsigned char>(utf8[i + static_cast<std::size_t>(k)]) & 0x3Fu);
        }
        points.push_back(point);
        i += static_cast<std::size_t>(extra) + 1;
    }
    return points;
}

bool extends_previous(std::uint32_t point) {
    return (point >= 0x0300 && point <= 0x036F) || (point >= 0x1AB0 && point <= 0x1AFF) ||
           (point >= 0x1DC0 && point <= 0x1DFF) || (point >= 0x20D0 && point <= 0x20FF) ||
           (point >= 0xFE00 && point <= 0xFE0F) || (point >= 0x1F3FB && point <= 0x1F3FF) ||
           (point >= 0xE0020 && point <= 0xE007F) || (point >= 0xE0100 && point <= 0xE01EF) ||
           point == 0x3099 || point == 0x309A || point == 0x200D;
}

bool regional_indicator(std::uint32_t point) {
    return point >= 0x1F1E6 && point <= 0x1F1FF;
}

} // namespace

std::size_t utf16_length(std::string_view utf8) {
    std::size_t units = 0;
    for (auto point : code_points(utf8)) {
        units += point > 0xFFFF ? 2 : 1;
    }
    return units;
}

std::size_t grapheme_count(std::string_view utf8) {
    auto points = code_points(utf8);
    std::size_t count = 0;
    bool joined = false;
    bool open_flag = false;
    for (auto point : points) {
        if (joined) {
            joined = false;
            continue;
        }
        if (point == 0x200D) {
            joined = true;
            continue;
        }
        if (extends_previous(point) && count > 0) {
            continue;
        }
        if (regional_indicator(point)) {
            if (open_flag) {
                open_flag = false;
                continue;
            }
            open_flag = true;
        } else {
            open_flag = false;
        }
        ++count;
    }
    return count;
}

} // namespace musubi::sim::line
