#include "limits.hpp"

#include <algorithm>

#include "faults.hpp"

namespace musubi::sim::rakuten {

using nlohmann::json;

json limit_settings_json(const LimitSettings& settings) {
    return json{{"perSecond", settings.per_second},
                {"perMinute", settings.per_minute},
                {"capTotalRecords", settings.cap_total_records}};
}

std::optional<std::string> apply_limit_patch(LimitSettings& settings, const json& patch) {
    if (!patch.is_object()) {
        return "the body must be a JSON object";
    }
    LimitSettings next = settings;
    for (const auto& [key, value] : patch.items()) {
        auto count = [&](int& out) -> bool {
            if (!value.is_number_integer() || value.get<std::int64_t>() < 0 ||
                value.get<std::int64_t>() > 1000000) {
                return false;
            }
            out = value.get<int>();
            return true;
        };
        bool ok = false;
        if (key == "perSecond") {
            ok = count(next.per_second);
        } else if (key == "perMinute") {
            ok = count(next.per_minute);
        } else if (key == "capTotalRecords") {
            ok = value.is_boolean();
            if (ok) {
                next.cap_total_records = value.get<bool>();
            }
        } else {
            return "unknown limit '" + key + "'; valid: perSecond, perMinute, capTotalRecords";
        }
        if (!ok) {
            return "bad value for '" + key + "': " +
                   (key == "capTotalRecords" ? std::string("true or false")
                                             : std::string("a whole number of requests, 0 = off"));
        }
    }
    settings = next;
    return std::nullopt;
}

std::optional<Response> Throttle::admit(Instant now) {
    while (!m_recent.empty() && now - m_recent.front() >= std::chrono::minutes(1)) {
        m_recent.pop_front();
    }
    if (m_settings.per_second > 0) {
        const auto second_ago = now - std::chrono::seconds(1);
        const auto in_last_second = static_cast<std::size_t>(
            m_recent.end() - std::upper_bound(m_recent.begin(), m_recent.end(), second_ago));
        if (in_last_second >= static_cast<std::size_t>(m_settings.per_second)) {
            ++m_per_second_refused;
            return Response::json(
                403, es_error_body("QPSLimit", "Requests per second exceed the threshold."));
        }
    }
    if (m_settings.per_minute > 0 &&
        m_recent.size() >= static_cast<std::size_t>(m_settings.per_minute)) {
        ++m_per_minute_refused;
        return Response::json(
            403, es_error_body("AccessLimit", "Requests per minute exceed the threshold."));
    }
    m_recent.push_back(now);
    ++m_accepted;
    return std::nullopt;
}

void Throttle::reset() {
    m_recent.clear();
    m_accepted = 0;
    m_per_second_refused = 0;
    m_per_minute_refused = 0;
}

json Throttle::counters_json() const {
    return json{{"accepted", m_accepted},
                {"throttled", throttled()},
                {"throttledPerSecond", m_per_second_refused},
                {"throttledPerMinute", m_per_minute_refused}};
}

} // namespace musubi::sim::rakuten
