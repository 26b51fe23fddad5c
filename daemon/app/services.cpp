#include "daemon/app/services.hpp"

#include "daemon/engine/chat_replies.hpp"
#include "daemon/linking/page_token.hpp"

namespace musubi::app {

namespace {

// carriers.yaml lives beside musubi.yaml. Without it shipping facts still carry RMS's carrier
// name, only without a tracking page, so a missing or bad file is an error but not fatal.
rakuten_poller::Carriers load_carriers(const config::Config& config, const log::Logger& logger) {
    const auto file = config.file.parent_path() / "carriers.yaml";
    auto carriers = rakuten_poller::Carriers::load(file);
    if (!carriers) {
        logger.error("carriers.unreadable",
                     {{"error", carriers.error().to_string(config::Language::english)},
                      {"action", "shipping messages go out without tracking links until the "
                                 "file is fixed and musubi reloaded"}});
        return {};
    }
    return std::move(*carriers);
}

// The poller's windows end at the shared clock's "now" (the simulator's in the demo).
rakuten_poller::PollerOptions poller_options(const config::Config& config,
                                             const std::shared_ptr<const clock::Clock>& clock,
                                             const log::Logger& logger) {
    auto options = rakuten_poller::poller_options(config, config.rakuten.enabled
                                                              ? load_carriers(config, logger)
                                                              : rakuten_poller::Carriers{});
    options.clock = [clock] {
        return rakuten::TimePoint(std::chrono::seconds(clock->now_ms() / 1000));
    };
    options.interval_clock = clock; // poll_interval is measured on the same clock
    return options;
}

} // namespace

Services::Services(const config::Config& config, std::shared_ptr<const clock::Clock> clock,
                   store::Store& store)
    : m_clock(std::move(clock))
    , m_store(store)
    , m_dispatcher(store.outbox(), m_clock)
    , m_engine(store.engine(), m_clock, [this] { m_dispatcher.wake(); })
    , m_segments(store.segments(), m_clock)
    , m_campaigns(store.campaigns(), m_clock, [this] { m_dispatcher.wake(); })
    , m_events(store, m_clock,
               friends::Hooks{
                   [this](const friends::TextMessage& message) { return chat_linking(message); },
                   [this](const friends::AccountLinkEvent& event) { account_link(event); },
                   [this](const std::string& user) { return display_name(user); },
                   [this] { m_engine.wake(); },
                   [this](const friends::ChatMessage& message) { return chat_message(message); },
                   [this](const friends::ChatJoin& join) { chat_joined(join); },
                   [this] { m_dispatcher.wake(); }})
    , m_webhook(config, store.webhook_inbox())
    , m_forwarder(store.forward_queue(), m_clock)
    , m_poller(store, "rakuten", [this] { m_engine.wake(); })
    , m_fetcher(store)
    , m_reviews(store.reviews(), "reviews", [this] { m_engine.wake(); })
    , m_ecfeed(store, "ecfeed", [this] { m_engine.wake(); })
    , m_license("rakuten")
    , m_retention(store.retention(), m_clock)
    , m_followers(store.followers_import(), m_clock, [this] { m_engine.wake(); })
    , m_admin(
          config.admin, [this] { return metrics(); }, [this] { return status(); }) {
    m_shop_name = config.shop.name;
    m_webhook.endpoint().on_received([this] {
        m_events.wake();
        m_forwarder.wake();
    });
    add_routes();
}

Services::Linking Services::linking() const {
    std::lock_guard lock(m_linking_mutex);
    return m_linking;
}

void Services::build_linking(const config::Config& config,
                             std::shared_ptr<const templates::TemplateSet> templates) {
    auto settings = linking::Settings::from(config);
    settings.fetch_order = [this](std::string_view order_number) {
        m_fetcher.fetch_if_unknown(order_number);
    };
    auto& links = m_store.links();
    Linking built{std::make_shared<linking::ChatLinker>(links, settings, std::move(templates)),
                  std::make_shared<linking::AccountLinker>(links, settings),
                  std::make_shared<linking::LinkPage>(links, settings, m_clock),
                  std::make_shared<linking::AccountLinkEndpoint>(
                      links, settings, linking::link_token_issuer(*m_line), m_clock)};
    std::lock_guard lock(m_linking_mutex);
    m_linking = std::move(built);
}

// The link page and the account-link endpoint live on the public (webhook) address.
void Services::add_routes() {
    auto& web = m_webhook.web();
    web.add("GET", "/link",
            [this](auto& request, auto& response) { linking().page->get(request, response); });
    web.add("POST", "/link",
            [this](auto& request, auto& response) { linking().page->post(request, response); });
    web.add("POST", "/account-link",
            [this](auto& request, auto& response) { linking().endpoint->post(request, response); });
}

bool Services::chat_linking(const friends::TextMessage& message) {
    auto handled = linking().chat->handle(message.friend_id, message.event_id, message.text,
                                          message.reply_token, message.at_ms);
    if (!handled) {
        // The event stays a plain message; linking can be tried again by the friend.
        m_logger.error("linking.store_error", {{"error", handled.error().message}});
        return false;
    }
    if (*handled) {
        m_dispatcher.wake();
        m_engine.wake(); // a link is a fact (friend.linked)
    }
    return *handled;
}

void Services::account_link(const friends::AccountLinkEvent& event) {
    auto result = linking().account->on_account_link(event.friend_id, event.event_id, event.nonce,
                                                     event.result, event.at_ms);
    if (!result) {
        m_logger.error("linking.store_error", {{"error", result.error().message}});
        return;
    }
    m_engine.wake();
}

Services::~Services() {
    stop();
}

tl::expected<engine::EngineOptions, std::string>
Services::engine_options(const config::Config& config) {
    auto templates = templates::TemplateSet::load(config.templates_dir);
    if (!templates) {
        std::string errors;
        for (const auto& error : templates.error()) {
            errors += (errors.empty() ? "" : "; ") + error.to_string();
        }
        return tl::unexpected("the templates in " + config.templates_dir.string() +
                              " have errors: " + errors);
    }
    engine::EngineOptions options;
    options.config = std::make_shared<const config::Config>(config);
    options.templates = std::make_shared<const templates::TemplateSet>(std::move(*templates));
    options.link_url = [linking = config.linking, key = config.privacy.hashing_key.reveal(),
                        clock = m_clock](std::int64_t friend_id) {
        return linking::make_page_url(linking, key, friend_id, clock->now_ms());
    };
    build_linking(config, options.templates);
    {
        std::lock_guard lock(m_linking_mutex);
        m_chat_config = options.config;
        m_chat_templates = options.templates;
    }
    return options;
}

admin::MetricsSnapshot Services::metrics() {
    admin::MetricsSnapshot s;
    if (auto facts = m_store.facts_by_kind()) {
        s.facts = std::move(*facts);
    }
    if (auto outbox = m_store.outbox().counts()) {
        s.outbox = {{"pending", outbox->pending}, {"sending", outbox->sending},
                    {"sent", outbox->sent},       {"failed", outbox->failed},
                    {"skipped", outbox->skipped}, {"expired", outbox->expired}};
    }
    const auto sends = m_dispatcher.stats();
    s.sends = {{"sent", sends.sent - sends.already_sent},
               {"already_sent", sends.already_sent},
               {"retried", sends.retried},
               {"failed", sends.failed},
               {"skipped", sends.skipped},
               {"expired", sends.expired}};
    s.rate_limited = sends.rate_limited;
    s.paused = sends.paused == dispatch::PauseReason::quota          ? "quota"
               : sends.paused == dispatch::PauseReason::unauthorized ? "unauthorized"
                                                                     : "";
    const auto webhook = m_webhook.endpoint().counts();
    s.webhook_bodies = {{"accepted", webhook.bodies_accepted},
                        {"bad_signature", webhook.signatures_refused},
                        {"refused", webhook.bodies_refused},
                        {"store_failed", webhook.store_failures}};
    s.webhook_events = {{"new", webhook.events_new}, {"duplicate", webhook.events_duplicate}};
    s.rakuten_polls = m_poller.polls();
    s.rakuten_paused = m_poller.paused();
    s.license_days_left = m_license.days_left();
    s.send_latency = sends.latency;
    for (const auto& [connector, lag] : {std::pair{"rakuten", m_poller.lag_seconds()},
                                         std::pair{"ecfeed", m_ecfeed.lag_seconds()}}) {
        if (lag >= 0) {
            s.poll_lag_seconds[connector] = lag;
        }
    }
    s.forward = m_forwarder.stats(); // webhook.forward
    if (const auto quota = m_quota.latest()) {
        s.quota_used = quota->used;
        s.quota_limit = quota->limit;
    }
    return s;
}

// Segments are re-evaluated as facts arrive and as days pass; without a segments file the
// worker stays idle.
void Services::reload_segments(const config::Config& config) {
    m_segments.reload(config.segments_file
                          ? std::make_shared<const std::vector<segments::Segment>>(config.segments)
                          : nullptr);
    m_segments.start(); // once; later calls do nothing
}

// Rich menus: provisioned at start and on reload, then every friend's menu follows their
// segment. Without a richmenus file LINE's menus are left alone.
void Services::reload_rich_menus(const config::Config& config) {
    if (!m_line) {
        return;
    }
    if (!m_richmenus) {
        if (!config.richmenus_file) {
            return;
        }
        m_richmenus = std::make_unique<richmenus::Reconciler>(*m_line, m_store.rich_menus(),
                                                              m_store.rich_menu_links(), m_clock);
    }
    m_richmenus->reload(config.richmenus_file
                            ? std::make_shared<const richmenus::RichMenuSet>(config.rich_menus)
                            : nullptr,
                        richmenus::reconciler_settings(config));
    m_richmenus->start();
}

admin::StatusSnapshot Services::status() {
    std::map<std::string, std::int64_t> segment_sizes; // empty: "not configured yet"
    if (auto sizes = m_store.segments().sizes()) {
        segment_sizes = std::move(*sizes);
    }
    auto snapshot = admin::read_status(m_store.status_report(), m_clock->now_ms(), m_shop_name,
                                       m_license.days_left(), segment_sizes);
    snapshot.forward = m_forwarder.stats(); // webhook.forward
    if (auto followers = m_store.followers_import().totals()) {
        snapshot.followers = std::move(*followers);
    }
    return snapshot;
}

// The account's existing friends: its own thread and LINE client, like the quota watch.
void Services::start_followers_import(const config::Config& config,
                                      const dispatch::DispatcherOptions& dispatch) {
    m_followers.start(followers::ImporterOptions{
        config.line.followers_import,
        std::make_shared<line::MessagingClient>(dispatch.client, dispatch.token)});
}

std::optional<std::string> Services::display_name(const std::string& line_user_id) {
    if (!m_line) {
        return std::nullopt;
    }
    auto profile = m_line->profile(line_user_id);
    if (!profile) {
        m_logger.info("profile.unavailable",
                      {{"status", profile.error().status},
                       {"outcome", line::outcome_name(profile.error().outcome)}});
        return std::nullopt;
    }
    return profile->display_name;
}

tl::expected<void, std::string> Services::start(const config::Config& config) {
    const auto dispatch = dispatch::dispatcher_options(config);
    m_line = std::make_unique<line::MessagingClient>(dispatch.client, dispatch.token);
    if (!read_bot_user_id(true)) {
        m_bot_info = std::jthread([this](std::stop_token stop) { bot_info_loop(stop); });
    }
    auto options = engine_options(config);
    if (!options) {
        return tl::unexpected(options.error());
    }
    m_campaigns.reload(options->config, options->templates);
    m_engine.reload(std::move(*options));
    if (auto listening = m_webhook.start(); !listening) {
        return tl::unexpected(listening.error());
    }
    if (auto listening = m_admin.start(); !listening) {
        return tl::unexpected(listening.error());
    }
    m_forwarder.start(webhook::forwarder_settings(config));
    m_dispatcher.start(dispatch);
    m_quota.start(dispatch);
    m_retention.start(config.retention);
    start_followers_import(config, dispatch);
    m_engine.start();
    reload_segments(config);
    m_campaigns.start();
    reload_rich_menus(config);
    m_events.start();
    start_polling(config);
    return {};
}

// The order poller and on-demand fetches, the review drop folder, the EC feed and the
// license-key check (the poller, fetches and the check only with RMS on).
void Services::start_polling(const config::Config& config) {
    auto options = poller_options(config, m_clock, m_logger);
    m_fetcher.reload(options);
    m_poller.reload(std::move(options));
    m_reviews.reload(config.reviews, m_clock);
    m_ecfeed.reload(ecfeed_worker::worker_options(config), m_clock);
    if (config.rakuten.enabled) {
        m_license.reload(config.rakuten, m_clock);
    }
}

tl::expected<void, std::string> Services::reload(config::Config& config) {
    auto options = engine_options(config);
    if (!options) {
        return tl::unexpected(options.error());
    }
    m_campaigns.reload(options->config, options->templates);
    m_engine.reload(std::move(*options));
    m_webhook.reload(config);
    m_forwarder.reload(webhook::forwarder_settings(config));
    const auto dispatch = dispatch::dispatcher_options(config);
    m_dispatcher.reload(dispatch);
    m_quota.start(dispatch);
    m_retention.reload(config.retention);
    start_followers_import(config, dispatch);
    reload_segments(config);
    reload_rich_menus(config);
    start_polling(config);
    return {};
}

void Services::stop() {
    if (m_bot_info.joinable()) {
        m_bot_info.request_stop();
        m_bot_info_wake.notify_all();
        m_bot_info.join();
    }
    m_admin.stop();
    m_webhook.stop();
    m_forwarder.stop();
    m_fetcher.stop();
    m_poller.stop();
    m_reviews.stop();
    m_ecfeed.stop();
    m_license.stop();
    m_retention.stop();
    m_followers.stop();
    m_events.stop();
    m_engine.stop();
    if (m_richmenus) {
        m_richmenus->stop();
    }
    m_campaigns.stop();
    m_segments.stop();
    m_dispatcher.stop();
    m_quota.stop();
}

// --- Groups, rooms and the destination check (issue 17)

// A text in a group chat or room: only an in_groups keyword scenario answers, by reply token.
std::vector<store::NewMessage> Services::chat_message(const friends::ChatMessage& message) {
    std::shared_ptr<const config::Config> config;
    std::shared_ptr<const templates::TemplateSet> templates;
    {
        std::lock_guard lock(m_linking_mutex);
        config = m_chat_config;
        templates = m_chat_templates;
    }
    if (!config || !templates) {
        return {};
    }
    return engine::chat_replies(
        *config, *templates,
        engine::ChatText{message.event_id, message.text, message.reply_token, message.at_ms},
        m_clock->now_ms());
}

// line.groups: stay (the default) or leave a group or room the account was added to.
void Services::chat_joined(const friends::ChatJoin& join) {
    std::shared_ptr<const config::Config> config;
    {
        std::lock_guard lock(m_linking_mutex);
        config = m_chat_config;
    }
    if (!config || config->line.groups == config::GroupPolicy::stay || !m_line) {
        m_logger.info("group.joined", {{"chat_type", join.chat_type},
                                       {"chat_id", join.chat_id},
                                       {"policy", "stay"},
                                       {"why", "line.groups is stay: only in_groups keyword "
                                               "scenarios answer there, by reply"}});
        return;
    }
    const auto type = join.chat_type == "room" ? line::ChatType::room : line::ChatType::group;
    auto left = m_line->leave_chat(type, join.chat_id);
    if (!left) {
        m_logger.error("group.leave_failed",
                       {{"chat_type", join.chat_type},
                        {"chat_id", join.chat_id},
                        {"status", left.error().status},
                        {"outcome", line::outcome_name(left.error().outcome)},
                        {"action", "remove the account from the chat in LINE, or turn off "
                                   "'Allow bot to join group chats' in the LINE Official "
                                   "Account Manager"}});
        return;
    }
    m_logger.info("group.left", {{"chat_type", join.chat_type},
                                 {"chat_id", join.chat_id},
                                 {"why", "line.groups is leave"}});
}

bool Services::read_bot_user_id(bool first_try) {
    auto user_id = m_line->bot_user_id();
    if (!user_id) {
        if (first_try) {
            m_logger.warn("webhook.destination_check_off",
                          {{"status", user_id.error().status},
                           {"outcome", line::outcome_name(user_id.error().outcome)},
                           {"why", "GET /v2/bot/info failed, so the bot's user ID is unknown"},
                           {"action", "webhook bodies are accepted whatever their destination "
                                      "until it is read; musubi asks again every minute"}});
        }
        return false;
    }
    m_webhook.endpoint().set_bot_user_id(*user_id);
    m_logger.info("webhook.destination_check_on", {{"bot_user_id", *user_id}});
    return true;
}

void Services::bot_info_loop(std::stop_token stop) {
    while (!stop.stop_requested()) {
        {
            std::unique_lock lock(m_bot_info_mutex);
            m_bot_info_wake.wait_for(lock, stop, std::chrono::minutes(1), [] { return false; });
        }
        if (stop.stop_requested() || read_bot_user_id(false)) {
            return;
        }
    }
}

} // namespace musubi::app
