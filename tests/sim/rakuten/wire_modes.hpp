#pragma once
// How the simulated RMS answers where the real one is known to vary (rakuten-rms.md):
//   - datetimes in answers with "+09:00" (newer documentation's spelling) instead of "+0900";
//   - functions the shop has not enabled in RMS, answered ES04-01.
// Set in the scenario file (`rakuten.modes`) and through POST /_sim/rakuten/modes.

#include <optional>
#include <set>
#include <string>

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include "jst_time.hpp"

namespace musubi::sim::rakuten {

// The API functions a mode can name.
inline constexpr const char* k_function_search_order = "searchOrder";
inline constexpr const char* k_function_get_order = "getOrder";
inline constexpr const char* k_function_license_expiry = "licenseExpiry";

struct WireModes {
    bool colon_offset = false;                   // "+09:00" in answers
    std::set<std::string> functions_not_enabled; // answered ES04-01
};

// The offset spelling of the modes: "+0900" or "+09:00".
std::string datetime_offset(const WireModes& modes);

// {"datetimeOffset": "+0900", "functionsNotEnabled": [...]}
nlohmann::json wire_modes_json(const WireModes& modes);
// Applies the keys present in `patch`; an error text naming a bad key or value.
std::optional<std::string> apply_wire_modes_patch(WireModes& modes, const nlohmann::json& patch);
// `rakuten.modes` of the scenario file: {datetime_offset, functions_not_enabled}; throws
// std::runtime_error with a text naming the bad key.
WireModes parse_wire_modes(const YAML::Node& node);

} // namespace musubi::sim::rakuten
