#include "daemon/webhook/forwarder.hpp"

#include <algorithm>

#include <Poco/Exception.h>
#include <Poco/URI.h>

namespace musubi::webhook {

namespace {

using Millis = std::chrono::milliseconds;

// The longest real-time sleep: a clock that jumps (the simulator's `advance`) is seen within it,
// and it costs one indexed read per target.
constexpr Millis k_max_sleep{1000};
// After a store error, look again this much later (musubi's clock).
constexpr Millis k_store_retry{5000};

struct Split {
    std::string origin;         // scheme://host:port
    std::string path_and_query; // "/callback?x=1"
};

Split split_url(const std::string& url) {
    try {
        const Poco::URI uri(url);
        std::string target = uri.getPathEtc();
        if (target.empty() || target.front() != '/') {
            target = "/" + target;
        }
        const auto at = target.find('#');
        if (at != std::string::npos) {
            target.resize(at);
        }
        return {uri.getScheme() + "://" + uri.getAuthority(), target};
    } catch (const Poco::Exception&) {
        return {url, "/"};
    }
}

} // namespace

ForwarderSettings forwarder_settings(const config::Config& config) {
    ForwarderSettings settings;
    for (const auto& target : config.webhook.forward) {
        settings.targets.push_back(target.url);
    }
    settings.give_up_after = config.webhook.forward_give_up_after;
    settings.backoff.max = std::max(config.webhook.forward_retry_max, settings.backoff.initial);
    return settings;
}

std::string display_url(const std::string& url) {
    try {
        Poco::URI uri(url);
        uri.setUserInfo("");
        uri.setQuery("");
        uri.setFragment("");
        return uri.toString();
    } catch (const Poco::Exception&) {
        return url.substr(0, url.find_first_of("?#"));
    }
}

Forwarder::Forwarder(store::ForwardQueue& queue, std::shared_ptr<const clock::Clock> clock)
    : m_queue(queue)
    , m_clock(std::move(clock)) {}

Forwarder::~Forwarder() {
    stop();
}

void Forwarder::start(ForwarderSettings settings) {
    {
        std::lock_guard lock(m_mutex);
        m_settings = std::move(settings);
        m_reloaded = true;
    }
    if (!m_thread.joinable()) {
        m_thread = std::jthread([this](std::stop_token stop) { loop(stop); });
    }
}

void Forwarder::reload(ForwarderSettings settings) {
    {
        std::lock_guard lock(m_mutex);
        m_settings = std::move(settings);
        m_reloaded = true;
    }
    m_wake.notify_all();
}

void Forwarder::wake() {
    {
        std::lock_guard lock(m_mutex);
        m_woken = true;
    }
    m_wake.notify_all();
}

void Forwarder::stop() {
    if (m_thread.joinable()) {
        m_thread.request_stop();
        m_wake.notify_all();
        m_thread.join();
    }
}

std::vector<ForwardTargetStats> Forwarder::stats() {
    std::vector<std::string> targets;
    std::map<std::string, Counters> counters;
    {
        std::lock_guard lock(m_mutex);
        targets = m_settings.targets;
        counters = m_counters;
    }
    std::map<std::string, store::ForwardDepth> depths;
    if (auto read = m_queue.depths()) {
        depths = std::move(*read);
    }
    std::vector<ForwardTargetStats> stats;
    for (const auto& url : targets) {
        const auto& counted = counters[url];
        const auto& depth = depths[url];
        stats.push_back({display_url(url), counted.forwarded, counted.given_up, depth.queued,
                         depth.retrying, counted.last_error});
    }
    return stats;
}

http::Client& Forwarder::client(const std::string& url, Millis timeout) {
    auto& slot = m_clients[url];
    if (!slot) {
        slot = std::make_unique<http::Client>(split_url(url).origin, timeout);
    }
    return *slot;
}

void Forwarder::drop_unconfigured(const ForwarderSettings& settings) {
    auto depths = m_queue.depths();
    if (!depths) {
        m_logger.error("webhook.forward_store_error", {{"error", depths.error().message}});
        return;
    }
    for (const auto& [target, depth] : *depths) {
        if (std::find(settings.targets.begin(), settings.targets.end(), target) !=
            settings.targets.end()) {
            continue;
        }
        auto removed = m_queue.remove_target(target);
        if (!removed) {
            m_logger.error("webhook.forward_store_error", {{"error", removed.error().message}});
            continue;
        }
        {
            std::lock_guard lock(m_mutex);
            m_counters[target].given_up += *removed;
        }
        m_logger.warn("webhook.forward_given_up",
                      {{"target", display_url(target)},
                       {"bodies", std::to_string(*removed)},
                       {"reason", "the URL is no longer in webhook.forward"}});
    }
}

bool Forwarder::attempt(const ForwarderSettings& settings, const store::QueuedForward& forward) {
    const auto split = split_url(forward.target);
    http::Request request;
    request.method = "POST";
    request.target = split.path_and_query;
    request.headers = {{"x-line-signature", forward.signature}};
    request.content_type = forward.content_type;
    request.body = forward.body;
    const auto answer = client(forward.target, settings.timeout).send(request);
    const auto now = m_clock->now_ms();
    const std::string target = display_url(forward.target);

    if (answer && answer->status >= 200 && answer->status < 300) {
        if (auto removed = m_queue.remove(forward.id); !removed) {
            // Sent again later: at least once.
            m_logger.error("webhook.forward_store_error", {{"error", removed.error().message}});
            return false;
        }
        {
            std::lock_guard lock(m_mutex);
            auto& counted = m_counters[forward.target];
            ++counted.forwarded;
            counted.last_error.clear();
        }
        if (forward.attempts > 0) {
            m_logger.info("webhook.forward_delivered",
                          {{"target", target},
                           {"attempts", std::to_string(forward.attempts + 1)},
                           {"waited_s", std::to_string((now - forward.received_at_ms) / 1000)}});
        }
        return true;
    }

    const std::string error =
        answer ? "HTTP " + std::to_string(answer->status) : answer.error().message;
    {
        std::lock_guard lock(m_mutex);
        m_counters[forward.target].last_error = error;
    }
    if (now - forward.received_at_ms >= settings.give_up_after.count()) {
        if (auto removed = m_queue.remove(forward.id); !removed) {
            m_logger.error("webhook.forward_store_error", {{"error", removed.error().message}});
            return false;
        }
        {
            std::lock_guard lock(m_mutex);
            ++m_counters[forward.target].given_up;
        }
        m_logger.warn("webhook.forward_given_up",
                      {{"target", target},
                       {"bodies", "1"},
                       {"attempts", std::to_string(forward.attempts + 1)},
                       {"last_error", error},
                       {"reason", "not delivered within webhook.forward_give_up_after (" +
                                      config::format_duration(settings.give_up_after) + ")"}});
        return true;
    }
    const double draw = std::uniform_real_distribution<double>(0.0, 1.0)(m_random);
    const auto delay = dispatch::backoff_delay(settings.backoff, forward.attempts + 1, draw);
    if (auto later = m_queue.retry_at(forward.id, now + delay.count(), error); !later) {
        m_logger.error("webhook.forward_store_error", {{"error", later.error().message}});
        return false;
    }
    const std::initializer_list<log::Field> fields = {
        {"target", target},
        {"error", error},
        {"attempts", std::to_string(forward.attempts + 1)},
        {"retry_in_ms", std::to_string(delay.count())},
        {"action", "musubi tries again until webhook.forward_give_up_after; check that the other "
                   "tool is running and answers 2xx"}};
    // One warning when a target starts failing; the retries after it at debug.
    if (forward.attempts == 0) {
        m_logger.warn("webhook.forward_failed", fields);
    } else {
        m_logger.debug("webhook.forward_failed", fields);
    }
    return true;
}

void Forwarder::loop(std::stop_token stop) {
    while (!stop.stop_requested()) {
        ForwarderSettings settings;
        bool reloaded = false;
        {
            std::lock_guard lock(m_mutex);
            settings = m_settings;
            reloaded = m_reloaded;
            m_reloaded = false;
            m_woken = false;
        }
        if (reloaded) {
            m_clients.clear(); // a new timeout, or targets gone
            drop_unconfigured(settings);
        }
        const auto now = m_clock->now_ms();
        std::int64_t next_due = now + k_max_sleep.count() * 60;
        bool worked = false;
        for (const auto& url : settings.targets) {
            if (stop.stop_requested()) {
                return;
            }
            auto head = m_queue.head(url);
            if (!head) {
                m_logger.error("webhook.forward_store_error", {{"error", head.error().message}});
                next_due = std::min(next_due, now + k_store_retry.count());
                continue;
            }
            if (!*head) {
                continue;
            }
            if ((*head)->next_at_ms > now) {
                next_due = std::min(next_due, (*head)->next_at_ms);
                continue;
            }
            if (attempt(settings, **head)) {
                worked = true;
            } else {
                next_due = std::min(next_due, now + k_store_retry.count());
            }
        }
        if (worked) {
            continue; // each target's next body, without waiting
        }
        std::unique_lock lock(m_mutex);
        const auto left = Millis(std::max<std::int64_t>(next_due - m_clock->now_ms(), 0));
        const auto sleep = std::min(clock::real_time(*m_clock, left), k_max_sleep);
        m_wake.wait_for(lock, stop, sleep, [this] { return m_woken || m_reloaded; });
    }
}

} // namespace musubi::webhook
