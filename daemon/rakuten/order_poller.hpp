#pragma once
// The Rakuten order poller: every poll_interval it asks RMS for new, shipped and cancelled
// orders and applies each to the store, which records every state change once as a fact.
//
// Three queries per poll:
//  - placed:    dateType 1 (order date) from the 'rakuten:orders.placed' cursor;
//  - shipped:   dateType 5 (shipping completion report), progress 500/600/700, from the
//               'rakuten:orders.shipped' cursor;
//  - cancelled: dateType 1, progress 800/900, over the last cancel_window (30 days): a
//               cancellation has no date RMS can search by, so the recent orders are re-read.
// Each query only fetches (getOrder) the orders whose fact is not recorded yet. A cursor is
// the end of the last search that was applied completely; the next search starts `overlap`
// before it, for orders RMS indexes late. Re-reading is harmless: facts have natural keys.
//
// The cancellation sweep: once every cancel_sweep_interval (a day), dateType 1 + progress 900
// over RMS's whole 730 days in windows of at most 62 days (numbers only: about a dozen
// searches), then getOrder for the numbers of stored orders whose cancellation is not
// recorded yet. So an order cancelled long after it was placed (day 45 of an order whose
// review request is due on day 47) still becomes an order.cancelled fact. When the sweep last
// completed is the cursor 'rakuten:cancel_sweep': a restart neither repeats nor skips it.
//
// A 403 (RMS's request thresholds) is retried by the client like a 503 and slows its pace for
// the rest of the poll (each poll starts at the configured request_interval again); the first
// 403 of an episode is logged once as rms.throttled.
//
// First start (no cursors): history = max(backfill_horizon, 30 days) is read, so that repeat
// buyers are recognised from the start. The horizon (first start − backfill_horizon) is
// stored in the cursor 'rakuten:horizon' and never moves: an order placed before it is stored
// with triggers = 0 and its facts already processed (store::Triggers::no).
//
// Polls start every poll_interval on `interval_clock`: the system clock in production,
// musubi-sim's clock when musubi follows it (clock.follow), so that under the soak's 4000x a
// 1-minute interval is 15 ms of real time, as it is for the engine's waits.
//
// A 401 (expired or wrong license key) pauses polling with one error line until a reload
// brings new credentials; other failures are logged and retried at the next poll.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>

#include <tl/expected.hpp>

#include "connectors/rakuten/rms_client.hpp"
#include "daemon/clock/clock.hpp"
#include "daemon/clock/freshness.hpp"
#include "daemon/config/config.hpp"
#include "daemon/log/log.hpp"
#include "daemon/rakuten/carriers.hpp"
#include "daemon/store/store.hpp"

namespace musubi::rakuten_poller {

inline constexpr std::chrono::days k_min_history{30};
inline constexpr std::chrono::days k_cancel_window{30};
inline constexpr std::chrono::hours k_cancel_sweep_interval{24};

inline constexpr const char* k_cursor_horizon = "rakuten:horizon";
inline constexpr const char* k_cursor_placed = "rakuten:orders.placed";
inline constexpr const char* k_cursor_shipped = "rakuten:orders.shipped";
inline constexpr const char* k_cursor_cancel_sweep = "rakuten:cancel_sweep";

using Clock = std::function<rakuten::TimePoint()>;

struct PollerOptions {
    config::RakutenConfig rakuten;
    std::string hashing_key;
    Carriers carriers;
    Clock clock; // empty: the system clock
    // The clock poll_interval passes on (poller_options() makes it from clock.follow);
    // empty: real time.
    std::shared_ptr<const musubi::clock::Clock> interval_clock;
    rakuten::RetryPolicy retry;
    std::chrono::days history = k_min_history;
    std::chrono::days cancel_window = k_cancel_window;
    std::chrono::hours cancel_sweep_interval = k_cancel_sweep_interval;
};

PollerOptions poller_options(const config::Config& config, Carriers carriers);

// The longest real-time sleep between two looks at the interval clock: a simulator that changes
// speed (the soak starts its clock after musubi's first poll) is noticed within a second.
inline constexpr std::chrono::milliseconds k_max_wait_slice{1000};

// How long to sleep before looking at `clock` again, the next poll being due at `due_ms` on it
// and `real_left` of real time away at the latest; nullopt: poll now. The real-time bound is
// the interval as it was before clocks were followed: a clock that stands still (a frozen
// simulator) or jumps back (the system clock set back) never holds polls back longer.
std::optional<std::chrono::milliseconds> next_poll_wait(const musubi::clock::Clock& clock,
                                                        musubi::clock::Millis due_ms,
                                                        std::chrono::milliseconds real_left);

struct PollCounts {
    int searched = 0; // order numbers found by the three searches
    int fetched = 0;  // orders read with getOrder
    int placed = 0;   // facts recorded
    int shipped = 0;
    int cancelled = 0;
    int backfilled = 0; // new orders older than the horizon
    int problems = 0;   // orders that could not be read or stored
    bool swept = false; // the cancellation sweep ran in this poll
};

struct PollError {
    bool unauthorized = false;
    bool cancelled = false; // stop requested
    std::string message;
};

// One poll, synchronously (the thread below calls it; tests call it directly).
class OrderSync {
public:
    OrderSync(store::Store& store, const PollerOptions& options, rakuten::RmsClient& client,
              const log::Logger& logger)
        : m_store(store)
        , m_options(options)
        , m_client(client)
        , m_logger(logger) {}

    tl::expected<PollCounts, PollError> poll();
    // Reads one order with getOrder and applies it as a poll would (a friend linking with an
    // order the poller has not seen yet). true: RMS knew it.
    tl::expected<bool, PollError> fetch(const std::string& order_number);

private:
    struct Query;
    tl::expected<void, PollError> run(const Query& query, rakuten::TimePoint now,
                                      rakuten::TimePoint horizon, PollCounts& counts);
    tl::expected<rakuten::TimePoint, PollError> horizon(rakuten::TimePoint now);
    tl::expected<rakuten::TimePoint, PollError> start_of(const Query& query,
                                                         rakuten::TimePoint now);
    // The daily cancellation sweep, when it is due.
    tl::expected<void, PollError>
    sweep_cancellations(rakuten::TimePoint now, rakuten::TimePoint horizon, PollCounts& counts);
    tl::expected<bool, PollError> sweep_due(rakuten::TimePoint now);
    // Logs what a search could not list (a second with over 15,000 hits) as problems.
    void report_search_problems(const char* query, const std::vector<std::string>& problems,
                                PollCounts& counts);
    // getOrder for `numbers`, a hundred at a time, each batch stored as soon as it arrives.
    tl::expected<void, PollError> fetch_and_apply(const std::vector<std::string>& numbers,
                                                  rakuten::TimePoint now,
                                                  rakuten::TimePoint horizon, PollCounts& counts);
    // Stores fetched orders, a hundred a transaction (an order that fails fails alone).
    // Returns the first store failure: the caller must then not move its cursor past these
    // orders (a full disk or a read-only store would otherwise lose their facts for good).
    std::optional<store::StoreError> apply(const std::vector<rakuten::Order>& orders,
                                           rakuten::TimePoint now, rakuten::TimePoint horizon,
                                           PollCounts& counts);
    bool count_applied(store::Triggers triggers,
                       const tl::expected<store::AppliedOrder, store::StoreError>& applied,
                       PollCounts& counts);

    store::Store& m_store;
    const PollerOptions& m_options;
    rakuten::RmsClient& m_client;
    const log::Logger& m_logger;
};

// The poller's thread. start()/reload() never block on RMS: the thread takes the new options
// as soon as its current request ends.
class OrderPoller {
public:
    // `logger_name` e.g. "rakuten:my-shop" (its level comes from log.levels.rakuten);
    // `on_facts` is told after a poll that recorded facts (the engine wakes at once).
    explicit OrderPoller(store::Store& store, std::string logger_name = "rakuten",
                         std::function<void()> on_facts = {});
    ~OrderPoller();
    OrderPoller(const OrderPoller&) = delete;
    OrderPoller& operator=(const OrderPoller&) = delete;

    // Starts the thread (if needed) with these options; again later = a reload. With
    // rakuten.enabled false the thread idles.
    void reload(PollerOptions options);
    // Stops and joins; a request in flight runs to its timeout.
    void stop();

    // For status and tests.
    std::int64_t polls() const { return m_polls.load(); }
    bool paused() const { return m_paused.load(); }
    // Seconds since the start of the last poll that succeeded (-1 before the poller started).
    double lag_seconds() const { return m_freshness.lag_seconds(); }

private:
    void run(std::stop_token stop);
    void run_session(const PollerOptions& options, std::stop_token session);
    void wait(std::stop_token token, std::optional<std::chrono::milliseconds> duration);
    // Waits until `due_ms` on `clock` (or `real_due`, whichever comes first), or a stop.
    void wait_until_due(std::stop_token token, const musubi::clock::Clock& clock,
                        musubi::clock::Millis due_ms,
                        std::chrono::steady_clock::time_point real_due);

    store::Store& m_store;
    log::Logger m_logger;
    std::function<void()> m_on_facts;
    std::mutex m_mutex;
    std::condition_variable_any m_changed;
    std::optional<PollerOptions> m_pending;
    std::stop_source m_session;
    std::atomic<std::int64_t> m_polls{0};
    clock::Freshness m_freshness;
    std::atomic<bool> m_paused{false};
    std::jthread m_thread;
};

} // namespace musubi::rakuten_poller
