#include "daemon/http/web_server.hpp"

#include <algorithm>
#include <cerrno>
#include <sstream>
#include <stdexcept>
#include <sys/socket.h>

#include <Poco/Exception.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/HTTPServerResponseImpl.h>
#include <Poco/Net/HTTPServerSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/TCPServerConnection.h>
#include <Poco/Net/TCPServerConnectionFactory.h>
#include <Poco/Net/TCPServerDispatcher.h>
#include <Poco/ThreadPool.h>
#include <nlohmann/json.hpp>

#include "daemon/http/connection_gate.hpp"
#include "daemon/log/log.hpp"

namespace musubi::http {

namespace {

using Poco::Net::HTTPResponse;
using Poco::Net::HTTPServerRequest;
using Poco::Net::HTTPServerResponse;

// Set by send(), so that the route wrapper knows whether a failing handler already answered.
thread_local bool t_answered = false;

Poco::Timespan timespan(std::chrono::milliseconds value) {
    return Poco::Timespan(static_cast<Poco::Timespan::TimeDiff>(value.count()) * 1000);
}

std::string_view path_of(const std::string& uri) {
    const std::string_view view(uri);
    return view.substr(0, view.find_first_of("?#"));
}

// Before a connection is closed with a request body left unread (413, 401 …): closing a
// socket that still holds received bytes sends a reset, which can destroy the answer before
// the client has read it. What has already arrived is taken (up to 1 MiB, without waiting)
// and the sending side is shut, so the close ends with FIN after the answer.
void discard_unread(Poco::Net::StreamSocket& socket) {
    try {
        socket.shutdownSend();
        const int fd = socket.impl()->sockfd();
        char buffer[16384];
        for (std::size_t taken = 0; taken < (1u << 20);) {
            const auto got = ::recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
            if (got <= 0) {
                break;
            }
            taken += static_cast<std::size_t>(got);
        }
    } catch (const Poco::Exception&) {
        // already closed by the client
    }
}

bool has_body(const HTTPServerRequest& request) {
    return request.getChunkedTransferEncoding() ||
           (request.hasContentLength() && request.getContentLength64() > 0);
}

class RouteHandler final : public Poco::Net::HTTPRequestHandler {
public:
    RouteHandler(const Handler& handler, std::string server_name)
        : m_handler(handler)
        , m_server_name(std::move(server_name)) {}

    void handleRequest(HTTPServerRequest& request, HTTPServerResponse& response) override {
        // Handlers that answer through response.send() write head and body separately.
        static_cast<Poco::Net::HTTPServerRequestImpl&>(request).socket().setNoDelay(true);
        t_answered = false;
        try {
            m_handler(request, response);
        } catch (const std::exception& error) {
            // One bad request never stops the server; the path is logged without its query,
            // which may carry a token.
            log::Logger("http").error("http.handler_failed",
                                      {{"server", m_server_name},
                                       {"method", request.getMethod()},
                                       {"path", std::string(path_of(request.getURI()))},
                                       {"error", error.what()}});
            if (!t_answered && !response.sent()) {
                send(request, response, HTTPResponse::HTTP_INTERNAL_SERVER_ERROR,
                     message_json("Internal server error"), "application/json", true);
            }
        }
    }

private:
    const Handler& m_handler;
    std::string m_server_name;
};

class RefusalHandler final : public Poco::Net::HTTPRequestHandler {
public:
    RefusalHandler(HTTPResponse::HTTPStatus status, std::string body, std::string allow)
        : m_status(status)
        , m_body(std::move(body))
        , m_allow(std::move(allow)) {}

    void handleRequest(HTTPServerRequest& request, HTTPServerResponse& response) override {
        if (!m_allow.empty()) {
            response.set("Allow", m_allow);
        }
        // The body is not read: the connection cannot carry another request after it.
        send(request, response, m_status, m_body, "application/json", has_body(request));
    }

private:
    HTTPResponse::HTTPStatus m_status;
    std::string m_body;
    std::string m_allow;
};

template <class Routes>
class RouteFactory final : public Poco::Net::HTTPRequestHandlerFactory {
public:
    RouteFactory(std::shared_ptr<const Routes> routes, std::string server_name)
        : m_routes(std::move(routes))
        , m_server_name(std::move(server_name)) {}

    Poco::Net::HTTPRequestHandler* createRequestHandler(const HTTPServerRequest& request) override {
        const auto path = m_routes->find(std::string(path_of(request.getURI())));
        if (path == m_routes->end()) {
            return new RefusalHandler(HTTPResponse::HTTP_NOT_FOUND, message_json("Not found"), "");
        }
        const auto route = path->second.find(request.getMethod());
        if (route == path->second.end()) {
            std::string allow;
            for (const auto& [method, handler] : path->second) {
                allow += (allow.empty() ? "" : ", ") + method;
            }
            return new RefusalHandler(HTTPResponse::HTTP_METHOD_NOT_ALLOWED,
                                      message_json("Method not allowed"), allow);
        }
        return new RouteHandler(route->second, m_server_name);
    }

private:
    std::shared_ptr<const Routes> m_routes;
    std::string m_server_name;
};

// HTTPServerSession with the count of bytes it has read ahead: a client that sent a second
// request before the first was answered (pipelining) is not given back to the gate, whose
// poll() cannot see bytes already taken from the socket.
class Session final : public Poco::Net::HTTPServerSession {
public:
    using HTTPServerSession::HTTPServerSession;
    bool read_ahead() const { return buffered() > 0; }
};

// One request on a worker thread: the gate has seen its head arrive, so reading it does not
// wait on a slow client. After the answer a keep-alive connection goes back to the gate to
// wait for its next request there, not on this thread.
class RequestConnection final : public Poco::Net::TCPServerConnection {
public:
    RequestConnection(const Poco::Net::StreamSocket& socket,
                      Poco::Net::HTTPServerParams::Ptr params,
                      Poco::Net::HTTPRequestHandlerFactory& factory, ConnectionGate& gate,
                      const std::atomic<bool>& stopping)
        : TCPServerConnection(socket)
        , m_params(std::move(params))
        , m_factory(factory)
        , m_gate(gate)
        , m_stopping(stopping) {}

    void run() override {
        Poco::Net::StreamSocket connection = socket();
        while (serve_one(connection)) {
            if (!m_gate.next_request_arrived(connection, k_linger)) {
                m_gate.give_back(connection);
                return;
            }
        }
    }

private:
    // How long a worker waits for a keep-alive client's next request before handing the
    // connection back to the gate: long enough for a client that sends requests back to back
    // (LINE delivering a burst of webhooks), short enough that waiting workers cost nothing.
    static constexpr std::chrono::milliseconds k_linger{1};

    // Answers one request; true when the connection stays open for another. `connection` is
    // taken back from the session, whose end would otherwise close it.
    bool serve_one(Poco::Net::StreamSocket& connection) {
        Session session(connection, m_params);
        bool keep_alive = false;
        try {
            Poco::Net::HTTPServerResponseImpl response(session);
            Poco::Net::HTTPServerRequestImpl request(response, session, m_params);
            response.setDate(Poco::Timestamp());
            response.setVersion(request.getVersion());
            response.setKeepAlive(request.getKeepAlive() && !m_stopping);
            response.set("Server", "musubi");
            const std::unique_ptr<Poco::Net::HTTPRequestHandler> handler(
                m_factory.createRequestHandler(request));
            if (request.getExpectContinue() && response.getStatus() == HTTPResponse::HTTP_OK) {
                response.sendContinue();
            }
            handler->handleRequest(request, response);
            keep_alive = response.getKeepAlive() && !session.read_ahead() && !m_stopping;
        } catch (const Poco::Net::NoMessageException&) {
            // The client closed the connection before sending anything.
        } catch (const Poco::Net::MessageException&) {
            // Not HTTP (a bad request line or header): answered 400, the connection closed.
            try {
                Poco::Net::HTTPServerResponseImpl response(session);
                response.setVersion(Poco::Net::HTTPMessage::HTTP_1_1);
                response.setStatusAndReason(HTTPResponse::HTTP_BAD_REQUEST);
                response.setKeepAlive(false);
                response.send();
            } catch (const Poco::Exception&) {
            }
        } catch (const Poco::Exception&) {
            // A network error or timeout: nothing more can be said on this connection.
        }
        if (keep_alive) {
            connection = session.detachSocket();
        }
        return keep_alive;
    }

    Poco::Net::HTTPServerParams::Ptr m_params;
    Poco::Net::HTTPRequestHandlerFactory& m_factory;
    ConnectionGate& m_gate;
    const std::atomic<bool>& m_stopping;
};

class RequestConnectionFactory final : public Poco::Net::TCPServerConnectionFactory {
public:
    RequestConnectionFactory(Poco::Net::HTTPServerParams::Ptr params,
                             Poco::Net::HTTPRequestHandlerFactory::Ptr factory,
                             ConnectionGate& gate, const std::atomic<bool>& stopping)
        : m_params(std::move(params))
        , m_factory(std::move(factory))
        , m_gate(gate)
        , m_stopping(stopping) {}

    Poco::Net::TCPServerConnection*
    createConnection(const Poco::Net::StreamSocket& socket) override {
        return new RequestConnection(socket, m_params, *m_factory, m_gate, m_stopping);
    }

private:
    Poco::Net::HTTPServerParams::Ptr m_params;
    Poco::Net::HTTPRequestHandlerFactory::Ptr m_factory;
    ConnectionGate& m_gate;
    const std::atomic<bool>& m_stopping;
};

std::string bind_failure(const Poco::Exception& error) {
    switch (error.code()) {
    case EADDRINUSE:
        return "address already in use (another program, or another musubi, listens there)";
    case EADDRNOTAVAIL:
        return "no such address on this machine";
    case EACCES:
        return "permission denied (ports below 1024 need privileges)";
    default:
        return error.displayText();
    }
}

} // namespace

WebServer::WebServer(config::ListenAddress address, std::string name, ServerLimits limits)
    : m_address(std::move(address))
    , m_name(std::move(name))
    , m_limits(limits)
    , m_routes(std::make_shared<Routes>()) {}

WebServer::~WebServer() {
    stop();
}

void WebServer::add(std::string method, std::string path, Handler handler) {
    if (running()) {
        throw std::logic_error("WebServer::add(" + method + " " + path + ") after start()");
    }
    auto [entry, added] = (*m_routes)[path].emplace(method, std::move(handler));
    if (!added) {
        throw std::logic_error("WebServer::add: " + method + " " + path + " is taken");
    }
}

tl::expected<void, std::string> WebServer::start() {
    if (running()) {
        return {};
    }
    Poco::Net::ServerSocket socket;
    try {
        const Poco::Net::SocketAddress address(m_address.host,
                                               static_cast<Poco::UInt16>(m_address.port));
        // SO_REUSEADDR (a restart finds the port free at once) but not SO_REUSEPORT, with
        // which a second daemon would share the port silently instead of failing.
        socket.bind(address, true, false);
        socket.listen(256);
    } catch (const Poco::Exception& error) {
        return tl::unexpected("cannot listen on " + m_address.to_string() + " for " + m_name +
                              ": " + bind_failure(error));
    }
    m_port = socket.address().port();

    Poco::Net::HTTPServerParams::Ptr params(new Poco::Net::HTTPServerParams);
    params->setKeepAlive(true);
    params->setTimeout(timespan(m_limits.io_timeout));
    params->setMaxThreads(m_limits.max_threads);
    params->setMaxQueued(m_limits.max_queued);
    params->setServerName(m_name);

    m_stopping = false;
    m_pool = std::make_unique<Poco::ThreadPool>(2, m_limits.max_threads, 60);
    GateLimits gate_limits;
    gate_limits.request_deadline = m_limits.request_deadline;
    gate_limits.idle_timeout = m_limits.keep_alive_timeout;
    gate_limits.max_waiting = m_limits.max_waiting;
    m_gate = std::make_unique<ConnectionGate>(
        socket, gate_limits, [this](const Poco::Net::StreamSocket& ready) {
            // Only the gate enqueues, so a place seen free here is still free when enqueued.
            if (m_dispatcher->queuedConnections() >= m_limits.max_queued) {
                return false;
            }
            m_dispatcher->enqueue(ready);
            return true;
        });
    m_dispatcher = new Poco::Net::TCPServerDispatcher(
        new RequestConnectionFactory(params, new RouteFactory<Routes>(m_routes, m_name), *m_gate,
                                     m_stopping),
        *m_pool, params);
    m_gate->start();
    return {};
}

void WebServer::stop() {
    if (!m_gate) {
        return;
    }
    // No new connections, no waiting ones; requests in progress are answered first, and
    // their connections closed instead of kept alive.
    m_stopping = true;
    m_gate->stop();
    m_dispatcher->stop();
    m_pool->joinAll();
    m_dispatcher->release();
    m_dispatcher = nullptr;
    m_gate.reset();
    m_pool.reset();
}

std::int64_t WebServer::cut_off() const {
    return m_gate ? m_gate->cut_off() : 0;
}

config::ListenAddress WebServer::address() const {
    return {m_address.host, m_port == 0 ? m_address.port : m_port};
}

int WebServer::port() const {
    return m_port;
}

tl::expected<std::string, BodyError> read_body(HTTPServerRequest& request, std::size_t max_bytes,
                                               std::chrono::milliseconds deadline) {
    if (!has_body(request)) {
        return std::string();
    }
    const bool has_length = request.hasContentLength();
    if (has_length && static_cast<std::uint64_t>(request.getContentLength64()) > max_bytes) {
        return tl::unexpected(BodyError::too_large);
    }
    // Each wait for bytes is bounded by what is left of the deadline, and the deadline is
    // checked after every read, however few bytes it brought: a body trickling in a byte at a
    // time is stopped on time.
    auto& socket = static_cast<Poco::Net::HTTPServerRequestImpl&>(request).socket();
    const Poco::Timespan io_timeout = socket.getReceiveTimeout();
    struct RestoreTimeout {
        Poco::Net::StreamSocket& socket;
        Poco::Timespan timeout;
        ~RestoreTimeout() {
            try {
                socket.setReceiveTimeout(timeout);
            } catch (const Poco::Exception&) {
            }
        }
    } restore{socket, io_timeout};
    const auto give_up = std::chrono::steady_clock::now() + deadline;
    std::string body;
    if (has_length) {
        body.reserve(static_cast<std::size_t>(request.getContentLength64()));
    }
    std::istream& in = request.stream();
    in.exceptions(std::ios::badbit);
    char buffer[16384];
    try {
        for (;;) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                give_up - std::chrono::steady_clock::now());
            if (left.count() <= 0) {
                return tl::unexpected(BodyError::timed_out);
            }
            socket.setReceiveTimeout(std::min(io_timeout, timespan(left)));
            const int first = in.get(); // waits for the next bytes to arrive
            if (first == std::char_traits<char>::eof()) {
                break;
            }
            body.push_back(static_cast<char>(first));
            // Never more than one byte past the limit: enough to know it was passed.
            const auto wanted =
                std::min(sizeof buffer, max_bytes + 1 - std::min(body.size(), max_bytes + 1));
            body.append(buffer, static_cast<std::size_t>(
                                    in.readsome(buffer, static_cast<std::streamsize>(wanted))));
            if (body.size() > max_bytes) {
                return tl::unexpected(BodyError::too_large);
            }
        }
    } catch (const Poco::TimeoutException&) {
        return tl::unexpected(BodyError::timed_out);
    } catch (const Poco::Exception&) {
        return tl::unexpected(BodyError::broken); // e.g. a chunk size that is no number
    } catch (const std::ios::failure&) {
        return tl::unexpected(BodyError::broken);
    }
    if (has_length && body.size() != static_cast<std::size_t>(request.getContentLength64())) {
        return tl::unexpected(BodyError::broken); // the client closed before the end
    }
    return body;
}

void send(HTTPServerRequest& request, HTTPServerResponse& response, HTTPResponse::HTTPStatus status,
          std::string_view body, std::string_view content_type, bool close) {
    t_answered = true;
    response.setStatusAndReason(status);
    response.setContentType(std::string(content_type));
    response.setContentLength64(static_cast<Poco::Int64>(body.size()));
    if (close) {
        response.setKeepAlive(false);
    }
    std::ostringstream head;
    response.write(head);
    std::string wire = head.str();
    if (request.getMethod() != Poco::Net::HTTPRequest::HTTP_HEAD) {
        wire += body;
    }
    auto& socket = static_cast<Poco::Net::HTTPServerRequestImpl&>(request).socket();
    const char* data = wire.data();
    auto left = wire.size();
    while (left > 0) {
        const int sent = socket.sendBytes(data, static_cast<int>(left));
        if (sent <= 0) {
            return;
        }
        data += sent;
        left -= static_cast<std::size_t>(sent);
    }
    if (close) {
        discard_unread(socket);
    }
}

std::string message_json(std::string_view text) {
    return nlohmann::json{{"message", text}}.dump();
}

} // namespace musubi::http
