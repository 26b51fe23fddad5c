#pragma once
// Keeps each following friend's per-user rich menu on LINE equal to the menu their segment
// asks for (richmenus.yaml `segments:`), and records every change (rich_menu_changes).
//
// Each pass, in order:
//   1. provisioning (at start, after a reload, and again when it stopped early: LINE's 429,
//      a 5xx, the 100/hour create limit), so that the current menus exist on LINE;
//   2. a full pass over every friend when the segment → menu map changed (or on first start);
//   3. friends whose segment changed (segment_changes, by the cursor `richmenus:segment_change`);
//   4. follows and unfollows (friend facts, by `richmenus:fact`): an unfollow marks the record
//      stale, a follow after it applies the desired menu again (LINE may have dropped it);
//   5. menus replaced by the provisioner: their friends are linked to the new menu, then the
//      old one is deleted on LINE (Provisioner::retire);
//   6. every `spot_check_interval`, `spot_check_size` friends (least recently checked first)
//      are looked up on LINE (GET /v2/bot/user/{id}/richmenu); a menu their desired menu
//      cannot lead to is drift, repaired and recorded with why "drift".
// Differences go to LINE by bulk link / unlink, 500 friends a call grouped by target menu,
// within LINE's 2,000 requests/s (a token bucket in real time). A 429, a 5xx or a timeout
// stops the pass: what was sent is recorded, what was not is found again after a backoff
// (cursors only move with the records of the last batch of their page).

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>

#include <tl/expected.hpp>

#include "connectors/line/messaging_client.hpp"
#include "daemon/clock/clock.hpp"
#include "daemon/config/config.hpp"
#include "daemon/dispatch/token_bucket.hpp"
#include "daemon/log/log.hpp"
#include "daemon/richmenus/desired.hpp"
#include "daemon/richmenus/menu_config.hpp"
#include "daemon/richmenus/provisioner.hpp"
#include "daemon/store/rich_menu_links.hpp"
#include "daemon/store/rich_menus.hpp"

namespace musubi::richmenus {

inline constexpr const char* k_segment_cursor = "richmenus:segment_change";
inline constexpr const char* k_fact_cursor = "richmenus:fact";
inline constexpr const char* k_mapping_cursor = "richmenus:mapping";

struct ReconcilerSettings {
    std::chrono::milliseconds interval{std::chrono::seconds(10)}; // real time between idle looks
    std::chrono::milliseconds spot_check_interval{std::chrono::hours(1)}; // clock time
    std::size_t spot_check_size = 100;
    std::size_t page_size = 5000;       // friends read per query
    double link_rate_per_second = 2000; // LINE's limit for the link endpoints
    std::chrono::milliseconds backoff_initial{std::chrono::seconds(1)};
    std::chrono::milliseconds backoff_max{std::chrono::minutes(5)};
    ProvisionerSettings provisioner;
};

// richmenu_sync from musubi.yaml, the rest as LINE's limits say.
ReconcilerSettings reconciler_settings(const config::Config& config);

// What the reconciler has done since it started (for the log, status and the benchmark).
struct ReconcilerStats {
    std::uint64_t bulk_calls = 0;          // bulk link + bulk unlink requests
    std::uint64_t lookups = 0;             // spot-check GETs
    std::uint64_t linked = 0;              // friends linked
    std::uint64_t unlinked = 0;            // friends unlinked
    std::uint64_t drift_repaired = 0;      // of those, found by the spot check
    std::uint64_t failed_calls = 0;        // calls LINE refused or did not answer
    std::chrono::nanoseconds rate_wait{0}; // time spent waiting on the rate limit
};

struct PassResult {
    bool more = false;    // a page was full: run again before sleeping
    bool stopped = false; // LINE or the store failed: backing off
};

class Reconciler {
public:
    Reconciler(line::MessagingClient& client, store::RichMenus& menus, store::RichMenuLinks& links,
               std::shared_ptr<const clock::Clock> clock, ReconcilerSettings settings = {});
    ~Reconciler();
    Reconciler(const Reconciler&) = delete;
    Reconciler& operator=(const Reconciler&) = delete;

    // New menus (start, reload): provisioned at the next pass, then friends follow.
    void reload(std::shared_ptr<const RichMenuSet> set, ReconcilerSettings settings);
    // One pass (see above); the thread calls it, and tests and the benchmark call it directly.
    PassResult run_pass();
    // The spot check now, whatever its schedule (tests).
    PassResult spot_check_now();

    void start();
    void stop();
    void wake();

    ReconcilerStats stats() const;

private:
    struct Step {
        bool ok = true;
        bool more = false;
    };
    std::shared_ptr<const RichMenuSet> menu_set() const;
    void take_settings();
    bool backing_off() const;
    void back_off(const std::string& why);
    bool load_cursors();
    Step provision(const RichMenuSet& set);
    Step full_pass(const RichMenuSet& set, const MenuIds& ids);
    Step segment_changes(const RichMenuSet& set, const MenuIds& ids);
    Step follows(const RichMenuSet& set, const MenuIds& ids);
    Step moves(const RichMenuSet& set, const MenuIds& ids);
    Step spot_check(const RichMenuSet& set, const MenuIds& ids);
    // Sends the plan in batches and records each batch; `cursor` goes with the last one.
    bool execute(Plan& plan, const std::optional<std::pair<std::string, std::string>>& cursor);
    bool send_batch(const std::optional<std::string>& rich_menu_id,
                    const std::vector<LinkAction>& batch, bool& skipped);
    void take_token();
    bool store_ok(const tl::expected<void, store::StoreError>& result, const char* doing);
    template <class T>
    bool store_ok(const tl::expected<T, store::StoreError>& result, const char* doing) {
        if (result) {
            return true;
        }
        store_failed(result.error(), doing);
        return false;
    }
    void store_failed(const store::StoreError& error, const char* doing);
    void loop(std::stop_token stop);

    line::MessagingClient& m_client;
    store::RichMenus& m_menus;
    store::RichMenuLinks& m_links;
    std::shared_ptr<const clock::Clock> m_clock;
    Provisioner m_provisioner;

    mutable std::mutex m_config_mutex;
    std::shared_ptr<const RichMenuSet> m_set;
    ReconcilerSettings m_settings;
    bool m_provision_due = false;

    // Touched by the pass only (one at a time).
    std::mutex m_pass_mutex;
    ReconcilerSettings m_active; // m_settings as the pass started
    bool m_cursors_loaded = false;
    std::int64_t m_segment_cursor = 0;
    std::int64_t m_fact_cursor = 0;
    std::string m_applied_mapping;
    std::optional<std::int64_t> m_sweep_after; // the full pass's position, while one runs
    std::optional<std::int64_t> m_next_spot_check_ms;
    std::chrono::steady_clock::time_point m_provision_after{};
    std::chrono::steady_clock::time_point m_backoff_until{};
    std::chrono::milliseconds m_backoff{0};
    std::uint64_t m_skipped_batches = 0; // batches LINE refused for good
    dispatch::TokenBucket m_bucket;

    mutable std::mutex m_stats_mutex;
    ReconcilerStats m_stats;

    std::mutex m_wake_mutex;
    std::condition_variable_any m_wake;
    bool m_woken = false;
    std::jthread m_thread;
    log::Logger m_log{"richmenu"};
};

} // namespace musubi::richmenus
