#pragma once
// The forward worker: passes verified webhook bodies on to other tools on the same LINE channel
// (webhook.forward), from the durable queue the webhook endpoint fills in the transaction that
// stores the events (store::ForwardQueue). One thread, like the other workers
// (daemon/app/services.cpp); it never holds up musubi's own 200 to LINE.
//
// What a target relies on:
//   - the body is the exact bytes LINE sent, POSTed with LINE's `x-line-signature` and the
//     original Content-Type, so the tool verifies it with the channel secret as before;
//   - per target, bodies go in the order musubi received them: the oldest waits for its
//     delivery before the next is sent. A target that is down holds only its own queue; one
//     that takes connections and never answers costs the others up to 10 s per try of it (one
//     thread serves all targets, in turn);
//   - delivered means any 2xx. Anything else (another status, no answer within 10 s) is tried
//     again after a jittered exponential backoff (1 s, 2 s, … up to webhook.forward_retry_max),
//     on musubi's clock, until webhook.forward_give_up_after since the body arrived; then it is
//     dropped with a `webhook.forward_given_up` line and counted;
//   - at least once: a body is deleted only after its 2xx. A crash (SIGKILL, power loss) after
//     the target answered and before the delete commits sends that one body again after the
//     restart — at most one body per target per crash, the one in flight. Nothing else repeats.
//   - a body leaves the store once delivered or given up; rows for a URL no longer configured
//     are dropped at start and reload (logged, counted as given up).
// Log lines name the target without its query and never carry a body or a signature.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "connectors/http/http_client.hpp"
#include "daemon/clock/clock.hpp"
#include "daemon/config/config.hpp"
#include "daemon/dispatch/backoff.hpp"
#include "daemon/log/log.hpp"
#include "daemon/store/forward_queue.hpp"
#include "daemon/webhook/forward_stats.hpp"

namespace musubi::webhook {

struct ForwarderSettings {
    std::vector<std::string> targets; // URLs, as configured
    std::chrono::milliseconds give_up_after{std::chrono::hours(24)};
    dispatch::BackoffPolicy backoff{std::chrono::seconds(1), std::chrono::minutes(10)};
    std::chrono::milliseconds timeout{std::chrono::seconds(10)};
};

ForwarderSettings forwarder_settings(const config::Config& config);

// The URL as logs, metrics and the status page show it: without its query and user info.
std::string display_url(const std::string& url);

class Forwarder {
public:
    Forwarder(store::ForwardQueue& queue, std::shared_ptr<const clock::Clock> clock);
    ~Forwarder();
    Forwarder(const Forwarder&) = delete;
    Forwarder& operator=(const Forwarder&) = delete;

    // Starts the thread (once). Without targets it only drops what a removed target left.
    void start(ForwarderSettings settings);
    // New targets and timings apply to the next attempt.
    void reload(ForwarderSettings settings);
    // New bodies were queued (the endpoint calls it; quick).
    void wake();
    void stop();

    // Per configured target, in configuration order.
    std::vector<ForwardTargetStats> stats();

private:
    struct Counters {
        std::int64_t forwarded = 0;
        std::int64_t given_up = 0;
        std::string last_error;
    };
    void loop(std::stop_token stop);
    // One attempt at `forward`; false when the store could not record its outcome.
    bool attempt(const ForwarderSettings& settings, const store::QueuedForward& forward);
    void drop_unconfigured(const ForwarderSettings& settings);
    http::Client& client(const std::string& url, std::chrono::milliseconds timeout);

    store::ForwardQueue& m_queue;
    std::shared_ptr<const clock::Clock> m_clock;
    log::Logger m_logger{"forward"};
    std::mt19937_64 m_random{std::random_device{}()};
    std::map<std::string, std::unique_ptr<http::Client>> m_clients; // the thread's only

    std::mutex m_mutex;
    ForwarderSettings m_settings;
    bool m_reloaded = false;
    bool m_woken = false;
    std::map<std::string, Counters> m_counters; // by URL
    std::condition_variable_any m_wake;
    std::jthread m_thread;
};

} // namespace musubi::webhook
