#pragma once
// A small HTTP server for the daemon's endpoints (the LINE webhook, the link page, the
// account-link endpoint): Poco's HTTPServer on one listen address with a route table.
//
// Routes are added before start() and never change after, so requests look them up without
// locking. A path matches exactly (the query string is ignored); an unknown path answers 404
// {"message":"Not found"}, a known path with another method 405 with an Allow header.
//
// Threads: each keep-alive connection holds one of `max_threads` threads while it is open;
// further connections wait in a queue of `max_queued` (beyond that they are closed). Every
// socket read and write gives up after `io_timeout`, an idle keep-alive connection is closed
// after `keep_alive_timeout`, and read_body() stops a body that takes longer than
// `body_deadline`, so a slow client cannot hold a thread for long.
//
// stop() stops accepting, closes idle keep-alive connections, and returns once every request
// in progress has been answered: what handlers use (the store) may be closed after it.

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include <Poco/Net/HTTPResponse.h>
#include <tl/expected.hpp>

#include "daemon/config/value_types.hpp"

namespace Poco {
class ThreadPool;
namespace Net {
class HTTPServer;
class HTTPServerRequest;
class HTTPServerResponse;
} // namespace Net
} // namespace Poco

namespace musubi::http {

using Handler = std::function<void(Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse&)>;

struct ServerLimits {
    int max_threads = 16;
    int max_queued = 64;
    std::chrono::milliseconds io_timeout{10'000};
    std::chrono::milliseconds keep_alive_timeout{15'000};
    std::chrono::milliseconds body_deadline{30'000};
};

class WebServer {
public:
    // `name` names the server in error texts, e.g. "webhook".
    WebServer(config::ListenAddress address, std::string name, ServerLimits limits = {});
    ~WebServer();
    WebServer(const WebServer&) = delete;
    WebServer& operator=(const WebServer&) = delete;

    // Adds a route; throws std::logic_error once started or when method and path are taken.
    void add(std::string method, std::string path, Handler handler);

    // Binds the address and starts serving. The error says which address could not be bound
    // and why (e.g. "cannot listen on 127.0.0.1:8080: address already in use").
    tl::expected<void, std::string> start();
    void stop();

    bool running() const { return m_server != nullptr; }
    // The bound address; its port is the one the system chose when configured with port 0.
    config::ListenAddress address() const;
    int port() const;
    const ServerLimits& limits() const { return m_limits; }

private:
    using Routes = std::map<std::string, std::map<std::string, Handler>>; // path → method →
    config::ListenAddress m_address;
    std::string m_name;
    ServerLimits m_limits;
    std::shared_ptr<Routes> m_routes;
    std::unique_ptr<Poco::ThreadPool> m_pool;
    std::unique_ptr<Poco::Net::HTTPServer> m_server;
    int m_port = 0;
};

// What read_body() found.
enum class BodyError {
    too_large, // more than the limit (by Content-Length, or by the bytes sent)
    timed_out, // the client sent too slowly (body_deadline) or a read failed
};

// Reads the request body, at most `max_bytes` of it (never buffering more than max_bytes + 1).
// A request with neither Content-Length nor chunked encoding has an empty body.
tl::expected<std::string, BodyError> read_body(Poco::Net::HTTPServerRequest& request,
                                               std::size_t max_bytes,
                                               std::chrono::milliseconds deadline);

// Sends status, headers and body in one write (a separate small write for the body would meet
// Nagle's algorithm and the client's delayed ACK). `close` ends the keep-alive connection:
// needed when the request body was not read to its end.
void send(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response,
          Poco::Net::HTTPResponse::HTTPStatus status, std::string_view body,
          std::string_view content_type = "application/json", bool close = false);

// {"message": text} as JSON.
std::string message_json(std::string_view text);

} // namespace musubi::http
