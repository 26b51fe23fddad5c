#pragma once
// The LINE platform side of the simulator (shared/platform/line-messaging.md): Messaging API,
// rich menus, the api-data host, friends that send signed webhooks, and the ledger.

#include <memory>

#include <yaml-cpp/yaml.h>

#include "../core/clock.hpp"
#include "../core/service.hpp"

namespace musubi::sim::line {

// `settings` is the `line:` section of the simulator's scenario file (may be null: defaults).
std::unique_ptr<Service> make_line_service(Clock& clock, const YAML::Node& settings);

} // namespace musubi::sim::line
