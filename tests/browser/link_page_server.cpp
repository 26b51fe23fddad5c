// The link page as musubid serves it, for the browser test: the WebServer with the /link
// routes on 127.0.0.1 (a port the system chooses) over a fresh store in the given folder,
// seeded with one friend and one RMS order of a buyer whose phone ends in 5678. Prints
//   URL http://127.0.0.1:<port>/link?t=<token for the friend>
// and serves until SIGTERM or SIGINT.

#include <csignal>
#include <cstdio>
#include <iostream>

#include "daemon/http/web_server.hpp"
#include "daemon/linking/link_page.hpp"
#include "daemon/rakuten/buyer_key.hpp"
#include "daemon/store/sqlite/sqlite_store.hpp"

namespace {

constexpr const char* k_hashing_key = "browser-test-hashing-key-0123456789abc";

int fail(const std::string& message) {
    std::cerr << "link_page_server: " << message << "\n";
    return 1;
}

} // namespace

int main(int argc, char** argv) {
    using namespace musubi;
    if (argc != 2) {
        return fail("usage: link_page_server <folder for the store>");
    }
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGTERM);
    sigaddset(&stop_signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr); // before the server's threads start

    const auto clock = std::make_shared<clock::SystemClock>();
    const std::filesystem::path file = std::filesystem::path(argv[1]) / "musubi.db";
    auto opened = store::sqlite::SqliteStore::open(file, std::chrono::milliseconds(5000), clock);
    if (!opened) {
        return fail(opened.error().to_string());
    }
    auto& store = **opened;

    rakuten::Orderer orderer;
    orderer.first_name = "花子";
    orderer.phone_number1 = "090";
    orderer.phone_number2 = "1234";
    orderer.phone_number3 = "5678";
    orderer.email_address = "hanako@example.jp";
    store::OrderSnapshot order;
    order.order_number = "123456-20261122-0000000001";
    order.progress = 300;
    order.ordered_at_ms = clock->now_ms();
    order.buyer = rakuten_poller::buyer_identity(orderer, k_hashing_key);
    if (auto applied = store.apply_order(order, store::Triggers::yes); !applied) {
        return fail(applied.error().to_string());
    }
    {
        auto db = store::sqlite::Database::open(file);
        if (!db) {
            return fail(db.error().to_string());
        }
        if (auto done = db->exec("INSERT INTO friends (id, line_user_id, display_name, created_at, "
                                 "updated_at) VALUES (1, 'U0000000000000000000000000000000a', "
                                 "'はなこ', 1, 1)");
            !done) {
            return fail(done.error().to_string());
        }
    }

    linking::Settings settings;
    settings.hashing_key = k_hashing_key;
    settings.shop_name = "結びストア";
    linking::LinkPage page(store.links(), settings, clock);
    http::WebServer server({"127.0.0.1", 0}, "link-page");
    server.add("GET", "/link",
               [&page](auto& request, auto& response) { page.get(request, response); });
    server.add("POST", "/link",
               [&page](auto& request, auto& response) { page.post(request, response); });
    if (auto started = server.start(); !started) {
        return fail(started.error());
    }
    const auto token =
        linking::PageTokens(k_hashing_key, settings.page_token_ttl_ms).make(1, clock->now_ms());
    std::cout << "URL http://127.0.0.1:" << server.port() << "/link?t=" << token << std::endl;

    int signal = 0;
    sigwait(&stop_signals, &signal);
    server.stop();
    return 0;
}
