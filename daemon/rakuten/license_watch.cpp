#include "daemon/rakuten/license_watch.hpp"

namespace musubi::rakuten_poller {

namespace {

using std::chrono::days;
using std::chrono::floor;
using std::chrono::milliseconds;

std::string jst_date(rakuten::TimePoint at) {
    return rakuten::format_rms_date(floor<days>(at + rakuten::k_jst_offset));
}

} // namespace

std::string_view to_string(LicenseState state) {
    switch (state) {
    case LicenseState::unknown:
        return "unknown";
    case LicenseState::valid:
        return "valid";
    case LicenseState::expiring:
        return "expiring";
    case LicenseState::expired:
        return "expired";
    }
    return "unknown";
}

LicenseStatus assess_license(rakuten::TimePoint expiry, clock::Millis now_ms) {
    const auto now =
        floor<std::chrono::seconds>(std::chrono::sys_time<milliseconds>(milliseconds(now_ms)));
    // Calendar days in JST: a key expiring at 23:59:59 JST has "0 days left" on its last day.
    const auto today = floor<days>(now + rakuten::k_jst_offset);
    const auto last_day = floor<days>(expiry + rakuten::k_jst_offset);
    LicenseStatus status;
    status.expiry = expiry;
    status.days_left = static_cast<int>((last_day - today).count());
    if (now > expiry) {
        status.state = LicenseState::expired;
    } else if (status.days_left <= k_license_warn_days) {
        status.state = LicenseState::expiring;
    } else {
        status.state = LicenseState::valid;
    }
    return status;
}

std::string license_renew_steps() {
    return rakuten::license_handover_steps();
}

LicenseWatch::LicenseWatch(std::string logger_name)
    : m_logger(std::move(logger_name)) {}

LicenseWatch::~LicenseWatch() {
    stop();
}

std::optional<int> LicenseWatch::days_left() const {
    const int days = m_days_left.load();
    return days == INT_MIN ? std::nullopt : std::optional<int>(days);
}

void LicenseWatch::reload(config::RakutenConfig config, std::shared_ptr<const clock::Clock> clock) {
    std::lock_guard lock(m_mutex);
    m_config = std::move(config);
    m_clock = clock ? std::move(clock) : std::make_shared<clock::SystemClock>();
    ++m_generation;
    if (!m_thread.joinable()) {
        m_thread = std::jthread([this](std::stop_token stop) { run(stop); });
    }
    m_changed.notify_all();
}

void LicenseWatch::stop() {
    if (m_thread.joinable()) {
        m_thread.request_stop();
        m_thread.join();
    }
}

LicenseStatus LicenseWatch::check(rakuten::RmsClient& client, const clock::Clock& clock) {
    ++m_checks;
    auto expiry = client.license_expiry();
    if (!expiry) {
        if (expiry.error().kind == rakuten::ErrorKind::unauthorized) {
            m_state = LicenseState::expired;
            m_days_left = INT_MIN;
            m_logger.error("license.refused",
                           {{"error", expiry.error().message},
                            {"meaning", "the license key expired, is wrong, or was replaced by "
                                        "a newly issued key; order polling stops until the "
                                        "key in use is one RMS accepts"},
                            {"action", license_renew_steps()}});
            return LicenseStatus{LicenseState::expired, 0, std::nullopt};
        }
        if (expiry.error().kind == rakuten::ErrorKind::function_not_enabled) {
            // Not the key's fault: orders may still be read. Ask again in an hour.
            m_logger.error("license.lookup_not_enabled",
                           {{"error", expiry.error().message},
                            {"meaning", "musubi cannot see when the license key expires, so it "
                                        "cannot warn before it does"},
                            {"next_in", milliseconds(k_license_retry_after)}});
            return LicenseStatus{};
        }
        // Keep what we knew: a passing RMS outage does not change the key's expiry.
        m_logger.warn("license.lookup_failed", {{"error", expiry.error().message},
                                                {"action", "trying again in an hour"},
                                                {"next_in", milliseconds(k_license_retry_after)}});
        return LicenseStatus{};
    }
    const LicenseStatus status = assess_license(*expiry, clock.now_ms());
    m_days_left = status.days_left;
    m_state = status.state;
    const std::string expires = rakuten::format_rms_datetime(*expiry);
    switch (status.state) {
    case LicenseState::valid:
        m_logger.info("license.valid", {{"expires", expires}, {"days_left", status.days_left}});
        break;
    case LicenseState::expiring:
        m_logger.warn("license.expiring",
                      {{"expires", expires},
                       {"days_left", status.days_left},
                       {"action", "before " + jst_date(*expiry) + ", " + license_renew_steps()}});
        break;
    case LicenseState::expired:
        m_logger.error("license.expired", {{"expired", expires},
                                           {"days_ago", -status.days_left},
                                           {"action", license_renew_steps()}});
        break;
    case LicenseState::unknown:
        break;
    }
    return status;
}

void LicenseWatch::run(std::stop_token stop) {
    while (!stop.stop_requested()) {
        config::RakutenConfig config;
        std::shared_ptr<const clock::Clock> clock;
        std::uint64_t generation = 0;
        {
            std::unique_lock lock(m_mutex);
            if (!m_changed.wait(lock, stop, [this] { return m_config.has_value(); })) {
                break;
            }
            config = *m_config;
            clock = m_clock;
            generation = m_generation;
        }
        const auto changed = [&] { return m_generation != generation; };
        if (!config.enabled) {
            std::unique_lock lock(m_mutex);
            m_changed.wait(lock, stop, changed);
            continue;
        }
        // One client per session: a reload's new key gets a client of its own.
        std::stop_source session;
        std::stop_callback forward(stop, [&session] { session.request_stop(); });
        rakuten::ClientOptions options{config.base_url, config.timeout, config.request_interval,
                                       rakuten::RetryPolicy{}};
        rakuten::RmsClient client(options,
                                  {config.service_secret.reveal(), config.license_key.reveal()},
                                  session.get_token());
        while (!stop.stop_requested()) {
            const LicenseStatus status = check(client, *clock);
            const auto next = status.state == LicenseState::unknown
                                  ? milliseconds(k_license_retry_after)
                                  : milliseconds(k_license_check_every);
            std::unique_lock lock(m_mutex);
            if (m_changed.wait_for(lock, stop, clock::real_time(*clock, next), changed)) {
                break; // reloaded: start over with the new configuration
            }
        }
    }
}

} // namespace musubi::rakuten_poller
