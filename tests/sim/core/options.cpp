#include "options.hpp"

#include <set>

namespace musubi::sim {

namespace {

std::string position(const std::string& where, const YAML::Node& node) {
    auto mark = node.Mark();
    if (mark.is_null()) {
        return where;
    }
    return where + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
}

Endpoint endpoint_from(const YAML::Node& node, const std::string& where, const char* key) {
    auto parsed = parse_endpoint(node.as<std::string>());
    if (!parsed) {
        throw ScenarioError(position(where, node) + ": `" + key +
                            "` must be HOST:PORT, e.g. 127.0.0.1:8480 (port 0 picks a free one)");
    }
    return *parsed;
}

} // namespace

std::string usage() {
    return "usage: musubi-sim [--scenario FILE] [--listen HOST:PORT] [--data-listen HOST:PORT]\n"
           "                  [--port-file FILE] [--threads N]\n"
           "Plays Rakuten RMS and the LINE platform on loopback. See tests/sim/README.md.\n";
}

CliOptions parse_cli(const std::vector<std::string>& arguments) {
    CliOptions options;
    for (std::size_t i = 0; i < arguments.size(); ++i) {
        const auto& argument = arguments[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= arguments.size()) {
                throw CliError(argument + " needs a value");
            }
            return arguments[++i];
        };
        if (argument == "--help" || argument == "-h") {
            options.help = true;
        } else if (argument == "--scenario") {
            options.scenario_path = value();
        } else if (argument == "--listen") {
            options.listen = value();
        } else if (argument == "--data-listen") {
            options.data_listen = value();
        } else if (argument == "--port-file") {
            options.port_file = value();
        } else if (argument == "--threads") {
            auto text = value();
            try {
                options.threads = std::stoi(text);
            } catch (const std::exception&) {
                throw CliError("--threads needs a number, got '" + text + "'");
            }
            if (*options.threads < 1 || *options.threads > 1024) {
                throw CliError("--threads must be between 1 and 1024");
            }
        } else {
            throw CliError("unknown option '" + argument + "'");
        }
    }
    return options;
}

Scenario scenario_from_yaml(const YAML::Node& root, const std::string& where) {
    Scenario scenario;
    if (!root || root.IsNull()) {
        return scenario;
    }
    if (!root.IsMap()) {
        throw ScenarioError(position(where, root) + ": the scenario file must be a mapping with "
                                                    "keys listen, data_listen, threads, clock, "
                                                    "line, rakuten");
    }
    static const std::set<std::string> k_keys = {"listen", "data_listen", "threads",
                                                 "clock",  "line",        "rakuten"};
    for (const auto& entry : root) {
        auto key = entry.first.as<std::string>();
        if (!k_keys.contains(key)) {
            throw ScenarioError(
                position(where, entry.first) + ": unknown key '" + key +
                "'; valid keys: clock, data_listen, line, listen, rakuten, threads");
        }
    }
    try {
        if (root["listen"]) {
            scenario.server.api = endpoint_from(root["listen"], where, "listen");
        }
        if (root["data_listen"]) {
            scenario.server.data = endpoint_from(root["data_listen"], where, "data_listen");
        }
        if (root["threads"]) {
            scenario.server.threads = root["threads"].as<int>();
        }
        if (auto clock = root["clock"]) {
            if (clock["start"]) {
                scenario.clock_start = parse_jst(clock["start"].as<std::string>());
                if (!scenario.clock_start) {
                    throw ScenarioError(position(where, clock["start"]) +
                                        ": clock.start must look like 2026-11-22T10:05:06+0900");
                }
            }
            if (clock["speed"]) {
                scenario.clock_speed = clock["speed"].as<double>();
            }
        }
    } catch (const YAML::BadConversion& error) {
        throw ScenarioError(where + ":" + std::to_string(error.mark.line + 1) + ":" +
                            std::to_string(error.mark.column + 1) +
                            ": wrong type (threads is a number, clock.speed a number)");
    }
    // A missing section stays a valid null node: yaml-cpp's "zombie" for an absent key throws
    // on most calls, which the services should not have to know about.
    if (root["line"]) {
        scenario.line = root["line"];
    }
    if (root["rakuten"]) {
        scenario.rakuten = root["rakuten"];
    }
    return scenario;
}

Scenario load_scenario(const std::string& path) {
    YAML::Node root;
    try {
        root = YAML::LoadFile(path);
    } catch (const YAML::BadFile&) {
        throw ScenarioError(path + ": cannot read the scenario file");
    } catch (const YAML::ParserException& error) {
        throw ScenarioError(path + ":" + std::to_string(error.mark.line + 1) + ":" +
                            std::to_string(error.mark.column + 1) + ": " + error.msg);
    }
    return scenario_from_yaml(root, path);
}

void apply_cli(Scenario& scenario, const CliOptions& options) {
    auto endpoint = [](const std::string& text, const char* flag) {
        auto parsed = parse_endpoint(text);
        if (!parsed) {
            throw CliError(std::string(flag) + " must be HOST:PORT, got '" + text + "'");
        }
        return *parsed;
    };
    if (options.listen) {
        scenario.server.api = endpoint(*options.listen, "--listen");
    }
    if (options.data_listen) {
        scenario.server.data = endpoint(*options.data_listen, "--data-listen");
    }
    if (options.threads) {
        scenario.server.threads = *options.threads;
    }
}

} // namespace musubi::sim
