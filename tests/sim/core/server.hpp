#pragma once
// The simulator's HTTP front: Poco's HTTPServer with keep-alive and a thread pool on two
// listeners (the API port, and the data port standing in for api-data.line.me). Each request
// becomes a Request for the Dispatcher; Response::delay and drop_connection are honoured here.
// A background thread calls every Service's tick() about every 10 ms.

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "dispatcher.hpp"

namespace musubi::sim {

struct Endpoint {
    std::string host = "127.0.0.1";
    int port = 0; // 0: the system picks a free port
};

// "HOST:PORT", "PORT" or ":PORT"; nullopt when malformed.
std::optional<Endpoint> parse_endpoint(std::string_view text);

struct ServerOptions {
    Endpoint api;
    Endpoint data;
    int threads = 32;
};

class Server {
public:
    Server(Dispatcher& dispatcher, std::vector<Service*> services, ServerOptions options);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    // Binds both listeners and starts serving; throws Poco::Exception when a bind fails.
    void start();
    void stop();
    int api_port() const;
    int data_port() const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace musubi::sim
