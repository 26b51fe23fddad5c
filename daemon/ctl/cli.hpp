#pragma once
// What every musubictl command gets: its parsed arguments, the loaded configuration and the
// opened store (when the command needs them), where to write, and the exit codes.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "daemon/clock/clock.hpp"
#include "daemon/config/config.hpp"
#include "daemon/store/store.hpp"

namespace musubi::ctl {

// musubictl's exit codes, as `musubictl --help` lists them.
enum Exit : int {
    k_exit_ok = 0,
    k_exit_failed = 1,           // what was asked failed, was refused, or was not found
    k_exit_usage = 2,            // unknown command, missing or wrong arguments
    k_exit_config = 3,           // the configuration is invalid
    k_exit_store = 4,            // the store cannot be opened
    k_exit_not_running = 5,      // status: musubid does not answer on admin.listen
    k_exit_line_unavailable = 6, // config check --online: LINE could not be asked
};

// A command's words after its name: positional arguments, options with values (in the order
// given; an option may repeat) and flags.
struct Arguments {
    std::vector<std::string> positional;
    std::map<std::string, std::vector<std::string>> values;
    std::vector<std::string> flags;

    std::optional<std::string> value(const std::string& option) const;
    std::vector<std::string> all(const std::string& option) const;
    bool flag(const std::string& option) const;
};

struct Context {
    Context(std::ostream& out_stream, std::ostream& err_stream)
        : out(out_stream)
        , err(err_stream) {}

    std::string command; // e.g. "outbox retry"
    Arguments args;
    bool json = false;
    std::filesystem::path config_file;
    const config::Config* config = nullptr; // set when the command needs it
    store::Store* store = nullptr;          // set when the command needs it
    std::shared_ptr<const clock::Clock> clock;
    std::ostream& out;
    std::ostream& err;

    // Says `message` on stderr ("musubictl: …") and, with --json, prints
    // {"error": message, "exit_code": code} on stdout; answers `code`.
    int fail(int code, const std::string& message) const;
    // A store error: what was being done and the error; answers k_exit_store.
    int store_failed(const store::StoreError& error) const;
    // Prints the command's one JSON document; answers `code`.
    int emit(const nlohmann::json& document, int code = k_exit_ok) const;
};

// What a command needs before it runs.
enum class Needs { nothing, config, store };

struct Command {
    std::string name;     // "status", "outbox list", …
    std::string synopsis; // its arguments, e.g. "<id>"
    std::string summary;  // one line for --help
    Needs needs = Needs::store;
    std::vector<std::string> value_options; // e.g. "--state"
    std::vector<std::string> flag_options;  // e.g. "--force"
    std::size_t min_positional = 0;
    std::size_t max_positional = 0;
    std::function<int(Context&)> run;
};

} // namespace musubi::ctl
