#pragma once
// The listener LINE's webhooks arrive on (webhook.listen), with the webhook endpoint on
// webhook.path. Other endpoints that belong on the public address (the link page, the
// account-link endpoint) add their routes to web() before start().
//
// In musubid: made after the store opens, started before READY (so READY means the listener
// is bound), stopped before the store closes.

#include <string>

#include <tl/expected.hpp>

#include "daemon/config/config.hpp"
#include "daemon/http/web_server.hpp"
#include "daemon/log/log.hpp"
#include "daemon/store/webhook_inbox.hpp"
#include "daemon/webhook/webhook_endpoint.hpp"

namespace musubi::webhook {

EndpointOptions endpoint_options(const config::Config& config);

class WebhookServer {
public:
    WebhookServer(const config::Config& config, store::WebhookInbox& inbox,
                  http::ServerLimits limits = {});
    ~WebhookServer();
    WebhookServer(const WebhookServer&) = delete;
    WebhookServer& operator=(const WebhookServer&) = delete;

    http::WebServer& web() { return m_web; }
    WebhookEndpoint& endpoint() { return m_endpoint; }

    // Binds webhook.listen and serves; logs `webhook.listening address=… path=…`. The error
    // names the address, why it could not be bound, and the key to change.
    tl::expected<void, std::string> start();
    void stop();
    // A new channel secret applies at once; a changed listen address or path needs a restart
    // (logged as config.restart_needed, the running ones are kept in `config`).
    void reload(config::Config& config);

private:
    config::WebhookConfig m_config;
    http::WebServer m_web;
    WebhookEndpoint m_endpoint;
    log::Logger m_logger{"webhook"};
};

} // namespace musubi::webhook
