#pragma once
// A few kept-alive connections to one host, shared by threads. http::Client is one connection
// and not thread-safe; the pool lends each call a client of its own (reusing an idle one when
// there is one) and keeps up to `max_idle` of them open for the next calls. Calls from
// different threads therefore run in parallel, each on its own connection.

#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "connectors/http/http_client.hpp"

namespace musubi::line {

class ConnectionPool {
public:
    ConnectionPool(std::string base_url, std::chrono::milliseconds timeout, std::size_t max_idle);
    ~ConnectionPool();
    ConnectionPool(const ConnectionPool&) = delete;
    ConnectionPool& operator=(const ConnectionPool&) = delete;

    // Thread-safe. See http::Client::send for what is repeated on a stale connection.
    tl::expected<http::Response, http::TransportError> send(const http::Request& request);

    const std::string& base_url() const { return m_base_url; }

private:
    std::unique_ptr<http::Client> acquire();
    void release(std::unique_ptr<http::Client> client);

    const std::string m_base_url;
    const std::chrono::milliseconds m_timeout;
    const std::size_t m_max_idle;
    std::mutex m_mutex;
    std::vector<std::unique_ptr<http::Client>> m_idle;
};

} // namespace musubi::line
