#pragma once
// Faults injected into RMS API answers (never into control routes): seeded random rates of
// errors (503 by default), slow answers and dropped connections; counted one-shot faults for
// deterministic tests ("the next 3 requests answer 503"); a maintenance switch (every request
// 503); and an "expired license key" switch (every request 401). Not thread-safe.

#include <chrono>
#include <cstdint>
#include <optional>
#include <random>

#include <nlohmann/json.hpp>

#include "../core/service.hpp"

namespace musubi::sim::rakuten {

struct FaultSettings {
    double error_rate{0};
    int error_status{503};
    double slow_rate{0};
    int slow_ms{3000};
    double drop_rate{0};
    int fail_next{0};
    int slow_next{0};
    int drop_next{0};
    bool maintenance{false};
    bool license_expired{false};
    std::uint64_t seed{1};
};

// The JSON a control route shows and takes (field names as in FaultSettings, camelCase).
nlohmann::json fault_settings_json(const FaultSettings& settings);
// Applies the keys present in `patch`; returns an error text naming a bad key or value.
std::optional<std::string> apply_fault_patch(FaultSettings& settings, const nlohmann::json& patch);

class Faults {
public:
    explicit Faults(FaultSettings settings = {}) { configure(settings); }

    void configure(FaultSettings settings);
    const FaultSettings& settings() const { return m_settings; }
    bool license_expired() const { return m_settings.license_expired; }

    // What this request suffers: an answer that replaces the real one (error or dropped
    // connection) or nothing; `delay` is set when the real answer must come slowly.
    struct Decision {
        std::optional<Response> replacement;
        std::chrono::milliseconds delay{0};
    };
    Decision decide();

    std::uint64_t injected() const { return m_injected; }

private:
    bool roll(double rate);

    FaultSettings m_settings;
    std::mt19937_64 m_random;
    std::uint64_t m_injected = 0;
};

// RMS's answer body for errors outside an order function's own MessageModelList.
nlohmann::json es_error_body(const std::string& code, const std::string& message);

} // namespace musubi::sim::rakuten
