#include "daemon/richmenus/image_info.hpp"

#include <cstddef>

namespace musubi::richmenus {

namespace {

long big_endian(std::string_view data, std::size_t at, std::size_t bytes) {
    long value = 0;
    for (std::size_t i = 0; i < bytes; ++i) {
        value = (value << 8) | static_cast<unsigned char>(data[at + i]);
    }
    return value;
}

std::optional<ImageInfo> jpeg_info(std::string_view data) {
    std::size_t at = 2; // after SOI
    while (at + 9 < data.size()) {
        if (static_cast<unsigned char>(data[at]) != 0xFF) {
            return std::nullopt;
        }
        const auto marker = static_cast<unsigned char>(data[at + 1]);
        if (marker == 0xFF) { // fill byte
            ++at;
            continue;
        }
        // SOF0..SOF15 carry the frame size; C4 (DHT), C8 (JPG) and CC (DAC) do not.
        const bool frame =
            marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
        if (frame) {
            return ImageInfo{line::ImageType::jpeg, big_endian(data, at + 7, 2),
                             big_endian(data, at + 5, 2)};
        }
        at += 2 + static_cast<std::size_t>(big_endian(data, at + 2, 2));
    }
    return std::nullopt;
}

} // namespace

std::optional<ImageInfo> read_image_info(std::string_view bytes) {
    constexpr std::string_view k_png_signature = "\x89PNG\r\n\x1a\n";
    if (bytes.size() >= 24 && bytes.substr(0, 8) == k_png_signature &&
        bytes.substr(12, 4) == "IHDR") {
        return ImageInfo{line::ImageType::png, big_endian(bytes, 16, 4), big_endian(bytes, 20, 4)};
    }
    if (bytes.size() >= 4 && static_cast<unsigned char>(bytes[0]) == 0xFF &&
        static_cast<unsigned char>(bytes[1]) == 0xD8) {
        return jpeg_info(bytes);
    }
    return std::nullopt;
}

} // namespace musubi::richmenus
