#pragma once
// The workers of one running musubid and how they are tied together (DESIGN.md's data flow):
//
//   webhook server ─> webhook_events ─> event processor ─> facts ─┐
//   order poller ──────────────────────────────────────> facts ─┼─> engine ─> outbox ─> dispatcher
//   review drop folder ────────────────────────────────> facts ─┘
//
// Each worker has its own store connection and thread; each wakes the next when it wrote
// something, and each also looks by itself now and then, so a lost wake-up only delays.

#include <memory>
#include <string>

#include <tl/expected.hpp>

#include "connectors/line/messaging_client.hpp"
#include "daemon/clock/clock.hpp"
#include "daemon/config/config.hpp"
#include "daemon/dispatch/dispatcher.hpp"
#include "daemon/engine/engine.hpp"
#include "daemon/friends/event_processor.hpp"
#include "daemon/rakuten/order_poller.hpp"
#include "daemon/store/store.hpp"
#include "daemon/templates/template_set.hpp"
#include "daemon/webhook/webhook_server.hpp"

namespace musubi::app {

class Services {
public:
    Services(const config::Config& config, std::shared_ptr<const clock::Clock> clock,
             store::Store& store);
    ~Services();
    Services(const Services&) = delete;
    Services& operator=(const Services&) = delete;

    // Loads the templates, binds the webhook listener and starts every worker. The error says
    // what could not be started and what to change.
    tl::expected<void, std::string> start(const config::Config& config);
    // A configuration that passed the checks: templates and scenarios apply to new work.
    tl::expected<void, std::string> reload(config::Config& config);
    // In the order that loses nothing: stop taking webhooks, finish events and facts, then
    // let the sends in flight end.
    void stop();

private:
    tl::expected<engine::EngineOptions, std::string> engine_options(const config::Config& config);
    std::optional<std::string> display_name(const std::string& line_user_id);

    std::shared_ptr<const clock::Clock> m_clock;
    store::Store& m_store;
    std::unique_ptr<line::MessagingClient> m_line; // profiles; the dispatcher has its own
    dispatch::Dispatcher m_dispatcher;
    engine::Engine m_engine;
    friends::EventProcessor m_events;
    webhook::WebhookServer m_webhook;
    rakuten_poller::OrderPoller m_poller;
    log::Logger m_logger{"musubid"};
};

} // namespace musubi::app
