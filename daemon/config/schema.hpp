#pragma once
// The one declaration of every configuration key: name, type, default, description.
// Reading, --dump-config and the key reference in the docs all come from here.

#include <filesystem>

#include "daemon/config/config.hpp"
#include "daemon/config/section.hpp"

namespace musubi::config {

// musubi.yaml. Scenario files are read separately, with scenario_section().
const Section<Config>& config_section();

// One scenarios/*.yaml file; `send:` names are checked against the templates in
// `templates_dir` (a template is <name>.txt or <name>.json there).
Section<Scenario> scenario_section(const std::filesystem::path& templates_dir);

} // namespace musubi::config
