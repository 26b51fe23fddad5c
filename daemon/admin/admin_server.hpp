#pragma once
// The admin address (admin.listen, loopback by default): what operators and their tools read.
//   GET /healthz   200 "ok" while musubid runs (no token: for probes)
//   GET /metrics   Prometheus text (metrics.hpp); needs "Authorization: Bearer <admin.token>"
// The token is the one read at start (secrets are read at start; a restart applies a new one).

#include <functional>
#include <string>

#include <tl/expected.hpp>

#include "daemon/admin/metrics.hpp"
#include "daemon/config/config.hpp"
#include "daemon/http/web_server.hpp"
#include "daemon/log/log.hpp"

namespace musubi::admin {

class AdminServer {
public:
    using Snapshot = std::function<MetricsSnapshot()>;

    AdminServer(const config::AdminConfig& config, Snapshot snapshot);

    // The error says which address could not be bound and why.
    tl::expected<void, std::string> start();
    void stop();
    int port() const { return m_web.port(); }

private:
    http::WebServer m_web;
    std::string m_token;
    Snapshot m_snapshot;
    log::Logger m_logger{"admin"};
};

} // namespace musubi::admin
