// The admin address's status page over an existing musubi store, for the browser test while
// the daemon's own admin server does not serve it yet (services.cpp wiring): the same
// AdminServer and the same read_status() musubid uses, on 127.0.0.1 (a port the system
// chooses), reading the store file musubid writes. Prints
//   URL http://127.0.0.1:<port>/
// and serves until SIGTERM or SIGINT.
//
//   status_page_server <store file> <admin token> <shop name> [license days left]

#include <csignal>
#include <cstdio>
#include <iostream>

#include "daemon/admin/admin_server.hpp"
#include "daemon/store/sqlite/sqlite_store.hpp"

namespace {

int fail(const std::string& message) {
    std::cerr << "status_page_server: " << message << "\n";
    return 1;
}

} // namespace

int main(int argc, char** argv) {
    using namespace musubi;
    if (argc != 4 && argc != 5) {
        return fail("usage: status_page_server <store file> <admin token> <shop name> "
                    "[license days left]");
    }
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGTERM);
    sigaddset(&stop_signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr); // before the server's threads start

    const auto clock = std::make_shared<clock::SystemClock>();
    auto opened = store::sqlite::SqliteStore::open(argv[1], std::chrono::milliseconds(5000), clock);
    if (!opened) {
        return fail(opened.error().to_string());
    }
    auto& store = **opened;
    const std::string shop = argv[3];
    std::optional<int> license_days;
    if (argc == 5) {
        license_days = std::stoi(argv[4]);
    }
    admin::AdminServer server(
        config::AdminConfig{{"127.0.0.1", 0}, config::Secret(argv[2], "argument")},
        [] { return admin::MetricsSnapshot{}; },
        [&] {
            return admin::read_status(store.status_report(), clock->now_ms(), shop, license_days,
                                      {});
        });
    if (auto started = server.start(); !started) {
        return fail(started.error());
    }
    std::cout << "URL http://127.0.0.1:" << server.port() << "/" << std::endl;
    int signal = 0;
    sigwait(&stop_signals, &signal);
    server.stop();
    return 0;
}
