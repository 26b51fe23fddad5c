#include "daemon/app/services.hpp"

namespace musubi::app {

namespace {

// carriers.yaml lives beside musubi.yaml. Without it shipping facts still carry RMS's carrier
// name, only without a tracking page, so a missing or bad file is an error but not fatal.
rakuten_poller::Carriers load_carriers(const config::Config& config, const log::Logger& logger) {
    const auto file = config.file.parent_path() / "carriers.yaml";
    auto carriers = rakuten_poller::Carriers::load(file);
    if (!carriers) {
        logger.error("carriers.unreadable",
                     {{"error", carriers.error()},
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
    return options;
}

} // namespace

Services::Services(const config::Config& config, std::shared_ptr<const clock::Clock> clock,
                   store::Store& store)
    : m_clock(std::move(clock))
    , m_store(store)
    , m_dispatcher(store.outbox(), m_clock)
    , m_engine(store.engine(), m_clock, [this] { m_dispatcher.wake(); })
    , m_events(store, m_clock,
               friends::Hooks{nullptr, nullptr,
                              [this](const std::string& user) { return display_name(user); },
                              [this] { m_engine.wake(); }})
    , m_webhook(config, store.webhook_inbox())
    , m_poller(store, "rakuten") {
    m_webhook.endpoint().on_received([this] { m_events.wake(); });
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
            errors += (errors.empty() ? "" : "; ") + error.file + ": " + error.message;
        }
        return tl::unexpected("the templates in " + config.templates_dir.string() +
                              " have errors: " + errors);
    }
    engine::EngineOptions options;
    options.config = std::make_shared<const config::Config>(config);
    options.templates = std::make_shared<const templates::TemplateSet>(std::move(*templates));
    return options;
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
    auto options = engine_options(config);
    if (!options) {
        return tl::unexpected(options.error());
    }
    const auto dispatch = dispatch::dispatcher_options(config);
    m_line = std::make_unique<line::MessagingClient>(dispatch.client, dispatch.token);
    m_engine.reload(std::move(*options));
    if (auto listening = m_webhook.start(); !listening) {
        return tl::unexpected(listening.error());
    }
    m_dispatcher.start(dispatch);
    m_engine.start();
    m_events.start();
    m_poller.reload(poller_options(config, m_clock, m_logger));
    return {};
}

tl::expected<void, std::string> Services::reload(config::Config& config) {
    auto options = engine_options(config);
    if (!options) {
        return tl::unexpected(options.error());
    }
    m_engine.reload(std::move(*options));
    m_webhook.reload(config);
    m_dispatcher.reload(dispatch::dispatcher_options(config));
    m_poller.reload(poller_options(config, m_clock, m_logger));
    return {};
}

void Services::stop() {
    m_webhook.stop();
    m_poller.stop();
    m_events.stop();
    m_engine.stop();
    m_dispatcher.stop();
}

} // namespace musubi::app
