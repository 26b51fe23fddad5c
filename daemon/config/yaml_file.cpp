#include "daemon/config/yaml_file.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>

namespace musubi::config {

std::optional<YAML::Node> parse_yaml_file(const std::filesystem::path& file,
                                          const std::string& shown, const std::string& named_by,
                                          Diagnostics& diagnostics) {
    std::ifstream stream(file, std::ios::binary);
    if (!stream) {
        diagnostics.add(
            {shown, 0, 0}, "cannot read the file (" + std::string(std::strerror(errno)) + ")",
            named_by.empty() ? std::string("check the path and that the musubi service may read it")
                             : "check the path given as '" + named_by +
                                   ":' in musubi.yaml and that the musubi service may read it");
        return std::nullopt;
    }
    try {
        return YAML::Load(stream);
    } catch (const YAML::ParserException& error) {
        diagnostics.add({shown, error.mark.line + 1, error.mark.column + 1},
                        "this is not valid YAML (" + error.msg + ")",
                        "check the indentation (spaces, not tabs) and put text that contains "
                        "': ' or ' #' in quotes");
        return std::nullopt;
    }
}

} // namespace musubi::config
