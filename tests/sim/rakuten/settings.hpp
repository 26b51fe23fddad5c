#pragma once
// The `rakuten:` section of the simulator's scenario file, read strictly: an unknown key is an
// error that lists the valid ones, a bad value names its key. CONTROL.md documents every key.

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "faults.hpp"
#include "generator.hpp"
#include "limits.hpp"
#include "review_csv.hpp"
#include "script.hpp"
#include "wire_modes.hpp"

namespace musubi::sim::rakuten {

struct LicenseSpec {
    std::string key;
    std::optional<EpochSeconds> expires; // JST `yyyy-MM-ddTHH:mm:ss`; default: 90 days from start
};

struct RmsSettings {
    std::string service_secret = "SP000000_musubi_sim_secret";
    std::vector<LicenseSpec> license_keys{{"SL000000_musubi_sim_key", std::nullopt}};
    std::string shop_url = "musubi-sim-shop";
    GeneratorSettings generator;
    std::size_t backfill_count = 0; // orders placed over the past backfill_days at start
    int backfill_days = 30;
    FaultSettings faults;
    LimitSettings limits;
    std::string reviews_directory; // empty: the export route must name one
    CsvEncoding reviews_encoding = CsvEncoding::cp932;
    std::vector<ScriptStep> script; // `after` counts from start (and from every /reset)
    WireModes modes;                // answers' datetime offset, functions not enabled
};

class SettingsError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Throws SettingsError. A null or missing node gives the defaults.
RmsSettings parse_rms_settings(const YAML::Node& node);

} // namespace musubi::sim::rakuten
