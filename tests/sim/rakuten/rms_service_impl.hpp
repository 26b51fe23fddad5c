#pragma once
// The RMS Service behind make_rms_service: routes RMS API requests (faults, then ESA auth,
// then the function) and the /_sim/rakuten control routes (CONTROL.md). One mutex serialises
// everything, so the server may call handle(), control() and tick() from any thread.

#include <deque>
#include <memory>
#include <mutex>
#include <random>

#include "../core/clock.hpp"
#include "../core/service.hpp"
#include "faults.hpp"
#include "generator.hpp"
#include "license.hpp"
#include "limits.hpp"
#include "order_store.hpp"
#include "script.hpp"
#include "settings.hpp"

namespace musubi::sim::rakuten {

// One API request as the simulator saw it, for tests that check what the client did.
struct LedgerEntry {
    EpochSeconds at = 0;
    std::string method, path;
    int status = 0;
    std::string fault; // "", "throttled", "error", "slow", "drop", "maintenance", "license_expired"
};

class RmsService : public Service {
public:
    RmsService(Clock& clock, RmsSettings settings);

    std::string_view name() const override { return "rakuten"; }
    std::optional<Response> handle(const Request& request) override;
    std::optional<Response> control(const Request& request) override;
    void tick() override;

private:
    void reset_locked();
    EpochSeconds now() const;
    Response answer_api(const Request& request, EpochSeconds now, std::string& fault);
    Response license_expiry(const Request& request);
    void record(const Request& request, const Response& response, const std::string& fault,
                EpochSeconds at);
    // Advances the generator and runs the script steps that are due.
    void catch_up(EpochSeconds at);
    void schedule_step(ScriptStep step, EpochSeconds loaded);

    // Control routes (rms_control.cpp).
    std::optional<Response> control_locked(const Request& request);
    Response control_state();
    Response control_faults(const Request& request);
    Response control_limits(const Request& request);
    Response control_license(const Request& request, const std::string& action);
    Response control_generator(const Request& request);
    Response control_add_order(const Request& request);
    Response control_generate(const Request& request);
    Response control_list_orders(const Request& request);
    Response control_order(const Request& request, const std::string& number,
                           const std::string& action);
    Response control_buyers(const Request& request, const std::string& id);
    Response control_reviews(const Request& request);
    Response control_requests(const Request& request);
    Response control_script(const Request& request, const std::string& action);
    Response control_modes(const Request& request);
    nlohmann::json order_summary(std::uint32_t index) const;
    nlohmann::json buyer_json(std::uint32_t id) const;
    nlohmann::json license_json(const LicenseKey& key, EpochSeconds now) const;

    std::mutex m_mutex;
    Clock& m_clock;
    const RmsSettings m_initial;
    RmsSettings m_settings;
    OrderStore m_store;
    std::unique_ptr<OrderGenerator> m_generator;
    Licenses m_licenses;
    Faults m_faults;
    Throttle m_throttle;
    WireModes m_modes; // from the settings; changed by POST /modes
    std::mt19937_64 m_review_random;
    std::deque<LedgerEntry> m_ledger;
    std::uint64_t m_requests = 0;
    std::uint64_t m_issued_keys = 0;
    std::string m_last_order_number; // what "{last}" in a script route stands for
    struct PendingStep {
        EpochSeconds due;
        std::uint64_t sequence;
        ScriptStep step;
    };
    std::vector<PendingStep> m_pending; // sorted by (due, sequence)
    std::deque<ScriptOutcome> m_script_done;
    std::uint64_t m_step_sequence = 0;
};

} // namespace musubi::sim::rakuten
