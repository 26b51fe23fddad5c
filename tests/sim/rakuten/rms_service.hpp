#pragma once
// The Rakuten RMS side of the simulator (shared/platform/rakuten-rms.md): searchOrder,
// getOrder, license-key expiry, the order generator and review CSV exports.

#include <memory>

#include <yaml-cpp/yaml.h>

#include "../core/clock.hpp"
#include "../core/service.hpp"

namespace musubi::sim::rakuten {

// `settings` is the `rakuten:` section of the simulator's scenario file (may be null: defaults).
std::unique_ptr<Service> make_rms_service(Clock& clock, const YAML::Node& settings);

} // namespace musubi::sim::rakuten
