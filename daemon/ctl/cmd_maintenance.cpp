// musubictl dry-run and purge: thin adapters from musubictl's argument parsing to the dry run
// (daemon/ctl/dry_run.hpp) and the retention purge (daemon/retention/purge.hpp), which open
// the store themselves (the dry run works on a copy of it).

#include "daemon/ctl/commands.hpp"
#include "daemon/ctl/dry_run.hpp"
#include "daemon/retention/purge.hpp"

namespace musubi::ctl {

namespace {

int run_dry_run(Context& context) {
    std::vector<std::string> words{"dry-run", context.args.positional.at(0)};
    for (const auto& [option, values] : context.args.values) {
        for (const auto& value : values) {
            words.push_back(option);
            words.push_back(value);
        }
    }
    return dry_run_command(*context.config, words, context.json, context.out, context.err);
}

int run_purge(Context& context) {
    std::vector<std::string> words{"purge"};
    if (context.args.flag("--dry-run")) {
        words.emplace_back("--dry-run");
    }
    return retention::purge_command(*context.config, words, context.json, context.out, context.err);
}

} // namespace

std::vector<Command> maintenance_commands() {
    return {{"dry-run",
             "<scenario> (--friend <userId> | --order <order number>)",
             "what a scenario would send and when, on a copy of the store; nothing is sent",
             Needs::config,
             std::vector<std::string>{"--friend", "--order"},
             {},
             1,
             1,
             run_dry_run},
            {"purge",
             "[--dry-run]",
             "purge personal data past the retention periods now (--dry-run: only count)",
             Needs::config,
             {},
             std::vector<std::string>{"--dry-run"},
             0,
             0,
             run_purge}};
}

} // namespace musubi::ctl
