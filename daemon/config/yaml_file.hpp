#pragma once
// Reading one YAML file of the configuration, with the errors staff meet first (a file that
// cannot be read, YAML that does not parse) reported at file:line:col.

#include <filesystem>
#include <optional>
#include <string>

#include <yaml-cpp/yaml.h>

#include "daemon/config/diagnostics.hpp"

namespace musubi::config {

// `shown`: the file as errors name it. `named_by`: the musubi.yaml key that names the file
// ("segments"), for the hint when it cannot be read; empty for musubi.yaml itself.
std::optional<YAML::Node> parse_yaml_file(const std::filesystem::path& file,
                                          const std::string& shown, const std::string& named_by,
                                          Diagnostics& diagnostics);

} // namespace musubi::config
