#pragma once
// musubictl, the operator's command line (DESIGN.md "Operations"). Today it has one command:
//   musubictl unlink <LINE userId> [--config FILE]
// which ends the friend's link like the chat keyword does (history kept, friend.unlinked fact),
// without a message to the friend.

#include <iosfwd>
#include <string>
#include <vector>

namespace musubi::ctl {

// Runs musubictl with its arguments (without the program name); answers the exit status:
// 0 done, 1 failed (said on `err`), 2 usage.
int run_musubictl(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

} // namespace musubi::ctl
