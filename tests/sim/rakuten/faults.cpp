#include "faults.hpp"

namespace musubi::sim::rakuten {

using nlohmann::json;

json es_error_body(const std::string& code, const std::string& message) {
    return json{{"Results", {{"errorCode", code}, {"message", message}}}};
}

json fault_settings_json(const FaultSettings& s) {
    return json{{"errorRate", s.error_rate},
                {"errorStatus", s.error_status},
                {"slowRate", s.slow_rate},
                {"slowMs", s.slow_ms},
                {"dropRate", s.drop_rate},
                {"failNext", s.fail_next},
                {"slowNext", s.slow_next},
                {"dropNext", s.drop_next},
                {"maintenance", s.maintenance},
                {"licenseExpired", s.license_expired},
                {"seed", s.seed}};
}

std::optional<std::string> apply_fault_patch(FaultSettings& s, const json& patch) {
    if (!patch.is_object()) {
        return "the body must be a JSON object";
    }
    FaultSettings next = s;
    for (const auto& [key, value] : patch.items()) {
        auto rate = [&](double& out) -> bool {
            if (!value.is_number() || value.get<double>() < 0 || value.get<double>() > 1) {
                return false;
            }
            out = value.get<double>();
            return true;
        };
        auto count = [&](int& out) -> bool {
            if (!value.is_number_integer() || value.get<int>() < 0) {
                return false;
            }
            out = value.get<int>();
            return true;
        };
        auto flag = [&](bool& out) -> bool {
            if (!value.is_boolean()) {
                return false;
            }
            out = value.get<bool>();
            return true;
        };
        bool ok = false;
        if (key == "errorRate") {
            ok = rate(next.error_rate);
        } else if (key == "errorStatus") {
            ok = count(next.error_status) && next.error_status >= 400 && next.error_status <= 599;
        } else if (key == "slowRate") {
            ok = rate(next.slow_rate);
        } else if (key == "slowMs") {
            ok = count(next.slow_ms);
        } else if (key == "dropRate") {
            ok = rate(next.drop_rate);
        } else if (key == "failNext") {
            ok = count(next.fail_next);
        } else if (key == "slowNext") {
            ok = count(next.slow_next);
        } else if (key == "dropNext") {
            ok = count(next.drop_next);
        } else if (key == "maintenance") {
            ok = flag(next.maintenance);
        } else if (key == "licenseExpired") {
            ok = flag(next.license_expired);
        } else if (key == "seed") {
            ok = value.is_number_integer() && value.get<std::int64_t>() >= 0;
            if (ok) {
                next.seed = value.get<std::uint64_t>();
            }
        } else {
            return "unknown fault '" + key +
                   "'; valid: errorRate, errorStatus, slowRate, slowMs, dropRate, failNext, "
                   "slowNext, dropNext, maintenance, licenseExpired, seed";
        }
        if (!ok) {
            return "bad value for '" + key + "': " + value.dump();
        }
    }
    s = next;
    return std::nullopt;
}

void Faults::configure(FaultSettings settings) {
    // Reseeding on every change makes a test's fault sequence independent of earlier tests.
    m_settings = settings;
    m_random.seed(m_settings.seed);
}

bool Faults::roll(double rate) {
    if (rate <= 0) {
        return false;
    }
    return std::uniform_real_distribution<double>(0.0, 1.0)(m_random) < rate;
}

Faults::Decision Faults::decide() {
    Decision decision;
    auto error = [&](int status) {
        ++m_injected;
        const char* code = status == 503 ? "ES05-03" : "ES05-00";
        const char* text = status == 503
                               ? "Service Unavailable: RMS is under maintenance or overloaded."
                               : "Internal Server Error";
        decision.replacement = Response::json(status, es_error_body(code, text));
    };
    if (m_settings.maintenance) {
        error(503);
        return decision;
    }
    if (m_settings.drop_next > 0 || roll(m_settings.drop_rate)) {
        if (m_settings.drop_next > 0) {
            --m_settings.drop_next;
        }
        ++m_injected;
        Response dropped;
        dropped.drop_connection = true;
        decision.replacement = dropped;
        return decision;
    }
    if (m_settings.fail_next > 0 || roll(m_settings.error_rate)) {
        if (m_settings.fail_next > 0) {
            --m_settings.fail_next;
        }
        error(m_settings.error_status);
        return decision;
    }
    if (m_settings.slow_next > 0 || roll(m_settings.slow_rate)) {
        if (m_settings.slow_next > 0) {
            --m_settings.slow_next;
        }
        ++m_injected;
        decision.delay = std::chrono::milliseconds(m_settings.slow_ms);
    }
    return decision;
}

} // namespace musubi::sim::rakuten
