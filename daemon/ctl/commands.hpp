#pragma once
// musubictl's commands, grouped by what they are about; musubictl.cpp puts them into one table.

#include <vector>

#include "daemon/ctl/cli.hpp"

namespace musubi::ctl {

std::vector<Command> status_commands();      // status
std::vector<Command> outbox_commands();      // outbox list | show | failed | retry
std::vector<Command> friend_commands();      // friend show, link, unlink
std::vector<Command> send_commands();        // test-send
std::vector<Command> config_commands();      // config check
std::vector<Command> reviews_commands();     // import-reviews
std::vector<Command> maintenance_commands(); // dry-run, purge
std::vector<Command> campaign_commands();    // campaign list | start | report
std::vector<Command> richmenu_commands();    // richmenu status | changes
std::vector<Command> rms_commands();         // rms check-key

} // namespace musubi::ctl
