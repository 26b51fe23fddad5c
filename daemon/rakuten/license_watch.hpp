#pragma once
// Watches the RMS license key's expiry (keys live 90 days; see rakuten-rms.md). At start and
// then once a day it asks RMS when the key in use expires and logs:
//   - more than k_license_warn_days left: one info line;
//   - from k_license_warn_days before: a warning every day with the days left and what to do
//     (the hand-over: issuing a new key in RMS stops the old one at once, so check the new
//     one with `musubictl rms check-key`, put it in the secret file, `systemctl restart`);
//   - expired, or refused by RMS (401): an error with the same steps.
// The days left are kept for status and metrics (days_left()). A failed lookup (RMS down) is
// logged and tried again an hour later. Polling itself is not paused here: the order poller
// pauses on its own 401.

#include <atomic>
#include <chrono>
#include <climits>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>

#include <tl/expected.hpp>

#include "connectors/rakuten/rms_client.hpp"
#include "daemon/clock/clock.hpp"
#include "daemon/config/config.hpp"
#include "daemon/log/log.hpp"

namespace musubi::rakuten_poller {

inline constexpr int k_license_warn_days = 14;
inline constexpr std::chrono::hours k_license_check_every{24};
inline constexpr std::chrono::hours k_license_retry_after{1};

enum class LicenseState {
    unknown,  // not looked up yet, or the lookup failed
    valid,    // more than k_license_warn_days left
    expiring, // k_license_warn_days or fewer left
    expired,  // past the expiry date, or RMS refused the key (401)
};
std::string_view to_string(LicenseState state);

struct LicenseStatus {
    LicenseState state = LicenseState::unknown;
    // Whole JST calendar days until the expiry day: 0 = it expires today (at 23:59:59 JST),
    // negative once past. Meaningless for `unknown` and for a refused key.
    int days_left = 0;
    std::optional<rakuten::TimePoint> expiry;
};

// The status of a key expiring at `expiry`, seen at `now_ms`.
LicenseStatus assess_license(rakuten::TimePoint expiry, clock::Millis now_ms);

// What an operator does to renew the key, for log lines.
std::string license_renew_steps();

class LicenseWatch {
public:
    // `logger_name` like the poller's, e.g. "rakuten:my-shop".
    explicit LicenseWatch(std::string logger_name = "rakuten");
    ~LicenseWatch();
    LicenseWatch(const LicenseWatch&) = delete;
    LicenseWatch& operator=(const LicenseWatch&) = delete;

    // Starts the thread (if needed) and checks at once with these credentials; again later =
    // a reload (a renewed key is checked at once). With rakuten.enabled false it idles.
    void reload(config::RakutenConfig config, std::shared_ptr<const clock::Clock> clock);
    void stop();

    // One lookup and its log line, synchronously (the thread's daily step; tests call it).
    LicenseStatus check(rakuten::RmsClient& client, const clock::Clock& clock);

    // For status and metrics: the last known days left (see LicenseStatus), nullopt until a
    // lookup succeeded (or after RMS refused the key).
    std::optional<int> days_left() const;
    LicenseState state() const { return m_state.load(); }
    std::int64_t checks() const { return m_checks.load(); }

private:
    void run(std::stop_token stop);

    log::Logger m_logger;
    std::mutex m_mutex;
    std::condition_variable_any m_changed;
    std::optional<config::RakutenConfig> m_config;
    std::shared_ptr<const clock::Clock> m_clock;
    std::uint64_t m_generation = 0;
    std::atomic<int> m_days_left{INT_MIN}; // INT_MIN: unknown
    std::atomic<LicenseState> m_state{LicenseState::unknown};
    std::atomic<std::int64_t> m_checks{0};
    std::jthread m_thread;
};

} // namespace musubi::rakuten_poller
