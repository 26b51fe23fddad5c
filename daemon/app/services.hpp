#pragma once
// The workers of one running musubid and how they are tied together (DESIGN.md's data flow):
//
//   webhook server ─> webhook_events ─> event processor ─> facts ─┐
//   order poller ──────────────────────────────────────> facts ─┼─> engine ─> outbox ─> dispatcher
//   review drop folder ────────────────────────────────> facts ─┘
//
// Each worker has its own store connection and thread; each wakes the next when it wrote
// something, and each also looks by itself now and then, so a lost wake-up only delays.

#include <condition_variable>
#include <memory>
#include <mutex>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include <tl/expected.hpp>

#include "connectors/line/messaging_client.hpp"
#include "daemon/admin/admin_server.hpp"
#include "daemon/campaigns/campaign_worker.hpp"
#include "daemon/clock/clock.hpp"
#include "daemon/config/config.hpp"
#include "daemon/dispatch/dispatcher.hpp"
#include "daemon/dispatch/quota_watch.hpp"
#include "daemon/ecfeed/feed_worker.hpp"
#include "daemon/engine/engine.hpp"
#include "daemon/followers/followers_importer.hpp"
#include "daemon/friends/event_processor.hpp"
#include "daemon/linking/account_linker.hpp"
#include "daemon/linking/chat_linker.hpp"
#include "daemon/linking/link_page.hpp"
#include "daemon/rakuten/license_watch.hpp"
#include "daemon/rakuten/order_fetcher.hpp"
#include "daemon/rakuten/order_poller.hpp"
#include "daemon/retention/purge.hpp"
#include "daemon/reviews/review_drop.hpp"
#include "daemon/richmenus/reconciler.hpp"
#include "daemon/segments/segment_worker.hpp"
#include "daemon/store/store.hpp"
#include "daemon/templates/template_set.hpp"
#include "daemon/webhook/forwarder.hpp"
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
    // Linking's parts are rebuilt on reload; requests in flight keep the ones they started with.
    struct Linking {
        std::shared_ptr<linking::ChatLinker> chat;
        std::shared_ptr<linking::AccountLinker> account;
        std::shared_ptr<linking::LinkPage> page;
        std::shared_ptr<linking::AccountLinkEndpoint> endpoint;
    };
    Linking linking() const;
    void build_linking(const config::Config& config,
                       std::shared_ptr<const templates::TemplateSet> templates);
    void add_routes();
    void start_polling(const config::Config& config);
    bool chat_linking(const friends::TextMessage& message);
    void account_link(const friends::AccountLinkEvent& event);

    tl::expected<engine::EngineOptions, std::string> engine_options(const config::Config& config);
    std::optional<std::string> display_name(const std::string& line_user_id);
    admin::StatusSnapshot status();
    void reload_segments(const config::Config& config);
    void reload_rich_menus(const config::Config& config);
    void start_followers_import(const config::Config& config,
                                const dispatch::DispatcherOptions& dispatch);
    admin::MetricsSnapshot metrics();

    // --- Groups, rooms and the destination check (issue 17)
    std::vector<store::NewMessage> chat_message(const friends::ChatMessage& message);
    void chat_joined(const friends::ChatJoin& join);
    // Reads the bot's user ID for the webhook's destination check; false when LINE could
    // not be asked (the check stays off and bot_info_loop tries again).
    bool read_bot_user_id(bool first_try);
    void bot_info_loop(std::stop_token stop);
    std::shared_ptr<const config::Config> m_chat_config;            // under m_linking_mutex
    std::shared_ptr<const templates::TemplateSet> m_chat_templates; // under m_linking_mutex
    std::jthread m_bot_info; // retries GET /v2/bot/info when it failed at start
    std::mutex m_bot_info_mutex;
    std::condition_variable_any m_bot_info_wake;

    std::shared_ptr<const clock::Clock> m_clock;
    store::Store& m_store;
    std::string m_shop_name;                       // the status page's title, as read at start
    std::unique_ptr<line::MessagingClient> m_line; // profiles, link tokens; not for sends
    mutable std::mutex m_linking_mutex;
    Linking m_linking;
    dispatch::Dispatcher m_dispatcher;
    dispatch::QuotaWatch m_quota;
    engine::Engine m_engine;
    segments::SegmentWorker m_segments;
    campaigns::CampaignWorker m_campaigns; // campaigns.yaml and musubictl campaign start
    std::unique_ptr<richmenus::Reconciler> m_richmenus; // made at start (needs the LINE client)
    friends::EventProcessor m_events;
    webhook::WebhookServer m_webhook;
    webhook::Forwarder m_forwarder; // webhook.forward: other tools on the channel
    rakuten_poller::OrderPoller m_poller;
    rakuten_poller::OrderFetcher m_fetcher;
    reviews::ReviewDrop m_reviews;
    ecfeed_worker::FeedWorker m_ecfeed;
    rakuten_poller::LicenseWatch m_license;
    retention::RetentionWorker m_retention;
    followers::FollowersImporter m_followers; // the account's existing friends
    admin::AdminServer m_admin;
    log::Logger m_logger{"musubid"};
};

} // namespace musubi::app
