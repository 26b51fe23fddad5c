#include "daemon/dispatch/dispatcher.hpp"

#include <algorithm>
#include <cstddef>
#include <iterator>
#include <random>

namespace musubi::dispatch {

namespace {

using store::AttemptRecord;
using store::Disposition;
using store::DueMessage;
using SteadyClock = std::chrono::steady_clock;

// While rows are in flight the loop looks at least this often for outcomes to record, so
// that outcomes are written in batches rather than one transaction per message.
constexpr std::chrono::milliseconds k_busy_tick{20};
// Idle, the loop still looks this often: the clock may have jumped (the simulator's
// `advance`), or another process may have written rows without calling wake().
constexpr std::chrono::milliseconds k_idle_tick{1000};

std::size_t effective_claim_batch(const DispatcherOptions& options) {
    // At least four rows per sender: with half of them queued and every sender busy there
    // is still room to claim, so the loop never waits for room it cannot get.
    return options.claim_batch != 0 ? std::max(options.claim_batch, options.workers * 4)
                                    : std::max<std::size_t>(256, options.workers * 32);
}

std::shared_ptr<line::MessagingClient> make_client(const DispatcherOptions& options) {
    auto settings = options.client;
    // One kept-alive connection per sender thread.
    settings.max_idle_connections = std::max(settings.max_idle_connections, options.workers);
    auto token = options.token ? options.token : line::AccessToken::long_lived("");
    return std::make_shared<line::MessagingClient>(std::move(settings), std::move(token));
}

// A tenth of a second's worth: enough to absorb scheduling jitter, far below what LINE's
// bucket holds (a second's worth), so a burst can never reach its limit.
double burst_for(double rate) {
    return std::max(1.0, rate / 10.0);
}

AttemptRecord bad_payload(const DueMessage& row, std::int64_t now_ms) {
    AttemptRecord record;
    record.outbox_id = row.id;
    record.disposition = Disposition::failed;
    record.attempted_at = now_ms;
    record.outcome = "bad_payload";
    record.reason = row.kind == "multicast"
                        ? "the stored multicast is not {\"to\": [user IDs], \"messages\": [...]}"
                        : "the stored message is not a JSON array of LINE message objects";
    return record;
}

// How long a reply token must still be valid for a first reply (see Dispatcher::send).
constexpr std::int64_t k_reply_confirm_margin_ms = 20'000;

// A resend of a reply whose token LINE says is spent: the earlier attempt, whose answer was
// lost (a crash, a timeout), delivered it.
AttemptRecord replied_before(const DueMessage& row, std::int64_t now_ms,
                             const line::ApiResult& result) {
    AttemptRecord record;
    record.outbox_id = row.id;
    record.disposition = Disposition::sent;
    record.attempted_at = now_ms;
    record.http_status = result.status;
    record.outcome = "already_sent";
    record.request_id = result.request_id;
    record.reason = "replied by an earlier attempt (LINE says the reply token is used)";
    return record;
}

} // namespace

DispatcherOptions dispatcher_options(const config::Config& config) {
    DispatcherOptions options;
    options.client.api_base_url = config.line.api_base_url;
    options.client.data_base_url = config.line.data_api_base_url;
    options.client.timeout = config.line.timeout;
    if (config.line.token_mode == config::TokenMode::stateless) {
        options.token = line::AccessToken::stateless(
            {config.line.channel_id, config.line.channel_secret.reveal()}, config.line.api_base_url,
            config.line.timeout);
    } else {
        options.token = line::AccessToken::long_lived(config.line.channel_access_token.reveal());
    }
    options.workers = static_cast<std::size_t>(std::max<std::int64_t>(config.dispatch.workers, 1));
    options.push_per_second = static_cast<double>(config.line.push_per_second);
    options.backoff = {config.dispatch.retry_initial, config.dispatch.retry_max};
    options.expire_after = config.dispatch.expire_after;
    options.quota_check_interval = config.dispatch.quota_check_interval;
    return options;
}

Dispatcher::Dispatcher(store::Outbox& outbox, std::shared_ptr<const clock::Clock> clock,
                       std::string logger_name)
    : m_outbox(outbox)
    , m_clock(std::move(clock))
    , m_logger(std::move(logger_name)) {}

Dispatcher::~Dispatcher() {
    stop();
}

void Dispatcher::start(DispatcherOptions options) {
    {
        std::lock_guard lock(m_mutex);
        if (m_started) {
            return;
        }
        m_started = true;
        options.workers = std::max<std::size_t>(options.workers, 1);
        m_client = make_client(options);
        m_bucket = std::make_shared<TokenBucket>(options.push_per_second,
                                                 burst_for(options.push_per_second));
        m_multicast_bucket = std::make_shared<TokenBucket>(options.multicast_per_second,
                                                           burst_for(options.multicast_per_second));
        m_backoff = options.backoff;
        m_expire_after = options.expire_after;
        m_options = std::move(options);
        m_more_due = true;
    }
    auto requeued = m_outbox.requeue_interrupted();
    if (!requeued) {
        m_logger.error("dispatch.requeue_failed", {{"error", requeued.error().message}});
    } else if (*requeued > 0) {
        m_logger.info("dispatch.requeued",
                      {{"rows", *requeued},
                       {"why", "left sending by the previous run; resent with their retry keys"}});
    }
    m_logger.info("dispatch.started",
                  {{"workers", m_options.workers},
                   {"push_per_second", static_cast<std::int64_t>(m_options.push_per_second)}});
    for (std::size_t i = 0; i < m_options.workers; ++i) {
        m_workers.emplace_back([this] { run_worker(); });
    }
    m_loop = std::thread([this] { run_loop(); });
}

void Dispatcher::reload(DispatcherOptions options) {
    {
        std::lock_guard lock(m_mutex);
        if (!m_started) {
            // Not running yet: start() takes them.
        } else {
            options.workers = m_options.workers;
            m_client = make_client(options);
            m_bucket->set_rate(options.push_per_second);
            m_backoff = options.backoff;
            m_expire_after = options.expire_after;
            m_options = std::move(options);
            if (m_pause == PauseReason::unauthorized) {
                m_pause = PauseReason::none;
                m_more_due = true;
                m_logger.info("dispatch.resumed", {{"after", "unauthorized"},
                                                   {"why", "the configuration was reloaded"}});
            }
            m_woken = true;
            m_loop_cv.notify_all();
            m_work_cv.notify_all();
            return;
        }
    }
    start(std::move(options));
}

void Dispatcher::wake() {
    std::lock_guard lock(m_mutex);
    m_woken = true;
    m_more_due = true;
    m_loop_cv.notify_all();
}

void Dispatcher::stop() {
    {
        std::lock_guard lock(m_mutex);
        if (!m_started || m_stopping) {
            return;
        }
        m_stopping = true;
    }
    m_loop_cv.notify_all();
    m_work_cv.notify_all();
    for (auto& worker : m_workers) {
        worker.join();
    }
    m_workers.clear();
    m_loop_cv.notify_all();
    if (m_loop.joinable()) {
        m_loop.join();
    }
    m_logger.info("dispatch.stopped");
}

DispatchStats Dispatcher::stats() const {
    std::lock_guard lock(m_mutex);
    auto stats = m_stats;
    stats.paused = m_pause;
    return stats;
}

std::size_t Dispatcher::capacity_locked() const {
    return effective_claim_batch(m_options);
}

bool Dispatcher::loop_should_wake_locked() const {
    if (m_stopping || m_woken || m_results.size() >= m_options.record_batch) {
        return true;
    }
    if (m_in_flight == 0 && m_queue.empty() && !m_results.empty()) {
        return true; // everything held is done: record it now
    }
    if (m_pause != PauseReason::none) {
        return !m_queue.empty(); // rows to put back
    }
    return m_more_due && m_queue.size() <= capacity_locked() / 2;
}

void Dispatcher::run_loop() {
    std::vector<AttemptRecord> unsaved; // outcomes not recorded yet
    auto next_quota_check = SteadyClock::now();
    PauseReason last_pause = PauseReason::none;
    int failed_flushes = 0;
    while (true) {
        bool stopping = false;
        PauseReason paused = PauseReason::none;
        std::size_t record_batch = 0;
        std::chrono::milliseconds quota_interval{};
        {
            std::lock_guard lock(m_mutex);
            record_batch = m_options.record_batch;
            quota_interval = m_options.quota_check_interval;
            std::move(m_results.begin(), m_results.end(), std::back_inserter(unsaved));
            m_results.clear();
            stopping = m_stopping;
            paused = m_pause;
            if (stopping || paused != PauseReason::none) {
                // Held rows go back untouched; they were not attempted.
                for (const auto& row : m_queue) {
                    AttemptRecord record;
                    record.outbox_id = row.id;
                    record.disposition = Disposition::released;
                    unsaved.push_back(std::move(record));
                }
                m_queue.clear();
            }
        }
        flush(unsaved, record_batch);
        const bool flushed = unsaved.empty();
        failed_flushes = flushed ? 0 : failed_flushes + 1;
        if (stopping) {
            std::unique_lock lock(m_mutex);
            if (m_in_flight == 0 && m_results.empty() && (unsaved.empty() || failed_flushes > 3)) {
                return; // unrecorded rows stay `sending`: the next start resends them
            }
            m_loop_cv.wait_for(lock, std::chrono::milliseconds(50),
                               [this] { return m_in_flight == 0 || !m_results.empty(); });
            continue;
        }
        if (paused == PauseReason::quota) {
            if (last_pause != PauseReason::quota) {
                next_quota_check = SteadyClock::now() + clock::real_time(*m_clock, quota_interval);
            } else if (SteadyClock::now() >= next_quota_check) {
                check_quota(next_quota_check);
            }
        } else if (paused == PauseReason::none && flushed) {
            claim();
        }
        last_pause = paused;

        std::chrono::milliseconds timeout = k_idle_tick;
        {
            std::lock_guard lock(m_mutex);
            if (!flushed || m_claim_refused) {
                timeout = std::chrono::seconds(1); // the store refused: do not hammer it
            } else if (m_pause == PauseReason::quota) {
                timeout = std::clamp(std::chrono::duration_cast<std::chrono::milliseconds>(
                                         next_quota_check - SteadyClock::now()),
                                     std::chrono::milliseconds(1), k_idle_tick);
            } else if (m_pause == PauseReason::unauthorized) {
                timeout = k_idle_tick;
            } else if (!m_queue.empty() || m_in_flight > 0) {
                timeout = k_busy_tick;
            } else {
                timeout = std::chrono::milliseconds(-1); // idle: ask the store below
            }
        }
        if (timeout.count() < 0) {
            timeout = idle_wait();
        }
        std::unique_lock lock(m_mutex);
        m_loop_cv.wait_for(lock, timeout, [this] { return loop_should_wake_locked(); });
        m_woken = false;
    }
}

std::chrono::milliseconds Dispatcher::idle_wait() {
    auto next = m_outbox.next_due_at();
    if (!next) {
        m_logger.error("dispatch.store_error", {{"error", next.error().message}});
        return k_idle_tick;
    }
    if (!*next) {
        return k_idle_tick;
    }
    const auto simulated =
        std::chrono::milliseconds(std::max<std::int64_t>(**next - m_clock->now_ms(), 0));
    if (simulated.count() == 0) {
        return std::chrono::milliseconds(1);
    }
    return std::min(clock::real_time(*m_clock, simulated), k_idle_tick);
}

void Dispatcher::flush(std::vector<AttemptRecord>& unsaved, std::size_t record_batch) {
    const std::size_t batch = std::max<std::size_t>(record_batch, 1) * 4;
    while (!unsaved.empty()) {
        const auto n = std::min(unsaved.size(), batch);
        std::vector<AttemptRecord> chunk(
            std::make_move_iterator(unsaved.begin()),
            std::make_move_iterator(unsaved.begin() + static_cast<std::ptrdiff_t>(n)));
        auto recorded = m_outbox.record(chunk);
        if (!recorded) {
            // Kept and tried again; the rows stay `sending` until then (and after a crash
            // they are resent with the same retry key, which LINE answers 409).
            std::move(chunk.begin(), chunk.end(), unsaved.begin());
            const log::Field fields[] = {
                {"error", recorded.error().message},
                {"waiting", unsaved.size()},
                {"action", "outcomes kept in memory and recorded when the store takes writes; "
                           "nothing new is sent until then"}};
            if (!m_record_refused) {
                m_logger.error("dispatch.record_failed", {fields[0], fields[1], fields[2]});
            } else {
                m_logger.debug("dispatch.record_failed", {fields[0], fields[1]});
            }
            m_record_refused = true;
            return;
        }
        unsaved.erase(unsaved.begin(), unsaved.begin() + static_cast<std::ptrdiff_t>(n));
        if (m_record_refused && unsaved.empty()) {
            m_record_refused = false;
            m_logger.info("dispatch.recorded", {{"after", "the store refused writes"},
                                                {"why", "the kept outcomes are recorded"}});
        }
    }
}

void Dispatcher::claim() {
    std::size_t room = 0;
    {
        std::lock_guard lock(m_mutex);
        const auto capacity = capacity_locked();
        const auto held = m_queue.size() + m_in_flight;
        if (m_pause != PauseReason::none || m_stopping || m_queue.size() > capacity / 2 ||
            held >= capacity) {
            return;
        }
        room = capacity - held;
    }
    auto rows = m_outbox.claim_due(room);
    if (!rows) {
        if (!m_claim_refused) {
            m_logger.error("dispatch.claim_failed",
                           {{"error", rows.error().message},
                            {"action", "sending stops; claiming again every second"}});
        } else {
            m_logger.debug("dispatch.claim_failed", {{"error", rows.error().message}});
        }
        m_claim_refused = true; // the loop waits a second before the next try
        std::lock_guard lock(m_mutex);
        m_more_due = false;
        return;
    }
    if (m_claim_refused) {
        m_claim_refused = false;
        m_logger.info("dispatch.resumed", {{"after", "the store refused writes"},
                                           {"why", "the store takes writes again"}});
    }
    {
        std::lock_guard lock(m_mutex);
        m_more_due = rows->size() == room;
        for (auto& row : *rows) {
            m_queue.push_back(std::move(row));
        }
    }
    if (!rows->empty()) {
        m_work_cv.notify_all();
    }
}

void Dispatcher::check_quota(SteadyClock::time_point& next_check) {
    std::shared_ptr<line::MessagingClient> client;
    std::chrono::milliseconds interval{};
    {
        std::lock_guard lock(m_mutex);
        client = m_client;
        interval = m_options.quota_check_interval;
    }
    bool resume = false;
    std::string detail;
    auto quota = client->quota();
    if (!quota) {
        detail = quota.error().message;
    } else if (!quota->limited) {
        resume = true;
    } else {
        auto used = client->quota_consumption();
        if (!used) {
            detail = used.error().message;
        } else {
            resume = *used < quota->value;
            detail = std::to_string(*used) + " of " + std::to_string(quota->value) + " used";
        }
    }
    next_check = SteadyClock::now() + clock::real_time(*m_clock, interval);
    if (!resume) {
        m_logger.debug("dispatch.quota_checked", {{"resume", false}, {"detail", detail}});
        return;
    }
    std::lock_guard lock(m_mutex);
    if (m_pause == PauseReason::quota) {
        m_pause = PauseReason::none;
        m_more_due = true;
        m_logger.info("dispatch.resumed", {{"after", "quota"}, {"detail", detail}});
        m_work_cv.notify_all();
    }
}

void Dispatcher::run_worker() {
    std::mt19937_64 random(std::random_device{}());
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    while (true) {
        DueMessage row;
        std::shared_ptr<line::MessagingClient> client;
        std::shared_ptr<TokenBucket> bucket;
        std::shared_ptr<TokenBucket> multicast_bucket;
        BackoffPolicy backoff;
        std::chrono::milliseconds expire_after{};
        {
            std::unique_lock lock(m_mutex);
            m_work_cv.wait(lock, [this] {
                return m_stopping || (!m_queue.empty() && m_pause == PauseReason::none);
            });
            if (m_stopping) {
                return;
            }
            row = std::move(m_queue.front());
            m_queue.pop_front();
            ++m_in_flight;
            client = m_client;
            bucket = m_bucket;
            multicast_bucket = m_multicast_bucket;
            backoff = m_backoff;
            expire_after = m_expire_after;
        }
        AttemptRecord record;
        try {
            record =
                send(row, *client, *bucket, *multicast_bucket, backoff, expire_after, unit(random));
        } catch (const std::exception& error) {
            // One message's surprise never stops the dispatcher: resend later, same key.
            record.outbox_id = row.id;
            record.disposition = Disposition::retry;
            record.attempted_at = m_clock->now_ms();
            record.retry_at = record.attempted_at +
                              backoff_delay(backoff, static_cast<long>(row.attempts), 1.0).count();
            record.outcome = "error";
            record.reason = std::string("unexpected error: ") + error.what();
        }
        log_outcome(row, record);
        std::lock_guard lock(m_mutex);
        --m_in_flight;
        count(row, record);
        if (record.outcome == line::outcome_name(line::Outcome::quota_exhausted)) {
            pause_locked(PauseReason::quota, row);
        } else if (record.outcome == line::outcome_name(line::Outcome::unauthorized)) {
            pause_locked(PauseReason::unauthorized, row);
        }
        m_results.push_back(std::move(record));
        if (loop_should_wake_locked()) {
            m_loop_cv.notify_one();
        }
    }
}

AttemptRecord Dispatcher::send(const DueMessage& row, line::MessagingClient& client,
                               TokenBucket& bucket, TokenBucket& multicast_bucket,
                               const BackoffPolicy& backoff, std::chrono::milliseconds expire_after,
                               double unit_random) {
    const auto started = m_clock->now_ms();
    if (auto final = precheck(row, started, expire_after)) {
        return *final;
    }
    const auto payload = nlohmann::json::parse(row.payload, nullptr, false);
    if (row.kind == "multicast") {
        const auto recipients = multicast_recipients(payload);
        if (!recipients || !payload.contains("messages")) {
            return bad_payload(row, started);
        }
        multicast_bucket.acquire();
        const auto result = client.multicast(*recipients, payload["messages"], row.retry_key);
        if (result.outcome == line::Outcome::rate_limited) {
            multicast_bucket.slow_down(SteadyClock::now());
        }
        auto record = judge(row, result, Route::multicast, m_clock->now_ms(), backoff, unit_random);
        record.attempted_at = started;
        return record;
    }
    const auto& messages = payload;
    if (messages.is_discarded() || !(messages.is_array() || messages.is_object())) {
        return bad_payload(row, started);
    }
    Route route = Route::push;
    line::ApiResult result;
    // Replies carry no retry key; the reply token stands in for it. Each token is written to
    // one row only (the engine and linking see to that) and LINE takes it once, so while it
    // is valid every attempt replies: a resend after a crash or an unknown outcome that LINE
    // refuses as "Invalid reply token" was delivered by this row's earlier attempt. (A push
    // instead would deliver it a second time.)
    //
    // A first attempt replies only while enough of the token's life is left for such a resend
    // (musubid restarted after a crash) to confirm it; with less left it pushes at once, retry
    // key and all, so that a crash right after the reply cannot leave an answer that only a
    // second delivery could settle.
    // A reply into a group (no friend) has no push to fall back on: it replies while its
    // token lives, with no margin kept.
    const bool group_reply = row.kind == "reply" && !row.friend_id;
    const std::int64_t margin = row.attempts > 1 || group_reply ? 0 : k_reply_confirm_margin_ms;
    const bool reply = row.kind == "reply" && row.reply_token && row.reply_until &&
                       started + margin < *row.reply_until;
    if (reply) {
        bucket.acquire();
        result = client.reply(*row.reply_token, messages);
        route = Route::reply;
        if (result.outcome == line::Outcome::permanent && result.message == k_invalid_reply_token) {
            if (row.attempts > 1) {
                return replied_before(row, started, result);
            }
            if (group_reply) {
                return judge(row, result, Route::reply, m_clock->now_ms(), backoff, unit_random);
            }
            route = Route::push_after_reply; // refused: nothing was sent, push instead
        }
    }
    if (route != Route::reply) {
        bucket.acquire();
        result = client.push(row.line_user_id, messages, row.retry_key);
    }
    if (result.outcome == line::Outcome::rate_limited) {
        bucket.slow_down(SteadyClock::now());
    }
    auto record = judge(row, result, route, m_clock->now_ms(), backoff, unit_random);
    record.attempted_at = started;
    record.now_push = route == Route::push_after_reply;
    return record;
}

void Dispatcher::count(const DueMessage& row, const AttemptRecord& record) {
    switch (record.disposition) {
    case Disposition::sent:
        ++m_stats.sent;
        if (record.outcome == "already_sent") {
            ++m_stats.already_sent;
        } else {
            m_stats.latency.add(m_clock->now_ms() - row.due_at); // until LINE answered
        }
        break;
    case Disposition::retry:
        ++m_stats.retried;
        if (record.outcome == "rate_limited") {
            ++m_stats.rate_limited;
        }
        break;
    case Disposition::failed:
        ++m_stats.failed;
        break;
    case Disposition::skipped:
        ++m_stats.skipped;
        break;
    case Disposition::expired:
        ++m_stats.expired;
        break;
    case Disposition::released:
        break;
    }
}

void Dispatcher::pause_locked(PauseReason reason, const DueMessage& row) {
    if (m_pause == reason) {
        return;
    }
    m_pause = reason;
    if (reason == PauseReason::quota) {
        m_logger.error(
            "dispatch.quota_exhausted",
            {{"outbox_id", row.id},
             {"action", "sending paused: LINE's monthly message limit is reached; the quota is "
                        "checked every " +
                            config::format_duration(m_options.quota_check_interval) +
                            " and sending resumes when it allows (raise the plan in LINE Official "
                            "Account Manager, or wait for next month)"}});
    } else {
        m_logger.error("dispatch.unauthorized",
                       {{"outbox_id", row.id},
                        {"action", "sending paused: LINE refused the channel access token (401); "
                                   "set a valid line.channel_access_token (or channel id and "
                                   "secret) and restart musubi (systemd hands secrets over "
                                   "at start)"}});
    }
    m_loop_cv.notify_all();
}

void Dispatcher::log_outcome(const DueMessage& row, const AttemptRecord& record) const {
    switch (record.disposition) {
    case Disposition::sent:
        m_logger.debug("dispatch.sent", {{"outbox_id", row.id},
                                         {"scenario", row.scenario},
                                         {"step", row.step},
                                         {"outcome", record.outcome},
                                         {"status", record.http_status},
                                         {"attempt", row.attempts},
                                         {"request_id", record.request_id}});
        return;
    case Disposition::retry:
        if (record.outcome == "quota_exhausted" || record.outcome == "unauthorized") {
            return; // one line for the pause, not one per row
        }
        if (record.outcome == "rate_limited") {
            m_logger.warn("dispatch.retry", {{"outbox_id", row.id},
                                             {"scenario", row.scenario},
                                             {"step", row.step},
                                             {"outcome", record.outcome},
                                             {"status", record.http_status},
                                             {"attempt", row.attempts},
                                             {"retry_in_ms", record.retry_at - record.attempted_at},
                                             {"error", record.reason}});
        } else {
            m_logger.info("dispatch.retry", {{"outbox_id", row.id},
                                             {"scenario", row.scenario},
                                             {"step", row.step},
                                             {"outcome", record.outcome},
                                             {"status", record.http_status},
                                             {"attempt", row.attempts},
                                             {"retry_in_ms", record.retry_at - record.attempted_at},
                                             {"error", record.reason}});
        }
        return;
    case Disposition::failed:
        m_logger.warn("dispatch.failed", {{"outbox_id", row.id},
                                          {"scenario", row.scenario},
                                          {"step", row.step},
                                          {"outcome", record.outcome},
                                          {"status", record.http_status},
                                          {"attempt", row.attempts},
                                          {"reason", record.reason}});
        return;
    case Disposition::skipped:
    case Disposition::expired:
        m_logger.info(record.disposition == Disposition::skipped ? "dispatch.skipped"
                                                                 : "dispatch.expired",
                      {{"outbox_id", row.id},
                       {"scenario", row.scenario},
                       {"step", row.step},
                       {"outcome", record.outcome},
                       {"reason", record.reason}});
        return;
    case Disposition::released:
        return;
    }
}

} // namespace musubi::dispatch
