#include "daemon/app/run.hpp"

#include <csignal>

#include <systemd/sd-daemon.h>

#include "daemon/app/services.hpp"
#include "daemon/config/loader.hpp"
#include "daemon/log/log.hpp"
#include "daemon/store/store.hpp"
#include "musubi/version.hpp"

namespace musubi::app {

namespace {

sigset_t daemon_signals() {
    sigset_t set;
    sigemptyset(&set);
    for (int signal : {SIGHUP, SIGTERM, SIGINT, SIGQUIT}) {
        sigaddset(&set, signal);
    }
    return set;
}

// Every secret in the configuration is scrubbed from log lines, whatever logs it.
void register_secrets(const config::Config& config) {
    for (const config::Secret* secret :
         {&config.privacy.hashing_key, &config.rakuten.service_secret, &config.rakuten.license_key,
          &config.line.channel_secret, &config.line.channel_access_token, &config.admin.token,
          &config.linking.site_token, &config.ecfeed.token}) {
        log::add_redaction(secret->reveal());
    }
}

void apply_logging(const config::Config& config) {
    log::setup(config.log);
    register_secrets(config);
}

// Loads the file again; keeps `current` when the new configuration has errors.
void reload(config::Config& current, const std::filesystem::path& path, const log::Logger& logger) {
    sd_notify(0, "RELOADING=1");
    auto loaded = config::load_config(path);
    if (!loaded) {
        for (const auto& diagnostic : loaded.error().items()) {
            logger.error("config.reload_error", {{"error", diagnostic.to_string()}});
        }
        logger.error("config.reload_refused",
                     {{"file", path},
                      {"errors", loaded.error().size()},
                      {"action", "kept the running configuration; fix the file and reload again"}});
    } else {
        if (loaded->store.path != current.store.path) {
            logger.warn("config.restart_needed",
                        {{"key", "store.path"}, {"action", "restart musubi to use the new store"}});
            loaded->store = current.store;
        }
        current = std::move(*loaded);
        apply_logging(current);
        logger.info("config.reloaded", {{"file", path}, {"scenarios", current.scenarios.size()}});
    }
    sd_notify(0, "READY=1\nSTATUS=running");
}

} // namespace

void block_daemon_signals() {
    const sigset_t set = daemon_signals();
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

int serve(config::Config config, const std::filesystem::path& config_path) {
    block_daemon_signals();
    apply_logging(config);
    const log::Logger logger("musubid");
    logger.info("starting", {{"version", k_version},
                             {"config", config_path},
                             {"shop", config.shop.id},
                             {"scenarios", config.scenarios.size()}});

    sd_notify(0, "STATUS=opening the store");
    const std::shared_ptr<const clock::Clock> clock = clock::make_clock(config.clock.follow);
    auto store = store::open_store(config.store, clock);
    if (!store) {
        logger.error("store.open_failed",
                     {{"error", store.error().message}, {"action", store.error().hint}});
        sd_notifyf(0, "STATUS=cannot open the store: %s", store.error().message.c_str());
        return 1;
    }
    const auto& info = (*store)->info();
    logger.info("store.opened", {{"path", info.location},
                                 {"schema_version", info.schema_version},
                                 {"migrated_from", info.migrated_from}});

    // Declared after the store, so that every worker stops before the store closes.
    Services services(config, clock, **store);
    sd_notify(0, "STATUS=starting the workers");
    if (auto started = services.start(config); !started) {
        logger.error("start_failed", {{"error", started.error()},
                                      {"action", "fix it (musubid --check-config --config " +
                                                     config_path.string() + ") and start again"}});
        sd_notifyf(0, "STATUS=%s", started.error().c_str());
        return 1;
    }

    sd_notify(0, "READY=1\nSTATUS=running");
    logger.info("ready");

    const sigset_t set = daemon_signals();
    while (true) {
        int signal = 0;
        if (sigwait(&set, &signal) != 0) {
            continue;
        }
        if (signal == SIGHUP) {
            reload(config, config_path, logger);
            if (auto reloaded = services.reload(config); !reloaded) {
                logger.error("config.reload_error", {{"error", reloaded.error()}});
            }
            continue;
        }
        logger.info("stopping", {{"signal", signal == SIGTERM ? "SIGTERM" : "SIGINT"}});
        sd_notify(0, "STOPPING=1\nSTATUS=stopping");
        break;
    }
    services.stop();
    logger.info("stopped");
    return 0;
}

} // namespace musubi::app
