#pragma once
// The admin address (admin.listen, loopback by default): what operators and their tools read.
//   GET /healthz      200 "ok" while musubid runs (no token: for probes)
//   GET /metrics      Prometheus text (metrics.hpp); needs "Authorization: Bearer <admin.token>"
//   GET /, /status    the status page (status_page.hpp), in Japanese, for a browser
//   GET /status.json  the same numbers as JSON
// The status page and its JSON take the token as "Authorization: Bearer <admin.token>" or as
// the password of HTTP Basic auth (any user name), so a browser asks for it once; without it
// they answer 401 with a Basic challenge. The token is the one read at start (secrets are read
// at start; a restart applies a new one).

#include <functional>
#include <string>

#include <tl/expected.hpp>

#include "daemon/admin/metrics.hpp"
#include "daemon/admin/status_page.hpp"
#include "daemon/config/config.hpp"
#include "daemon/http/web_server.hpp"
#include "daemon/log/log.hpp"

namespace musubi::admin {

class AdminServer {
public:
    using Snapshot = std::function<MetricsSnapshot()>;
    using StatusSource = std::function<StatusSnapshot()>;

    // Without `status` the status page's paths are not served (404).
    AdminServer(const config::AdminConfig& config, Snapshot snapshot, StatusSource status = {});

    // The error says which address could not be bound and why.
    tl::expected<void, std::string> start();
    void stop();
    int port() const { return m_web.port(); }

private:
    void add_status_routes();

    http::WebServer m_web;
    std::string m_token;
    Snapshot m_snapshot;
    StatusSource m_status;
    log::Logger m_logger{"admin"};
};

} // namespace musubi::admin
