#pragma once
// Files for the fuzz targets that read folders: a private temporary folder made once per
// process (libFuzzer runs one input at a time), and small whole-file helpers.

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>

namespace musubi::fuzz {

// The one folder of this process; removed when libFuzzer exits normally (a crash leaves it
// for inspection).
inline std::filesystem::path make_temp_folder(std::string_view name) {
    static std::string made;
    if (!made.empty()) {
        std::abort(); // one per process
    }
    std::string pattern =
        (std::filesystem::temp_directory_path() / (std::string(name) + "-XXXXXX")).string();
    if (::mkdtemp(pattern.data()) == nullptr) {
        std::abort();
    }
    made = pattern;
    std::atexit([] {
        std::error_code ignored;
        std::filesystem::remove_all(made, ignored);
    });
    return made;
}

inline void write_file(const std::filesystem::path& file, std::string_view content) {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
}

inline std::string read_file(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

} // namespace musubi::fuzz
