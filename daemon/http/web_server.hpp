#pragma once
// A small HTTP server for the daemon's endpoints (the LINE webhook, the link page, the
// account-link endpoint): Poco's HTTPServer on one listen address with a route table.
//
// Routes are added before start() and never change after, so requests look them up without
// locking. A path matches exactly (the query string is ignored); an unknown path answers 404
// {"message":"Not found"}, a known path with another method 405 with an Allow header.
//
// Slow clients: one gate thread (connection_gate.hpp) accepts connections and waits, holding
// no worker thread, until a request's head (and a body of up to 64 KiB sent with it) has
// arrived; a request that has not arrived within `request_deadline` of its first byte (or of
// the connection) is cut off, as is the longest-waiting connection once `max_waiting` wait.
// Only then does one of `max_threads` worker threads read and answer it (further ready
// requests wait in a queue of `max_queued`); a keep-alive connection then goes back to the
// gate, idle for at most `keep_alive_timeout`. Every socket read and write on a worker gives up
// after `io_timeout`, and read_body() stops a larger body that takes longer than its deadline,
// so neither a trickling head nor a trickling body can hold the server's threads.
//
// stop() stops accepting, closes idle keep-alive connections, and returns once every request
// in progress has been answered: what handlers use (the store) may be closed after it.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
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
class HTTPServerRequest;
class TCPServerDispatcher;
class HTTPServerResponse;
} // namespace Net
} // namespace Poco

namespace musubi::http {

class ConnectionGate;

using Handler = std::function<void(Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse&)>;

struct ServerLimits {
    int max_threads = 16;
    int max_queued = 64;
    std::chrono::milliseconds io_timeout{10'000};
    std::chrono::milliseconds keep_alive_timeout{15'000};
    std::chrono::milliseconds body_deadline{10'000};
    std::chrono::milliseconds request_deadline{10'000};
    std::size_t max_waiting = 256;
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

    bool running() const { return m_gate != nullptr; }
    // The bound address; its port is the one the system chose when configured with port 0.
    config::ListenAddress address() const;
    int port() const;
    const ServerLimits& limits() const { return m_limits; }
    // Connections cut off because their request did not arrive in time (or too many waited).
    std::int64_t cut_off() const;

private:
    using Routes = std::map<std::string, std::map<std::string, Handler>>; // path → method →
    config::ListenAddress m_address;
    std::string m_name;
    ServerLimits m_limits;
    std::shared_ptr<Routes> m_routes;
    std::unique_ptr<Poco::ThreadPool> m_pool;
    std::unique_ptr<ConnectionGate> m_gate;
    Poco::Net::TCPServerDispatcher* m_dispatcher = nullptr; // reference counted by Poco
    std::atomic<bool> m_stopping{false};
    int m_port = 0;
};

// What read_body() found.
enum class BodyError {
    too_large, // more than the limit (by Content-Length, or by the bytes sent)
    timed_out, // the client sent too slowly (the deadline passed)
    broken,    // not a valid body: a bad chunked encoding, or the connection ended early
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
