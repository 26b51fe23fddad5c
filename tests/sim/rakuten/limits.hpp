#pragma once
// RMS's request thresholds and searchOrder's 15,000-hit cap as the simulator plays them
// (CONTROL.md, "Limits"). RMS does not publish its thresholds; over one it answers HTTP 403
// (`QPSLimit` per second, `AccessLimit` per minute), so a client must slow down and retry.
//  - per_second / per_minute: an API request after that many were accepted within the last
//    second / minute of real time (a sliding window) is refused with 403; refused requests do
//    not count toward the thresholds. 0 = no threshold.
//  - cap_total_records: searchOrder's totalRecordsAmount (and totalPages) stop at 15,000, as
//    RMS may do, so that a client cannot rely on seeing the true total.
// Not thread-safe (the service's mutex guards it).

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "../core/service.hpp"

namespace musubi::sim::rakuten {

struct LimitSettings {
    int per_second = 0;
    int per_minute = 0;
    bool cap_total_records = false;
};

// The JSON GET /limits shows (settings in camelCase, with the counters added by the caller).
nlohmann::json limit_settings_json(const LimitSettings& settings);
// Applies the keys present in `patch`; returns an error text naming a bad key or value.
std::optional<std::string> apply_limit_patch(LimitSettings& settings, const nlohmann::json& patch);

class Throttle {
public:
    using Instant = std::chrono::steady_clock::time_point;

    // New thresholds; the requests already counted still count.
    void configure(const LimitSettings& settings) { m_settings = settings; }
    const LimitSettings& settings() const { return m_settings; }

    // nullopt: the request is accepted (and counted); otherwise the 403 to answer.
    std::optional<Response> admit(Instant now);

    // Counters since the start or the last reset().
    std::uint64_t accepted() const { return m_accepted; }
    std::uint64_t throttled_per_second() const { return m_per_second_refused; }
    std::uint64_t throttled_per_minute() const { return m_per_minute_refused; }
    std::uint64_t throttled() const { return m_per_second_refused + m_per_minute_refused; }
    // Counters to zero and the windows emptied.
    void reset();

    // The counters as JSON: {"accepted","throttled","throttledPerSecond","throttledPerMinute"}.
    nlohmann::json counters_json() const;

private:
    LimitSettings m_settings;
    std::deque<Instant> m_recent; // accepted requests of the last minute, oldest first
    std::uint64_t m_accepted = 0;
    std::uint64_t m_per_second_refused = 0;
    std::uint64_t m_per_minute_refused = 0;
};

} // namespace musubi::sim::rakuten
