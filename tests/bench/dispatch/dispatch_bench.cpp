// Benchmark (not a test): musubi's dispatcher against musubi-sim with LINE's default push
// limit (2,000/s) on, then the official Node SDK (tests/node/push_bench.mjs) pushing the
// same number of messages to the same simulator. Prints:
//  - the dispatcher's sustained push rate and how many 429s LINE answered;
//  - CPU time per delivered message of each (getrusage of this process over the sending
//    phase — which includes musubi's durable outbox: claiming rows and recording every
//    attempt in SQLite — against process.cpuUsage() of the Node process over its pushing).
//   dispatch_bench [--count N] [--friends F] [--workers W] [--node-script PATH] [--no-node]
// Needs MUSUBI_SIM (the simulator binary); see push_bench.sh.

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <sys/resource.h>

#include "daemon/app/memory_bounds.hpp"
#include "integration/dispatcher_support.hpp"

using nlohmann::json;
using namespace musubi;
using namespace musubi::test;

namespace {

struct Options {
    int count = 20000;
    int friends = 100;
    std::size_t workers = 8;
    std::string node_script;
    bool node = true;
};

Options parse(int argc, char** argv) {
    Options options;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        const auto value = [&]() -> std::string {
            if (i + 1 >= argc) {
                throw std::runtime_error(arg + " needs a value");
            }
            return argv[++i];
        };
        if (arg == "--count") {
            options.count = std::stoi(value());
        } else if (arg == "--friends") {
            options.friends = std::stoi(value());
        } else if (arg == "--workers") {
            options.workers = static_cast<std::size_t>(std::stoi(value()));
        } else if (arg == "--node-script") {
            options.node_script = value();
        } else if (arg == "--no-node") {
            options.node = false;
        } else {
            throw std::runtime_error("unknown option " + arg +
                                     "; valid: --count, --friends, --workers, --node-script, "
                                     "--no-node");
        }
    }
    return options;
}

double cpu_seconds() {
    rusage usage{};
    ::getrusage(RUSAGE_SELF, &usage);
    const auto seconds = [](const timeval& t) {
        return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
    };
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

std::string text_for(int i, int friends) {
    return "お知らせ " + std::to_string(i % friends + 1) + "-" + std::to_string(i / friends + 1);
}

long refused_429(const json& ledger) {
    long count = 0;
    for (const auto& refused : ledger["refused"]) {
        if (refused.value("status", 0) == 429) {
            count += refused.value("count", 0L);
        }
    }
    return count;
}

std::string run_node(const Options& options, const SimProcess& sim) {
    const std::string command = "node '" + options.node_script + "' --api " + sim.api_url() +
                                " --count " + std::to_string(options.count) + " --friends " +
                                std::to_string(options.friends) + " --concurrency " +
                                std::to_string(options.workers) + " --rate 2000";
    FILE* pipe = ::popen(command.c_str(), "r");
    if (pipe == nullptr) {
        throw std::runtime_error("cannot run " + command);
    }
    std::string output;
    std::array<char, 4096> buffer{};
    while (std::fgets(buffer.data(), static_cast<int>(buffer.size()), pipe) != nullptr) {
        output += buffer.data();
    }
    if (::pclose(pipe) != 0) {
        throw std::runtime_error("node failed: " + output);
    }
    return output;
}

// A line for scripts/bench-report: FIGURE, name, value, unit, compared with, ratio (-1: none).
void figure(const std::string& name, double value, const std::string& unit, const std::string& peer,
            double ratio) {
    std::printf("FIGURE\t%s\t%.1f\t%s\t%s\t", name.c_str(), value, unit.c_str(), peer.c_str());
    if (ratio >= 0) {
        std::printf("%.2f", ratio);
    }
    std::printf("\n");
    std::fflush(stdout);
}

// The version of @line/bot-sdk next to the Node script, as npm installed it.
std::string sdk_version(const Options& options) {
    const auto manifest = std::filesystem::path(options.node_script).parent_path() /
                          "node_modules" / "@line" / "bot-sdk" / "package.json";
    std::ifstream in(manifest);
    const auto parsed = json::parse(in, nullptr, false);
    return parsed.is_object() ? parsed.value("version", "?") : "?";
}

} // namespace

int main(int argc, char** argv) try {
    musubi::app::bound_memory(); // as musubid runs
    const auto options = parse(argc, argv);
    SimProcess sim(sim_scenario(options.friends));
    TestStore store(options.friends);
    std::vector<store::sqlite::NewMessage> rows;
    for (int i = 0; i < options.count; ++i) {
        const auto text = text_for(i, options.friends);
        rows.push_back(
            store.message(i % options.friends + 1, "bench/" + text, text_messages(text)));
    }
    store.insert(rows);
    std::cout << "dispatch_bench: " << options.count << " messages to " << options.friends
              << " friends, " << options.workers << " workers, simulator push limit 2000/s, "
              << std::thread::hardware_concurrency() << " cores\n";

    auto dispatch_options = test_options(sim);
    dispatch_options.workers = options.workers;
    dispatch_options.push_per_second = 2000;
    const double cpu_before = cpu_seconds();
    const auto started = std::chrono::steady_clock::now();
    dispatch::Dispatcher dispatcher(store.outbox(), store.clock());
    dispatcher.start(dispatch_options);
    if (!store.wait_until_settled(std::chrono::seconds(600))) {
        throw std::runtime_error("the dispatcher did not finish");
    }
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    dispatcher.stop();
    const double cpu = cpu_seconds() - cpu_before;
    const auto stats = dispatcher.stats();
    const auto ledger = sim.control_get("/_sim/line/ledger");
    const long delivered = ledger["counters"]["deliveries"].get<long>();
    std::cout << "dispatch_bench: musubi: " << delivered << " delivered in " << wall
              << " s = " << static_cast<long>(static_cast<double>(delivered) / wall)
              << " messages/s (goal >= 1900/s); 429 received: " << stats.rate_limited
              << " (ledger: " << refused_429(ledger) << " refused 429, refused_total "
              << ledger["counters"]["refused_total"] << ", duplicate_deliveries "
              << ledger["counters"]["duplicate_deliveries"] << ")\n";
    const double musubi_us = cpu * 1e6 / static_cast<double>(delivered);
    std::cout << "dispatch_bench: musubi CPU: " << cpu << " s = " << musubi_us
              << " us/message (HTTP, JSON, rate limit, and SQLite claim + record of every "
                 "attempt)\n";
    const double rate = static_cast<double>(delivered) / wall;
    figure("push rate: dispatcher to the simulator limited at LINE's 2,000/s", rate, "messages/s",
           "LINE's limit 2,000/s", rate / 2000.0);
    figure("429 answers received during that push run", static_cast<double>(stats.rate_limited), "",
           "goal 0; ratio: per message delivered",
           static_cast<double>(stats.rate_limited) / static_cast<double>(delivered));
    if (!options.node || options.node_script.empty()) {
        figure("CPU per delivered message (musubi, durable outbox included)", musubi_us, "µs",
               "@line/bot-sdk not run", -1);
        return 0;
    }
    sim.control_post("/_sim/line/reset");
    const auto node = json::parse(run_node(options, sim));
    const auto node_ledger = sim.control_get("/_sim/line/ledger");
    const double node_cpu =
        (node["cpu_user_us"].get<double>() + node["cpu_system_us"].get<double>()) / 1e6;
    const long node_delivered = node_ledger["counters"]["deliveries"].get<long>();
    const double node_us = node_cpu * 1e6 / static_cast<double>(std::max(node_delivered, 1L));
    std::cout << "dispatch_bench: @line/bot-sdk: " << node_delivered << " delivered in "
              << node["wall_ms"].get<double>() / 1000.0 << " s; failed " << node["failed"] << " "
              << node["statuses"].dump() << "; CPU " << node_cpu << " s = " << node_us
              << " us/message (no outbox)\n";
    std::cout << "dispatch_bench: CPU per message musubi/sdk = " << musubi_us / node_us
              << " (goal <= 0.33)\n";
    std::ostringstream peer;
    peer << "@line/bot-sdk " << sdk_version(options) << ": " << std::fixed << std::setprecision(1)
         << node_us << " µs, same run (goal ≤ 1/3)";
    figure("CPU per delivered message (musubi, durable outbox included)", musubi_us, "µs",
           peer.str(), musubi_us / node_us);
    return 0;
} catch (const std::exception& error) {
    std::cerr << "dispatch_bench: " << error.what() << "\n";
    return 1;
}
