#include "daemon/webhook/webhook_server.hpp"

namespace musubi::webhook {

EndpointOptions endpoint_options(const config::Config& config) {
    EndpointOptions options;
    options.path = config.webhook.path;
    options.max_body_bytes = static_cast<std::size_t>(config.webhook.max_body_bytes);
    options.channel_secret = config.line.channel_secret.reveal();
    for (const auto& target : config.webhook.forward) { // webhook.forward
        options.forward.push_back({target.url, target.events});
    }
    return options;
}

WebhookServer::WebhookServer(const config::Config& config, store::WebhookInbox& inbox,
                             http::ServerLimits limits)
    : m_config(config.webhook)
    , m_web(config.webhook.listen, "webhook", limits)
    , m_endpoint(inbox, endpoint_options(config)) {
    m_endpoint.add_to(m_web);
}

WebhookServer::~WebhookServer() {
    stop();
}

tl::expected<void, std::string> WebhookServer::start() {
    if (auto started = m_web.start(); !started) {
        return tl::unexpected(started.error() +
                              "; stop what listens there, or set another host:port in "
                              "webhook.listen");
    }
    m_logger.info("webhook.listening",
                  {{"address", m_web.address().to_string()}, {"path", m_config.path}});
    return {};
}

void WebhookServer::stop() {
    if (m_web.running()) {
        m_web.stop();
        m_endpoint.flush_log();
    }
}

void WebhookServer::reload(config::Config& config) {
    m_endpoint.set_channel_secret(config.line.channel_secret.reveal());
    m_endpoint.set_forward(endpoint_options(config).forward); // webhook.forward
    for (const auto& [key, changed] :
         {std::pair{"webhook.listen", config.webhook.listen != m_config.listen},
          std::pair{"webhook.path", config.webhook.path != m_config.path},
          std::pair{"webhook.max_body_bytes",
                    config.webhook.max_body_bytes != m_config.max_body_bytes}}) {
        if (changed) {
            m_logger.warn("config.restart_needed",
                          {{"key", key}, {"action", "restart musubi to apply it"}});
        }
    }
    // webhook.forward and its timings apply at once (to the endpoint and the forward worker).
    m_config.forward = config.webhook.forward;
    m_config.forward_give_up_after = config.webhook.forward_give_up_after;
    m_config.forward_retry_max = config.webhook.forward_retry_max;
    config.webhook = m_config;
}

} // namespace musubi::webhook
