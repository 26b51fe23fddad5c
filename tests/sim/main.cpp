// musubi-sim: Rakuten RMS and the LINE platform on loopback for tests, benchmarks and the demo.
// Thin: options and scenario parsing, the services and the server live in libraries.

#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>

#include <Poco/Exception.h>

#include "core/dispatcher.hpp"
#include "core/options.hpp"
#include "core/server.hpp"
#include "line/line_service.hpp"
#ifdef MUSUBI_SIM_HAS_RAKUTEN
#include "rakuten/rms_service.hpp"
#endif

namespace {

using namespace musubi::sim;

// Written to a temporary name and renamed, so a test polling for the file never reads half.
void write_port_file(const std::string& path, int api_port, int data_port) {
    auto temporary = path + ".tmp";
    {
        std::ofstream out(temporary, std::ios::trunc);
        out << api_port << '\n' << data_port << '\n';
    }
    std::rename(temporary.c_str(), path.c_str());
}

int run(const std::vector<std::string>& arguments) {
    auto options = parse_cli(arguments);
    if (options.help) {
        std::cout << usage();
        return 0;
    }
    // Block the stop signals before any thread starts (services may start their own), then
    // wait for them below.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);

    auto scenario =
        options.scenario_path.empty() ? Scenario{} : load_scenario(options.scenario_path);
    apply_cli(scenario, options);

    Clock clock;
    if (scenario.clock_start) {
        clock.set(*scenario.clock_start);
    }
    clock.set_speed(scenario.clock_speed);

    std::vector<std::unique_ptr<Service>> services;
#ifdef MUSUBI_SIM_HAS_RAKUTEN
    services.push_back(rakuten::make_rms_service(clock, scenario.rakuten));
#endif
    try {
        services.push_back(line::make_line_service(clock, scenario.line));
    } catch (const ScenarioError& error) {
        // The LINE settings know positions, not the file: name it here.
        std::string message = error.what();
        if (message.starts_with("scenario:")) {
            message = options.scenario_path + message.substr(8);
        }
        throw ScenarioError(message);
    }
    std::vector<Service*> raw;
    for (auto& service : services) {
        raw.push_back(service.get());
    }

    Dispatcher dispatcher(clock, raw);
    Server server(dispatcher, raw, scenario.server);
    server.start();
    const auto& host = scenario.server.api.host;
    std::cout << "musubi-sim listening on http://" << host << ':' << server.api_port()
              << " (data api http://" << scenario.server.data.host << ':' << server.data_port()
              << ")" << std::endl;
    if (options.port_file) {
        write_port_file(*options.port_file, server.api_port(), server.data_port());
    }
    int received = 0;
    sigwait(&signals, &received);
    std::cout << "musubi-sim stopping (signal " << received << ")" << std::endl;
    server.stop();
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    try {
        return run(std::vector<std::string>(argv + 1, argv + argc));
    } catch (const CliError& error) {
        std::cerr << "musubi-sim: " << error.what() << '\n' << usage();
        return 2;
    } catch (const ScenarioError& error) {
        std::cerr << "musubi-sim: " << error.what() << '\n';
        return 2;
    } catch (const Poco::Exception& error) {
        std::cerr << "musubi-sim: " << error.displayText() << '\n';
        return 1;
    } catch (const std::exception& error) {
        std::cerr << "musubi-sim: " << error.what() << '\n';
        return 1;
    }
}
