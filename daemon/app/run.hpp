#pragma once
// The daemon's life after its configuration was loaded: open the store, tell systemd it is
// ready, then wait for signals — SIGHUP reloads the configuration (a bad one is refused and
// the running one kept), SIGTERM/SIGINT stop it.

#include <filesystem>

#include "daemon/config/config.hpp"

namespace musubi::app {

// Blocks the signals the daemon waits for. Call before any thread starts, so that every
// thread inherits the mask and only the signal loop receives them.
void block_daemon_signals();

// Returns the process exit code.
int serve(config::Config config, const std::filesystem::path& config_path);

} // namespace musubi::app
