#pragma once
// The musubi-sim command line and scenario file (tests/sim/README.md documents both).

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "clock.hpp"
#include "server.hpp"

namespace musubi::sim {

struct CliOptions {
    std::string scenario_path;              // empty: defaults only
    std::optional<std::string> listen;      // overrides the scenario's `listen`
    std::optional<std::string> data_listen; // overrides the scenario's `data_listen`
    std::optional<std::string> port_file;
    std::optional<int> threads;
    bool help = false;
};

struct CliError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Throws CliError naming the bad argument.
CliOptions parse_cli(const std::vector<std::string>& arguments);
std::string usage();

struct Scenario {
    ServerOptions server;
    std::optional<Clock::time_point> clock_start;
    double clock_speed = 1.0;
    YAML::Node line;    // passed untouched to make_line_service
    YAML::Node rakuten; // passed untouched to make_rms_service
};

struct ScenarioError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Throws ScenarioError with file:line:col and what to write instead.
Scenario load_scenario(const std::string& path);
Scenario scenario_from_yaml(const YAML::Node& root, const std::string& where);
// Applies the command line's overrides; throws CliError on a malformed address.
void apply_cli(Scenario& scenario, const CliOptions& options);

} // namespace musubi::sim
