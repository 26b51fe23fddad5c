#include "daemon/rakuten/order_poller.hpp"

#include <algorithm>
#include <unordered_set>

#include "connectors/rakuten/order_walker.hpp"
#include "daemon/rakuten/order_snapshot.hpp"

namespace musubi::rakuten_poller {

namespace {

using rakuten::TimePoint;

std::string renew_hint() {
    return "Polling is paused until musubi runs with a key RMS accepts. " +
           rakuten::license_handover_steps();
}

PollError rms_error(const rakuten::Error& error) {
    return PollError{error.kind == rakuten::ErrorKind::unauthorized,
                     error.kind == rakuten::ErrorKind::cancelled, error.message};
}

PollError store_error(const store::StoreError& error) {
    return PollError{false, false, error.to_string()};
}

TimePoint system_now() {
    return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
}

} // namespace

struct OrderSync::Query {
    const char* name;   // for logs
    const char* cursor; // nullptr: a fixed window back from now
    rakuten::DateType date_type;
    std::vector<int> progress;
    const char* change; // the fact whose absence makes an order worth fetching
};

PollerOptions poller_options(const config::Config& config, Carriers carriers) {
    PollerOptions options;
    options.rakuten = config.rakuten;
    options.hashing_key = config.privacy.hashing_key.reveal();
    options.carriers = std::move(carriers);
    options.interval_clock = clock::make_clock(config.clock.follow);
    return options;
}

std::optional<std::chrono::milliseconds> next_poll_wait(const clock::Clock& clock,
                                                        clock::Millis due_ms,
                                                        std::chrono::milliseconds real_left) {
    const auto now_ms = clock.now_ms();
    if (now_ms >= due_ms || real_left <= std::chrono::milliseconds(0)) {
        return std::nullopt;
    }
    return std::min({clock::real_time(clock, std::chrono::milliseconds(due_ms - now_ms)), real_left,
                     k_max_wait_slice});
}

tl::expected<PollCounts, PollError> OrderSync::poll() {
    const TimePoint now = m_options.clock ? m_options.clock() : system_now();
    // A poll starts at the configured pace; a 403 slows the client down until the next one.
    m_client.reset_pace();
    auto from_horizon = horizon(now);
    if (!from_horizon) {
        return tl::unexpected(from_horizon.error());
    }
    static const Query k_queries[] = {
        {"placed", k_cursor_placed, rakuten::DateType::order, {}, "placed"},
        {"shipped",
         k_cursor_shipped,
         rakuten::DateType::shipping_completion_report,
         {rakuten::k_progress_shipped, rakuten::k_progress_payment_processing,
          rakuten::k_progress_payment_done},
         "shipped"},
        {"cancelled",
         nullptr,
         rakuten::DateType::order,
         {rakuten::k_progress_awaiting_cancel_confirmation, rakuten::k_progress_cancelled},
         "cancelled"},
    };
    PollCounts counts;
    for (const auto& query : k_queries) {
        if (auto done = run(query, now, *from_horizon, counts); !done) {
            return tl::unexpected(done.error());
        }
    }
    if (auto swept = sweep_cancellations(now, *from_horizon, counts); !swept) {
        if (swept.error().unauthorized || swept.error().cancelled) {
            return tl::unexpected(swept.error());
        }
        // The orders of this poll are stored; the sweep is tried again at the next poll (its
        // cursor only moves when it completes).
        m_logger.warn("cancel_sweep.failed",
                      {{"error", swept.error().message}, {"action", "retrying at the next poll"}});
    }
    return counts;
}

tl::expected<bool, PollError> OrderSync::sweep_due(TimePoint now) {
    auto stored = m_store.cursor(k_cursor_cancel_sweep);
    if (!stored) {
        return tl::unexpected(store_error(stored.error()));
    }
    if (!*stored) {
        return true;
    }
    auto last = rakuten::parse_rms_datetime(**stored);
    if (!last) {
        m_logger.warn("cursor.unreadable", {{"cursor", k_cursor_cancel_sweep},
                                            {"error", last.error()},
                                            {"action", "sweeping for cancellations now"}});
        return true;
    }
    // A last sweep "in the future" means the clock was set back: sweep rather than wait.
    return *last > now || now - *last >= m_options.cancel_sweep_interval;
}

tl::expected<void, PollError> OrderSync::sweep_cancellations(TimePoint now, TimePoint horizon,
                                                             PollCounts& counts) {
    auto due = sweep_due(now);
    if (!due) {
        return tl::unexpected(due.error());
    }
    if (!*due) {
        return {};
    }
    const auto started = std::chrono::steady_clock::now();
    const int cancelled_before = counts.cancelled;
    // RMS's whole searchable range; fetch_order_numbers clamps the start to 730 days back.
    rakuten::OrderNumberRequest request{rakuten::DateType::order,
                                        now - rakuten::k_max_start_age,
                                        now,
                                        {rakuten::k_progress_cancelled},
                                        now};
    auto found = rakuten::fetch_order_numbers(m_client, request);
    if (!found) {
        return tl::unexpected(rms_error(found.error()));
    }
    report_search_problems("cancel_sweep", found->problems, counts);
    // Only stored orders whose cancellation is not recorded yet: an unknown order is older
    // than musubi's history (nothing to cancel) or new (the placed query reads it).
    std::vector<std::string> cancelled_keys;
    std::vector<std::string> placed_keys;
    for (const auto& number : found->order_numbers) {
        cancelled_keys.push_back("rakuten:order:" + number + ":cancelled");
        placed_keys.push_back("rakuten:order:" + number + ":placed");
    }
    auto not_cancelled = m_store.missing_facts(cancelled_keys);
    auto unknown = m_store.missing_facts(placed_keys);
    if (!not_cancelled || !unknown) {
        return tl::unexpected(
            store_error(!not_cancelled ? not_cancelled.error() : unknown.error()));
    }
    const std::unordered_set<std::string> unknown_keys(unknown->begin(), unknown->end());
    std::vector<std::string> numbers;
    const std::string prefix = "rakuten:order:";
    const std::string suffix = ":cancelled";
    for (const auto& key : *not_cancelled) {
        auto number = key.substr(prefix.size(), key.size() - prefix.size() - suffix.size());
        if (!unknown_keys.contains(prefix + number + ":placed")) {
            numbers.push_back(std::move(number));
        }
    }
    if (auto done = fetch_and_apply(numbers, now, horizon, counts); !done) {
        return done;
    }
    if (auto saved = m_store.set_cursor(k_cursor_cancel_sweep, rakuten::format_rms_datetime(now));
        !saved) {
        return tl::unexpected(store_error(saved.error()));
    }
    counts.swept = true;
    m_logger.info("cancel_sweep.done",
                  {{"since", rakuten::format_rms_datetime(found->searched_from)},
                   {"windows", found->windows},
                   {"cancelled_in_rms", found->order_numbers.size()},
                   {"fetched", numbers.size()},
                   {"newly_cancelled", counts.cancelled - cancelled_before},
                   {"took", std::chrono::duration_cast<std::chrono::milliseconds>(
                                std::chrono::steady_clock::now() - started)}});
    return {};
}

void OrderSync::report_search_problems(const char* query, const std::vector<std::string>& problems,
                                       PollCounts& counts) {
    for (const auto& problem : problems) {
        ++counts.problems;
        m_logger.error("search.incomplete",
                       {{"query", query},
                        {"problem", problem},
                        {"action", "the orders past RMS's 15,000 of that second are not read; "
                                   "look them up in RMS"}});
    }
}

tl::expected<bool, PollError> OrderSync::fetch(const std::string& order_number) {
    const TimePoint now = m_options.clock ? m_options.clock() : system_now();
    auto from_horizon = horizon(now);
    if (!from_horizon) {
        return tl::unexpected(from_horizon.error());
    }
    auto result = rakuten::get_orders(m_client, {order_number});
    if (!result) {
        return tl::unexpected(rms_error(result.error()));
    }
    PollCounts counts;
    if (auto failed = apply(result->orders, now, *from_horizon, counts)) {
        return tl::unexpected(store_error(*failed));
    }
    return !result->orders.empty() && counts.problems == 0;
}

tl::expected<TimePoint, PollError> OrderSync::horizon(TimePoint now) {
    auto stored = m_store.cursor(k_cursor_horizon);
    if (!stored) {
        return tl::unexpected(store_error(stored.error()));
    }
    if (*stored) {
        auto parsed = rakuten::parse_rms_datetime(**stored);
        if (parsed) {
            return *parsed;
        }
        m_logger.warn("cursor.unreadable",
                      {{"cursor", k_cursor_horizon}, {"error", parsed.error()}});
    }
    const auto horizon = std::chrono::time_point_cast<std::chrono::seconds>(
        now - std::chrono::duration_cast<std::chrono::seconds>(m_options.rakuten.backfill_horizon));
    if (auto saved = m_store.set_cursor(k_cursor_horizon, rakuten::format_rms_datetime(horizon));
        !saved) {
        return tl::unexpected(store_error(saved.error()));
    }
    m_logger.info("backfill.horizon", {{"horizon", rakuten::format_rms_datetime(horizon)},
                                       {"action", "older orders build the customer picture only"}});
    return horizon;
}

tl::expected<TimePoint, PollError> OrderSync::start_of(const Query& query, TimePoint now) {
    const auto history =
        std::max<std::chrono::milliseconds>(m_options.history, m_options.rakuten.backfill_horizon);
    const TimePoint first = now - std::chrono::duration_cast<std::chrono::seconds>(history);
    if (query.cursor == nullptr) {
        return now - std::chrono::duration_cast<std::chrono::seconds>(m_options.cancel_window);
    }
    auto stored = m_store.cursor(query.cursor);
    if (!stored) {
        return tl::unexpected(store_error(stored.error()));
    }
    if (!*stored) {
        return first;
    }
    auto parsed = rakuten::parse_rms_datetime(**stored);
    if (!parsed) {
        m_logger.warn("cursor.unreadable", {{"cursor", query.cursor},
                                            {"error", parsed.error()},
                                            {"action", "reading the whole history again"}});
        return first;
    }
    return *parsed - std::chrono::duration_cast<std::chrono::seconds>(m_options.rakuten.overlap);
}

tl::expected<void, PollError> OrderSync::run(const Query& query, TimePoint now, TimePoint horizon,
                                             PollCounts& counts) {
    auto from = start_of(query, now);
    if (!from) {
        return tl::unexpected(from.error());
    }
    rakuten::OrderNumberRequest request{query.date_type, std::min(*from, now), now, query.progress,
                                        now};
    auto found = rakuten::fetch_order_numbers(m_client, request);
    if (!found) {
        return tl::unexpected(rms_error(found.error()));
    }
    counts.searched += static_cast<int>(found->order_numbers.size());
    report_search_problems(query.name, found->problems, counts);
    // Only fetch what adds a fact: re-read orders whose change is recorded cost nothing.
    std::vector<std::string> keys;
    for (const auto& number : found->order_numbers) {
        keys.push_back("rakuten:order:" + number + ":" + query.change);
    }
    auto missing = m_store.missing_facts(keys);
    if (!missing) {
        return tl::unexpected(store_error(missing.error()));
    }
    std::vector<std::string> numbers;
    const std::string prefix = "rakuten:order:";
    const std::string suffix = std::string(":") + query.change;
    for (const auto& key : *missing) {
        numbers.push_back(key.substr(prefix.size(), key.size() - prefix.size() - suffix.size()));
    }
    if (auto done = fetch_and_apply(numbers, now, horizon, counts); !done) {
        return done;
    }
    if (query.cursor != nullptr) {
        if (auto saved = m_store.set_cursor(query.cursor, rakuten::format_rms_datetime(now));
            !saved) {
            return tl::unexpected(store_error(saved.error()));
        }
    }
    return {};
}

tl::expected<void, PollError> OrderSync::fetch_and_apply(const std::vector<std::string>& numbers,
                                                         TimePoint now, TimePoint horizon,
                                                         PollCounts& counts) {
    // One getOrder batch at a time, stored as soon as it arrives: a first poll of a big shop
    // never holds more than a hundred orders, and what was read is kept if the poll stops.
    constexpr std::size_t k_slice = rakuten::k_max_get_order_numbers;
    for (std::size_t start = 0; start < numbers.size(); start += k_slice) {
        const auto end = std::min(numbers.size(), start + k_slice);
        const std::vector<std::string> slice(numbers.begin() + static_cast<std::ptrdiff_t>(start),
                                             numbers.begin() + static_cast<std::ptrdiff_t>(end));
        auto result = rakuten::get_orders(m_client, slice);
        if (!result) {
            return tl::unexpected(rms_error(result.error()));
        }
        counts.fetched += static_cast<int>(result->orders.size());
        for (const auto& problem : result->problems) {
            ++counts.problems;
            m_logger.warn("order.unreadable", {{"order", problem.order_number},
                                               {"problem", problem.message},
                                               {"action", "skipped; other orders go on"}});
        }
        if (auto failed = apply(result->orders, now, horizon, counts)) {
            // The cursor stays: the next poll searches this window again and stores what
            // is missing (the store said why: store.not_writable).
            return tl::unexpected(store_error(*failed));
        }
    }
    return {};
}

std::optional<store::StoreError> OrderSync::apply(const std::vector<rakuten::Order>& orders,
                                                  TimePoint now, TimePoint horizon,
                                                  PollCounts& counts) {
    std::optional<store::StoreError> first_failure;
    // A hundred orders a transaction: few commits, yet the write lock is never held long
    // enough to keep webhooks or the dispatcher waiting.
    constexpr std::size_t k_batch = 100;
    std::vector<store::OrderToApply> batch;
    for (std::size_t start = 0; start < orders.size(); start += k_batch) {
        const auto end = std::min(orders.size(), start + k_batch);
        batch.clear();
        for (std::size_t index = start; index < end; ++index) {
            const auto& order = orders[index];
            batch.push_back(
                {make_snapshot(order, m_options.carriers, m_options.hashing_key, to_ms(now)),
                 order.order_datetime >= horizon ? store::Triggers::yes : store::Triggers::no});
        }
        const auto results = m_store.apply_orders(batch);
        int failed = 0;
        for (std::size_t index = 0; index < results.size(); ++index) {
            if (!count_applied(batch[index].triggers, results[index], counts)) {
                if (failed++ == 0) {
                    m_logger.error("order.store_failed",
                                   {{"order", orders[start + index].order_number},
                                    {"error", results[index].error().message}});
                    first_failure = results[index].error();
                }
            }
        }
        if (failed > 0) {
            break; // the rest waits for the next poll, which searches the same window
        }
    }
    return first_failure;
}

bool OrderSync::count_applied(store::Triggers triggers,
                              const tl::expected<store::AppliedOrder, store::StoreError>& applied,
                              PollCounts& counts) {
    if (!applied) {
        ++counts.problems; // apply() logs the batch's first failure
        return false;
    }
    if (applied->new_order && triggers == store::Triggers::no) {
        ++counts.backfilled;
    }
    for (const auto& key : applied->recorded) {
        if (key.ends_with(":placed")) {
            ++counts.placed;
        } else if (key.ends_with(":shipped")) {
            ++counts.shipped;
        } else if (key.ends_with(":cancelled")) {
            ++counts.cancelled;
        }
        m_logger.debug("fact.recorded", {{"key", key}});
    }
    return true;
}

OrderPoller::OrderPoller(store::Store& store, std::string logger_name,
                         std::function<void()> on_facts)
    : m_store(store)
    , m_logger(std::move(logger_name))
    , m_on_facts(std::move(on_facts)) {}

OrderPoller::~OrderPoller() {
    stop();
}

void OrderPoller::reload(PollerOptions options) {
    std::lock_guard lock(m_mutex);
    m_pending = std::move(options);
    m_session.request_stop();
    if (!m_thread.joinable()) {
        m_thread = std::jthread([this](std::stop_token stop) { run(stop); });
    }
    m_changed.notify_all();
}

void OrderPoller::stop() {
    if (m_thread.joinable()) {
        m_thread.request_stop();
        m_thread.join();
    }
}

void OrderPoller::wait(std::stop_token token, std::optional<std::chrono::milliseconds> duration) {
    std::unique_lock lock(m_mutex);
    if (duration) {
        m_changed.wait_for(lock, token, *duration, [] { return false; });
    } else {
        m_changed.wait(lock, token, [] { return false; });
    }
}

void OrderPoller::wait_until_due(std::stop_token token, const clock::Clock& clock,
                                 clock::Millis due_ms,
                                 std::chrono::steady_clock::time_point real_due) {
    while (!token.stop_requested()) {
        const auto real_left = std::chrono::duration_cast<std::chrono::milliseconds>(
            real_due - std::chrono::steady_clock::now());
        const auto slice = next_poll_wait(clock, due_ms, real_left);
        if (!slice) {
            return;
        }
        wait(token, *slice);
    }
}

void OrderPoller::run(std::stop_token stop) {
    while (!stop.stop_requested()) {
        PollerOptions options;
        std::stop_source session;
        {
            std::unique_lock lock(m_mutex);
            if (!m_changed.wait(lock, stop, [this] { return m_pending.has_value(); })) {
                break;
            }
            options = std::move(*m_pending);
            m_pending.reset();
            m_session = std::stop_source();
            session = m_session;
        }
        m_paused = false;
        if (!options.rakuten.enabled) {
            m_logger.info("poller.disabled", {{"key", "rakuten.enabled"}});
            continue;
        }
        // Stopping the thread also ends the session's waits.
        std::stop_callback forward(stop, [session]() mutable { session.request_stop(); });
        run_session(options, session.get_token());
    }
}

void OrderPoller::run_session(const PollerOptions& options, std::stop_token session) {
    rakuten::ClientOptions client_options{options.rakuten.base_url, options.rakuten.timeout,
                                          options.rakuten.request_interval, options.retry};
    rakuten::RmsClient client(
        client_options,
        {options.rakuten.service_secret.reveal(), options.rakuten.license_key.reveal()}, session);
    client.set_throttle_observer([this](const rakuten::ThrottleNotice& notice) {
        m_logger.warn("rms.throttled",
                      {{"function", notice.function},
                       {"retry_in", notice.delay},
                       {"interval", notice.interval},
                       {"action", "RMS answered 403 (request thresholds): slowing down for the "
                                  "rest of this poll and retrying"}});
    });
    client.set_retry_observer([this](const rakuten::RetryNotice& notice) {
        m_logger.warn("rms.retry", {{"function", notice.function},
                                    {"retry", notice.retry},
                                    {"delay", notice.delay},
                                    {"error", notice.cause.message}});
    });
    m_logger.info("poller.started", {{"base_url", options.rakuten.base_url},
                                     {"poll_interval", options.rakuten.poll_interval},
                                     {"carriers", options.carriers.size()}});
    OrderSync sync(m_store, options, client, m_logger);
    static const clock::SystemClock k_real_time;
    const clock::Clock& interval_clock =
        options.interval_clock ? *options.interval_clock : k_real_time;
    if (m_freshness.lag_seconds() < 0) {
        m_freshness.started();
    }
    while (!session.stop_requested()) {
        const auto started = std::chrono::steady_clock::now();
        const auto started_ms = interval_clock.now_ms();
        auto result = sync.poll();
        ++m_polls;
        if (result) {
            m_freshness.succeeded(started);
        }
        const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
            std::chrono::steady_clock::now() - started);
        if (result) {
            m_logger.info("poll.done", {{"searched", result->searched},
                                        {"fetched", result->fetched},
                                        {"placed", result->placed},
                                        {"shipped", result->shipped},
                                        {"cancelled", result->cancelled},
                                        {"backfilled", result->backfilled},
                                        {"problems", result->problems},
                                        {"took", took}});
            if (m_on_facts && result->placed + result->shipped + result->cancelled > 0) {
                m_on_facts();
            }
        } else if (result.error().cancelled) {
            break;
        } else if (result.error().unauthorized) {
            m_paused = true;
            m_logger.error("rms.unauthorized",
                           {{"error", result.error().message}, {"action", renew_hint()}});
            wait(session, std::nullopt);
            break;
        } else {
            m_logger.warn("poll.failed", {{"error", result.error().message},
                                          {"action", "retrying at the next poll"},
                                          {"next_in", options.rakuten.poll_interval}});
        }
        // Polls start every poll_interval (a slow poll does not push the next one back), so
        // an order waits at most one interval before a search sees it.
        const auto interval =
            std::chrono::duration_cast<std::chrono::milliseconds>(options.rakuten.poll_interval);
        wait_until_due(session, interval_clock, started_ms + interval.count(), started + interval);
    }
    m_logger.info("poller.stopped");
}

} // namespace musubi::rakuten_poller
