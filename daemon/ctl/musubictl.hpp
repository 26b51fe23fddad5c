#pragma once
// musubictl, the operator's command line (DESIGN.md "Operations"): status, the outbox and its
// failures, a deliberate retry, a friend's record (masked), link/unlink, review imports, a test
// message, the configuration check. `musubictl --help` lists every command and the exit codes;
// every command prints one JSON document on stdout with --json.

#include <iosfwd>
#include <string>
#include <vector>

#include "daemon/ctl/cli.hpp"

namespace musubi::ctl {

// Every command, in the order --help lists them.
const std::vector<Command>& command_table();

// Runs musubictl with its arguments (without the program name); answers the exit status
// (see Exit in cli.hpp: 0 ok, 1 failed or not found, 2 usage, 3 configuration invalid,
// 4 store unavailable, 5 musubid not answering).
int run_musubictl(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

} // namespace musubi::ctl
