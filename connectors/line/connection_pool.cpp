#include "connectors/line/connection_pool.hpp"

namespace musubi::line {

ConnectionPool::ConnectionPool(std::string base_url, std::chrono::milliseconds timeout,
                               std::size_t max_idle)
    : m_base_url(std::move(base_url))
    , m_timeout(timeout)
    , m_max_idle(max_idle) {}

ConnectionPool::~ConnectionPool() = default;

tl::expected<http::Response, http::TransportError>
ConnectionPool::send(const http::Request& request) {
    auto client = acquire();
    auto response = client->send(request);
    release(std::move(client));
    return response;
}

std::unique_ptr<http::Client> ConnectionPool::acquire() {
    {
        std::lock_guard lock(m_mutex);
        if (!m_idle.empty()) {
            auto client = std::move(m_idle.back());
            m_idle.pop_back();
            return client;
        }
    }
    return std::make_unique<http::Client>(m_base_url, m_timeout);
}

void ConnectionPool::release(std::unique_ptr<http::Client> client) {
    std::lock_guard lock(m_mutex);
    if (m_idle.size() < m_max_idle) {
        m_idle.push_back(std::move(client));
    }
}

} // namespace musubi::line
