#pragma once
// The kind and pixel size of a rich-menu image, read from the file's own header (PNG IHDR,
// JPEG start-of-frame), as LINE reads it when the image is uploaded.

#include <optional>
#include <string_view>

#include "connectors/line/requests.hpp"

namespace musubi::richmenus {

struct ImageInfo {
    line::ImageType type = line::ImageType::png;
    long width = 0;
    long height = 0;
};

// nullopt when the bytes are neither a PNG nor a JPEG whose size can be read.
std::optional<ImageInfo> read_image_info(std::string_view bytes);

} // namespace musubi::richmenus
