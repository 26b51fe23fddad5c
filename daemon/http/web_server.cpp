#include "daemon/http/web_server.hpp"

#include <algorithm>
#include <cerrno>
#include <sstream>
#include <stdexcept>

#include <Poco/Exception.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/ThreadPool.h>
#include <nlohmann/json.hpp>

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

    auto* params = new Poco::Net::HTTPServerParams;
    params->setKeepAlive(true);
    params->setMaxKeepAliveRequests(0); // unlimited
    params->setKeepAliveTimeout(timespan(m_limits.keep_alive_timeout));
    params->setTimeout(timespan(m_limits.io_timeout));
    params->setMaxThreads(m_limits.max_threads);
    params->setMaxQueued(m_limits.max_queued);
    params->setServerName(m_name);
    params->setSoftwareVersion("musubi");

    m_pool = std::make_unique<Poco::ThreadPool>(2, m_limits.max_threads, 60);
    m_server = std::make_unique<Poco::Net::HTTPServer>(new RouteFactory<Routes>(m_routes, m_name),
                                                       *m_pool, socket, params);
    m_server->start();
    return {};
}

void WebServer::stop() {
    if (!m_server) {
        return;
    }
    // Closes idle keep-alive connections; requests in progress are answered first.
    m_server->stopAll(false);
    m_pool->joinAll();
    m_server.reset();
    m_pool.reset();
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
    if (request.hasContentLength() &&
        static_cast<std::uint64_t>(request.getContentLength64()) > max_bytes) {
        return tl::unexpected(BodyError::too_large);
    }
    const auto give_up = std::chrono::steady_clock::now() + deadline;
    std::string body;
    if (request.hasContentLength()) {
        body.reserve(static_cast<std::size_t>(request.getContentLength64()));
    }
    std::istream& in = request.stream();
    char buffer[16384];
    while (in) {
        // Never more than one byte past the limit: enough to know it was passed.
        const std::size_t wanted = std::min(sizeof buffer, max_bytes + 1 - body.size());
        in.read(buffer, static_cast<std::streamsize>(wanted));
        body.append(buffer, static_cast<std::size_t>(in.gcount()));
        if (body.size() > max_bytes) {
            return tl::unexpected(BodyError::too_large);
        }
        if (std::chrono::steady_clock::now() > give_up) {
            return tl::unexpected(BodyError::timed_out);
        }
    }
    if (in.bad()) {
        return tl::unexpected(BodyError::timed_out);
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
}

std::string message_json(std::string_view text) {
    return nlohmann::json{{"message", text}}.dump();
}

} // namespace musubi::http
