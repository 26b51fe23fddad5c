#include "server.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <condition_variable>
#include <mutex>
#include <sstream>
#include <string_view>

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/StreamCopier.h>
#include <Poco/ThreadPool.h>
#include <Poco/URI.h>

namespace musubi::sim {

std::optional<Endpoint> parse_endpoint(std::string_view text) {
    Endpoint endpoint;
    auto colon = text.rfind(':');
    std::string_view port_text = text;
    if (colon != std::string_view::npos) {
        if (colon > 0) {
            endpoint.host = std::string(text.substr(0, colon));
        }
        port_text = text.substr(colon + 1);
    }
    auto [end, error] =
        std::from_chars(port_text.data(), port_text.data() + port_text.size(), endpoint.port);
    if (error != std::errc() || end != port_text.data() + port_text.size() || port_text.empty() ||
        endpoint.port < 0 || endpoint.port > 65535) {
        return std::nullopt;
    }
    return endpoint;
}

namespace {

Request to_request(Poco::Net::HTTPServerRequest& http, const std::string& listener) {
    Request request;
    request.method = http.getMethod();
    request.host = http.getHost();
    request.listener = listener;
    Poco::URI uri(http.getURI());
    request.path = uri.getPath();
    for (const auto& [key, value] : uri.getQueryParameters()) {
        request.query[key] = value;
    }
    for (const auto& [name, value] : http) {
        std::string lower = name;
        std::transform(lower.begin(), lower.end(), lower.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        request.headers[lower] = value;
    }
    Poco::StreamCopier::copyToString(http.stream(), request.body);
    return request;
}

class Handler : public Poco::Net::HTTPRequestHandler {
public:
    Handler(Dispatcher& dispatcher, const std::string& listener)
        : m_dispatcher(dispatcher)
        , m_listener(listener) {}

    void handleRequest(Poco::Net::HTTPServerRequest& http,
                       Poco::Net::HTTPServerResponse& out) override {
        Response response;
        try {
            response = m_dispatcher.dispatch(to_request(http, m_listener));
        } catch (const std::exception& error) {
            // One bad request never stops the simulator; it answers like a broken server.
            response = error_response(500, std::string("simulator error: ") + error.what());
        }
        if (response.delay.count() > 0) {
            std::this_thread::sleep_for(response.delay);
        }
        if (response.drop_connection) {
            // A timeout fault: the client sees its connection closed with no answer.
            auto& impl = static_cast<Poco::Net::HTTPServerRequestImpl&>(http);
            impl.socket().shutdown();
            out.setKeepAlive(false);
            return;
        }
        out.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(response.status));
        if (!response.content_type.empty()) {
            out.setContentType(response.content_type);
        }
        for (const auto& [name, value] : response.headers) {
            out.add(name, value);
        }
        out.setContentLength64(static_cast<Poco::Int64>(response.body.size()));
        send_whole(http, out, response.body);
    }

private:
    // Status line, headers and body in one send: Poco's sendBuffer() writes the head and the
    // body separately, and that second small segment per request cost about a quarter of the
    // push benchmark's throughput. Poco adds nothing after a handler that has not called send().
    static void send_whole(Poco::Net::HTTPServerRequest& http, Poco::Net::HTTPServerResponse& out,
                           const std::string& body) {
        auto& socket = static_cast<Poco::Net::HTTPServerRequestImpl&>(http).socket();
        std::ostringstream wire;
        out.write(wire);
        if (http.getMethod() != Poco::Net::HTTPRequest::HTTP_HEAD) {
            wire << body;
        }
        const std::string bytes = std::move(wire).str();
        for (std::string_view rest(bytes); !rest.empty();) {
            int sent = socket.sendBytes(rest.data(), static_cast<int>(rest.size()));
            if (sent <= 0) {
                return;
            }
            rest.remove_prefix(static_cast<std::size_t>(sent));
        }
    }

    Dispatcher& m_dispatcher;
    std::string m_listener;
};

class Factory : public Poco::Net::HTTPRequestHandlerFactory {
public:
    Factory(Dispatcher& dispatcher, std::string listener)
        : m_dispatcher(dispatcher)
        , m_listener(std::move(listener)) {}

    Poco::Net::HTTPRequestHandler*
    createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
        return new Handler(m_dispatcher, m_listener);
    }

private:
    Dispatcher& m_dispatcher;
    std::string m_listener;
};

} // namespace

struct Server::Impl {
    Impl(Dispatcher& dispatcher_, std::vector<Service*> services_, ServerOptions options_)
        : dispatcher(dispatcher_)
        , services(std::move(services_))
        , options(std::move(options_)) {}

    Dispatcher& dispatcher;
    std::vector<Service*> services;
    ServerOptions options;
    std::unique_ptr<Poco::ThreadPool> pool;
    std::unique_ptr<Poco::Net::HTTPServer> api;
    std::unique_ptr<Poco::Net::HTTPServer> data;
    std::thread ticker;
    std::mutex mutex;
    std::condition_variable wake;
    bool stopping = false;
    bool started = false;

    std::unique_ptr<Poco::Net::HTTPServer> listen(const Endpoint& endpoint,
                                                  const std::string& listener) {
        Poco::Net::ServerSocket socket(
            Poco::Net::SocketAddress(endpoint.host, static_cast<Poco::UInt16>(endpoint.port)), 256);
        auto* params = new Poco::Net::HTTPServerParams;
        params->setKeepAlive(true);
        params->setMaxKeepAliveRequests(0); // unlimited: benchmarks reuse one connection
        params->setKeepAliveTimeout(Poco::Timespan(60, 0));
        params->setMaxThreads(options.threads);
        params->setMaxQueued(1024);
        return std::make_unique<Poco::Net::HTTPServer>(new Factory(dispatcher, listener), *pool,
                                                       socket, params);
    }
};

Server::Server(Dispatcher& dispatcher, std::vector<Service*> services, ServerOptions options)
    : m_impl(std::make_unique<Impl>(dispatcher, std::move(services), std::move(options))) {}

Server::~Server() {
    stop();
}

void Server::start() {
    auto& impl = *m_impl;
    // Each keep-alive connection holds a thread, and timeout faults sleep in one.
    impl.pool = std::make_unique<Poco::ThreadPool>(4, 2 * impl.options.threads + 8);
    impl.api = impl.listen(impl.options.api, "api");
    impl.data = impl.listen(impl.options.data, "data");
    impl.dispatcher.set_ports(api_port(), data_port());
    impl.api->start();
    impl.data->start();
    impl.started = true;
    impl.ticker = std::thread([&impl] {
        std::unique_lock lock(impl.mutex);
        while (!impl.stopping) {
            lock.unlock();
            for (auto* service : impl.services) {
                service->tick();
            }
            lock.lock();
            impl.wake.wait_for(lock, std::chrono::milliseconds(10),
                               [&impl] { return impl.stopping; });
        }
    });
}

void Server::stop() {
    auto& impl = *m_impl;
    if (!impl.started) {
        return;
    }
    impl.started = false;
    {
        std::lock_guard lock(impl.mutex);
        impl.stopping = true;
    }
    impl.wake.notify_all();
    impl.ticker.join();
    impl.api->stopAll(true);
    impl.data->stopAll(true);
    for (auto* service : impl.services) {
        service->stop();
    }
}

int Server::api_port() const {
    return m_impl->api ? m_impl->api->port() : 0;
}
int Server::data_port() const {
    return m_impl->data ? m_impl->data->port() : 0;
}

} // namespace musubi::sim
