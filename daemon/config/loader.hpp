#pragma once
// Loads musubi.yaml and the scenario files it names, checking everything. On failure the
// result holds every mistake found, each with file:line:col and what to write instead.

#include <filesystem>

#include <tl/expected.hpp>

#include "daemon/config/config.hpp"
#include "daemon/config/diagnostics.hpp"

namespace musubi::config {

tl::expected<Config, Diagnostics> load_config(const std::filesystem::path& file);

// The effective configuration as YAML, secrets shown only by where they came from.
std::string dump_config(const Config& config);

} // namespace musubi::config
