#include "daemon/ctl/musubictl.hpp"

#include <algorithm>
#include <ostream>

#include <spdlog/sinks/stdout_sinks.h>

#include "daemon/config/loader.hpp"
#include "daemon/config/suggest.hpp"
#include "daemon/ctl/commands.hpp"
#include "daemon/log/log.hpp"

namespace musubi::ctl {

namespace {

constexpr const char* k_default_config = "/etc/musubi/musubi.yaml";

constexpr const char* k_exit_codes = "exit codes:\n"
                                     "  0  done\n"
                                     "  1  what was asked failed, was refused, or was not found\n"
                                     "  2  usage: unknown command, missing or wrong arguments\n"
                                     "  3  the configuration is invalid\n"
                                     "  4  the store cannot be opened\n"
                                     "  5  (status) musubid does not answer on admin.listen\n"
                                     "  6  (config check --online) LINE could not be asked\n";

std::string usage_line(const Command& command) {
    return "musubictl " + command.name + (command.synopsis.empty() ? "" : " " + command.synopsis);
}

void print_help(std::ostream& out) {
    out << "musubictl: the operator's command line for musubi (one shop per configuration)\n"
           "usage: musubictl [--config FILE] [--json] <command> [arguments]\n"
           "  --config FILE  the configuration (default "
        << k_default_config
        << ")\n"
           "  --json         print one JSON document on stdout instead of text\n"
           "commands:\n";
    for (const auto& command : command_table()) {
        out << "  " << usage_line(command) << "\n      " << command.summary << '\n';
    }
    out << "user ids are LINE userIds (U + 32 hex digits); times are shown in JST.\n"
        << k_exit_codes;
}

void print_usage(std::ostream& err) {
    err << "usage: musubictl [--config FILE] [--json] <command> [arguments]\n"
           "commands: ";
    std::string names;
    for (const auto& command : command_table()) {
        names += (names.empty() ? "" : ", ") + command.name;
    }
    err << names << "\n(musubictl --help says more)\n";
}

const Command* find_command(const std::string& name) {
    for (const auto& command : command_table()) {
        if (command.name == name) {
            return &command;
        }
    }
    return nullptr;
}

// The subcommands of `group` ("outbox" → list, show, failed, retry); empty when it is none.
std::vector<std::string> subcommands(const std::string& group) {
    std::vector<std::string> words;
    for (const auto& command : command_table()) {
        if (command.name.rfind(group + " ", 0) == 0) {
            words.push_back(command.name.substr(group.size() + 1));
        }
    }
    return words;
}

int usage_error(std::ostream& err, const std::string& message, const std::string& suggestion) {
    err << "musubictl: " << message;
    if (!suggestion.empty()) {
        err << "; did you mean '" << suggestion << "'?";
    }
    err << '\n';
    print_usage(err);
    return k_exit_usage;
}

// Splits a command's words into positional arguments, options and flags; an error text when
// they do not fit the command.
std::optional<std::string> parse_arguments(const Command& command,
                                           const std::vector<std::string>& words, Arguments& args) {
    for (std::size_t i = 0; i < words.size(); ++i) {
        const std::string& word = words[i];
        if (word.rfind("--", 0) != 0 || word == "--") {
            args.positional.push_back(word);
            continue;
        }
        const auto equals = word.find('=');
        const std::string name = word.substr(0, equals);
        const auto& values = command.value_options;
        if (std::find(values.begin(), values.end(), name) != values.end()) {
            if (equals != std::string::npos) {
                args.values[name].push_back(word.substr(equals + 1));
            } else if (i + 1 < words.size()) {
                args.values[name].push_back(words[++i]);
            } else {
                return name + " needs a value";
            }
        } else if (std::find(command.flag_options.begin(), command.flag_options.end(), name) !=
                   command.flag_options.end()) {
            args.flags.push_back(name);
        } else {
            std::vector<std::string> known = values;
            known.insert(known.end(), command.flag_options.begin(), command.flag_options.end());
            const auto near = config::closest_match(name, known);
            return command.name + " has no option " + name +
                   (near.empty() ? std::string() : "; did you mean " + near + "?");
        }
    }
    const auto count = args.positional.size();
    if (count < command.min_positional || count > command.max_positional) {
        return command.name + " takes " +
               (command.min_positional == command.max_positional
                    ? std::to_string(command.min_positional)
                    : std::to_string(command.min_positional) + " to " +
                          std::to_string(command.max_positional)) +
               (command.max_positional == 1 ? " argument" : " arguments") + ", not " +
               std::to_string(count);
    }
    return std::nullopt;
}

// Loads what the command needs into `context`; an exit code when that fails.
std::optional<int> prepare(const Command& command, Context& context, config::Config& config,
                           std::unique_ptr<store::Store>& store) {
    if (command.needs == Needs::nothing) {
        return std::nullopt;
    }
    auto loaded = config::load_config(context.config_file);
    if (!loaded) {
        context.err << loaded.error().to_string();
        return context.fail(k_exit_config, "the configuration " + context.config_file.string() +
                                               " has errors (listed above); nothing was done");
    }
    config = std::move(*loaded);
    // Log lines go to stderr: stdout is the command's answer (and its JSON).
    log::setup(config.log, {std::make_shared<spdlog::sinks::stderr_sink_mt>()});
    context.config = &config;
    context.clock = clock::make_clock(config.clock.follow);
    if (command.needs != Needs::store) {
        return std::nullopt;
    }
    // Never create a store: an operator's typo in --config must not make an empty one.
    std::error_code error;
    if (!std::filesystem::exists(config.store.path, error)) {
        return context.fail(k_exit_store, "no store at " + config.store.path.string() +
                                              " (store.path in " + context.config_file.string() +
                                              "); musubid creates it when it first starts");
    }
    auto opened = store::open_store(config.store, context.clock);
    if (!opened) {
        return context.fail(k_exit_store, "the store " + config.store.path.string() +
                                              " cannot be opened: " + opened.error().to_string());
    }
    store = std::move(*opened);
    context.store = store.get();
    return std::nullopt;
}

} // namespace

const std::vector<Command>& command_table() {
    static const std::vector<Command> table = [] {
        std::vector<Command> all;
        for (auto group : {status_commands(), outbox_commands(), friend_commands(), send_commands(),
                           reviews_commands(), maintenance_commands(), config_commands(),
                           richmenu_commands(), campaign_commands(), rms_commands()}) {
            all.insert(all.end(), group.begin(), group.end());
        }
        return all;
    }();
    return table;
}

int run_musubictl(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    Context context(out, err);
    context.config_file = k_default_config;
    std::vector<std::string> words;
    bool help = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--config" && i + 1 < args.size()) {
            context.config_file = args[++i];
        } else if (args[i].rfind("--config=", 0) == 0) {
            context.config_file = args[i].substr(9);
        } else if (args[i] == "--json") {
            context.json = true;
        } else if (args[i] == "--help" || args[i] == "-h" || (words.empty() && args[i] == "help")) {
            help = true;
        } else {
            words.push_back(args[i]);
        }
    }
    if (help) {
        print_help(out);
        return k_exit_ok;
    }
    if (words.empty()) {
        print_usage(err);
        return k_exit_usage;
    }

    std::vector<std::string> names;
    for (const auto& command : command_table()) {
        names.push_back(command.name);
        const auto space = command.name.find(' ');
        if (space != std::string::npos) {
            names.push_back(command.name.substr(0, space));
        }
    }
    const Command* command = find_command(words[0]);
    std::size_t used = 1;
    if (command == nullptr) {
        const auto subs = subcommands(words[0]);
        if (subs.empty()) {
            return usage_error(err, "unknown command '" + words[0] + "'",
                               config::closest_match(words[0], names));
        }
        if (words.size() < 2) {
            return usage_error(err, "'" + words[0] + "' needs one of: " + config::join(subs), "");
        }
        command = find_command(words[0] + " " + words[1]);
        if (command == nullptr) {
            const auto near = config::closest_match(words[1], subs);
            return usage_error(err, "unknown command '" + words[0] + " " + words[1] + "'",
                               near.empty() ? "" : words[0] + " " + near);
        }
        used = 2;
    }
    context.command = command->name;
    const std::vector<std::string> rest(words.begin() + static_cast<std::ptrdiff_t>(used),
                                        words.end());
    if (auto problem = parse_arguments(*command, rest, context.args)) {
        err << "usage: " << usage_line(*command) << " [--config FILE] [--json]\n";
        err << "musubictl: " << *problem << '\n';
        return k_exit_usage;
    }
    config::Config config;
    std::unique_ptr<store::Store> store;
    if (auto failed = prepare(*command, context, config, store)) {
        return *failed;
    }
    return command->run(context);
}

} // namespace musubi::ctl
