#pragma once
// The dispatcher: sends the outbox's due rows to LINE, exactly once each, and records every
// attempt. One loop thread claims due rows (oldest first) and records outcomes in batches;
// `workers` sender threads send them over the client's kept-alive connections, each send
// taking a token from a bucket: push and reply share one (push_per_second), multicast has its
// own (multicast_per_second, LINE's 200 requests a second).
//
// A multicast row names no friend: its payload is {"to": [up to 500 user IDs], "messages":
// [...]} (daemon/outbox/multicast.hpp writes them) and it goes out in one request with its
// retry key, so each of its friends gets it exactly once as a push row would.
//
// Per row: blocked friend → skipped; first tried over expire_after ago → expired; a reply row
// with a still valid token → reply (refused "Invalid reply token": on a first attempt →
// push, and the row stays a push row; on a resend → sent, the earlier attempt replied), else
// push with the row's retry key. LINE's answer: 2xx or 409 → sent; 429 rate
// limit → back off (exponential, jitter) and slow the bucket; 5xx/timeout → back off; both
// resend with the same retry key. Monthly limit → every send stops, one alert, quota checked
// every quota_check_interval, resumes by itself. 401 → every send stops, one error, until
// reload(). Any other 4xx → failed with LINE's message and details.
//
// Waits: until the next due_at (simulated time, slept in real time via clock::real_time),
// wake(), or at most a second; never a busy loop. Rows the process held when it died are
// due again at the next start (requeue_interrupted) and resent with the same retry key.
//
// Wiring (daemon/app/run.cpp), after the store is opened and before READY=1:
//     dispatch::Dispatcher dispatcher((*store)->outbox(), clock);
//     dispatcher.start(dispatch::dispatcher_options(config));
//   on SIGHUP after the reload:   dispatcher.reload(dispatch::dispatcher_options(config));
//   the engine, after committing new rows:   dispatcher.wake();
//   on the way down (before the store closes):   dispatcher.stop();
// Declare it after the store so that it is destroyed first.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "connectors/line/messaging_client.hpp"
#include "daemon/clock/clock.hpp"
#include "daemon/config/config.hpp"
#include "daemon/dispatch/backoff.hpp"
#include "daemon/dispatch/outcome.hpp"
#include "daemon/dispatch/send_latency.hpp"
#include "daemon/dispatch/token_bucket.hpp"
#include "daemon/log/log.hpp"
#include "daemon/store/outbox.hpp"

namespace musubi::dispatch {

struct DispatcherOptions {
    line::ClientSettings client;
    std::shared_ptr<line::AccessToken> token;
    std::size_t workers = 8;       // set at start(); a reload keeps the running number
    double push_per_second = 2000; // requests a second, push and reply together
    double multicast_per_second = 200;
    BackoffPolicy backoff;
    std::chrono::milliseconds expire_after{std::chrono::hours(23)};
    std::chrono::milliseconds quota_check_interval{std::chrono::minutes(10)};
    std::size_t claim_batch = 0;   // rows held in memory at most; 0: 32 per worker (≥ 256)
    std::size_t record_batch = 64; // outcomes waiting that make the loop record them now
};

// From musubi.yaml's `line` and `dispatch` sections (the token kind from line.token_mode).
DispatcherOptions dispatcher_options(const config::Config& config);

enum class PauseReason { none, quota, unauthorized };

struct DispatchStats {
    std::int64_t sent = 0; // including already_sent
    std::int64_t already_sent = 0;
    std::int64_t retried = 0;
    std::int64_t rate_limited = 0;
    std::int64_t failed = 0;
    std::int64_t skipped = 0;
    std::int64_t expired = 0;
    PauseReason paused = PauseReason::none;
    SendLatency latency; // messages LINE accepted now (not 409s of earlier attempts)
};

class Dispatcher {
public:
    // `logger_name`: its level comes from log.levels.dispatch.
    Dispatcher(store::Outbox& outbox, std::shared_ptr<const clock::Clock> clock,
               std::string logger_name = "dispatch");
    ~Dispatcher();
    Dispatcher(const Dispatcher&) = delete;
    Dispatcher& operator=(const Dispatcher&) = delete;

    // Makes interrupted rows due again, then starts the threads. Once.
    void start(DispatcherOptions options);
    // New client settings, token, rate, backoff, expiry; resumes after a 401 pause.
    void reload(DispatcherOptions options);
    // New rows may be due: look now instead of at the next planned time.
    void wake();
    // Lets sends in flight finish (at most the client timeout), puts held rows back to
    // pending, records every outcome, joins the threads.
    void stop();

    DispatchStats stats() const;

private:
    void run_loop();
    void run_worker();
    void flush(std::vector<store::AttemptRecord>& unsaved, std::size_t record_batch);
    void claim();
    std::chrono::milliseconds idle_wait();
    void check_quota(std::chrono::steady_clock::time_point& next_check);
    store::AttemptRecord send(const store::DueMessage& row, line::MessagingClient& client,
                              TokenBucket& bucket, TokenBucket& multicast_bucket,
                              const BackoffPolicy& backoff, std::chrono::milliseconds expire_after,
                              double unit_random);
    void count(const store::DueMessage& row, const store::AttemptRecord& record);
    void log_outcome(const store::DueMessage& row, const store::AttemptRecord& record) const;
    // With m_mutex held.
    void pause_locked(PauseReason reason, const store::DueMessage& row);
    bool loop_should_wake_locked() const;
    std::size_t capacity_locked() const;

    store::Outbox& m_outbox;
    std::shared_ptr<const clock::Clock> m_clock;
    log::Logger m_logger;

    mutable std::mutex m_mutex;
    std::condition_variable m_loop_cv;
    std::condition_variable m_work_cv;
    DispatcherOptions m_options;
    std::shared_ptr<line::MessagingClient> m_client;
    std::shared_ptr<TokenBucket> m_bucket;
    std::shared_ptr<TokenBucket> m_multicast_bucket;
    std::deque<store::DueMessage> m_queue;
    std::vector<store::AttemptRecord> m_results;
    BackoffPolicy m_backoff;
    std::chrono::milliseconds m_expire_after{};
    std::size_t m_in_flight = 0;
    bool m_more_due = false; // the last claim was full: more rows may be due now
    // Loop thread only: the store refused the last claim / the last recording (a full disk,
    // a read-only file). Nothing new is claimed, and so nothing sent, until it takes writes;
    // the first refusal of an episode is logged as an error, the rest at debug.
    bool m_claim_refused = false;
    bool m_record_refused = false;
    bool m_woken = false;
    bool m_stopping = false;
    bool m_started = false;
    PauseReason m_pause = PauseReason::none;
    DispatchStats m_stats;

    std::thread m_loop;
    std::vector<std::thread> m_workers;
};

} // namespace musubi::dispatch
