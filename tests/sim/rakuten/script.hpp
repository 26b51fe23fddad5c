#pragma once
// Scripted scenarios: control requests that run by themselves once simulated time reaches
// them ("at 10:30 add this order", "two hours later ship it with Yamato", "a day later expire
// the license key"). A step is any control route with its JSON body, so a script can do
// exactly what a test could do by hand. Steps come from the scenario file (`script:`) or from
// POST /script.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include "jst_time.hpp"

namespace musubi::sim::rakuten {

struct ScriptStep {
    std::optional<EpochSeconds> at; // absolute time, or
    EpochSeconds after = 0;         // seconds after the script was loaded
    EpochSeconds every = 0;         // > 0: runs again this many seconds after each due time
    std::string method = "POST";
    std::string route; // a control route, e.g. "/orders/{last}/progress"
    nlohmann::json body = nlohmann::json::object();
};

struct ScriptOutcome {
    EpochSeconds due = 0;
    EpochSeconds ran = 0;
    std::string method, route;
    int status = 0;
    nlohmann::json answer;
};

// One step from JSON ({"at" | "after", "every", "method", "route", "body"}); an error text on
// failure.
std::optional<std::string> parse_script_step(const nlohmann::json& json, ScriptStep& step);

// A YAML value as JSON (numbers and booleans typed, everything else a string).
nlohmann::json yaml_to_json(const YAML::Node& node);

nlohmann::json script_step_json(const ScriptStep& step, EpochSeconds due);

} // namespace musubi::sim::rakuten
