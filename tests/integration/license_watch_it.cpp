// The license-key watch against musubi-sim's expiry lookup: days left and a warning with the
// renewal steps from 14 days before expiry, an error when RMS refuses the expired key, and the
// thread checking at start.

#include <sstream>
#include <thread>

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/sinks/ostream_sink.h>

#include "daemon/rakuten/license_watch.hpp"
#include "support/sim_process.hpp"

using namespace musubi;
using namespace musubi::rakuten_poller;
using namespace std::chrono;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

constexpr const char* k_secret = "SP000000_musubi_sim_secret";
constexpr const char* k_key = "SL000000_musubi_sim_key";
constexpr const char* k_scenario = R"(rakuten:
  service_secret: SP000000_musubi_sim_secret
  license_keys:
    - key: SL000000_musubi_sim_key
)";

// Stands at the simulator's "now".
class FixedClock final : public clock::Clock {
public:
    explicit FixedClock(clock::Millis now)
        : m_now(now) {}
    clock::Millis now_ms() const override { return m_now; }

private:
    clock::Millis m_now;
};

struct CapturedLog {
    std::ostringstream lines;
    CapturedLog() {
        config::LogConfig settings;
        settings.timestamps = config::Timestamps::never;
        log::setup(settings, {std::make_shared<spdlog::sinks::ostream_sink_mt>(lines)});
    }
    ~CapturedLog() { log::setup(config::LogConfig{}); }
};

struct Fixture {
    test::SimProcess sim{k_scenario};
    CapturedLog log;
    clock::Millis now = 0;
    std::shared_ptr<FixedClock> clock;

    Fixture() {
        sim.control_post("/_sim/clock", {{"speed", 0}});
        now = sim.control_get("/_sim/clock")["epoch_ms"].get<clock::Millis>();
        clock = std::make_shared<FixedClock>(now);
    }

    // The key expires at the end of the JST day `days` after the simulator's today.
    void expire_in(int days) const {
        const auto today = floor<std::chrono::days>(sys_time<milliseconds>(milliseconds(now)) + 9h);
        const auto day = today + std::chrono::days(days);
        const std::string date = rakuten::format_rms_date(day);
        sim.control_post("/_sim/rakuten/license/expiry", {{"expiryDate", date + "T23:59:59"}});
    }

    rakuten::RmsClient client() const {
        return rakuten::RmsClient({sim.api_url(), 3000ms, 1ms, rakuten::RetryPolicy{2, 10ms, 50ms}},
                                  {k_secret, k_key});
    }
};

} // namespace

BOOST_AUTO_TEST_SUITE(license_watch)

BOOST_AUTO_TEST_CASE(warns_with_days_left_and_the_steps_from_fourteen_days_before) {
    Fixture f;
    f.expire_in(10);
    LicenseWatch watch;
    auto client = f.client();
    const auto status = watch.check(client, *f.clock);
    BOOST_TEST((status.state == LicenseState::expiring));
    BOOST_TEST(status.days_left == 10);
    BOOST_TEST(watch.days_left().value_or(-1) == 10);
    const std::string lines = f.log.lines.str();
    BOOST_TEST(lines.find("level=warn") != std::string::npos, lines);
    BOOST_TEST(lines.find("event=license.expiring") != std::string::npos, lines);
    BOOST_TEST(lines.find("days_left=10") != std::string::npos, lines);
    BOOST_TEST(lines.find("systemctl restart musubi") != std::string::npos, lines);
    BOOST_TEST(lines.find(k_key) == std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_key_with_time_left_is_only_noted) {
    Fixture f;
    f.expire_in(60);
    LicenseWatch watch;
    auto client = f.client();
    BOOST_TEST((watch.check(client, *f.clock).state == LicenseState::valid));
    BOOST_TEST(watch.days_left().value_or(-1) == 60);
    BOOST_TEST(f.log.lines.str().find("event=license.valid") != std::string::npos);
    BOOST_TEST(f.log.lines.str().find("level=warn") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(an_expired_key_is_an_error_with_the_steps) {
    Fixture f;
    f.sim.control_post("/_sim/rakuten/license/expire", json::object());
    LicenseWatch watch;
    auto client = f.client();
    BOOST_TEST((watch.check(client, *f.clock).state == LicenseState::expired));
    BOOST_TEST((watch.state() == LicenseState::expired));
    BOOST_TEST(!watch.days_left().has_value());
    const std::string lines = f.log.lines.str();
    BOOST_TEST(lines.find("level=error") != std::string::npos, lines);
    BOOST_TEST(lines.find("event=license.refused") != std::string::npos, lines);
    BOOST_TEST(lines.find("rakuten.license_key_file") != std::string::npos, lines);
}

BOOST_AUTO_TEST_CASE(warnings_say_a_new_key_stops_the_old_one_and_give_the_hand_over) {
    Fixture f;
    f.expire_in(3);
    LicenseWatch watch;
    auto client = f.client();
    watch.check(client, *f.clock);
    const std::string lines = f.log.lines.str();
    BOOST_TEST(lines.find("makes the old key unusable at once") != std::string::npos, lines);
    BOOST_TEST(lines.find("musubictl rms check-key --key-file FILE") != std::string::npos, lines);
    BOOST_TEST(lines.find("sudo install -m 600 FILE /etc/musubi/secrets/rms_license_key && sudo "
                          "systemctl restart musubi") != std::string::npos,
               lines);
}

BOOST_AUTO_TEST_CASE(an_expiry_lookup_not_enabled_in_rms_is_named_not_taken_for_a_bad_key) {
    Fixture f;
    f.sim.control_post("/_sim/rakuten/modes", {{"functionsNotEnabled", {"licenseExpiry"}}});
    LicenseWatch watch;
    auto client = f.client();
    BOOST_TEST((watch.check(client, *f.clock).state == LicenseState::unknown));
    BOOST_TEST((watch.state() == LicenseState::unknown));
    const std::string lines = f.log.lines.str();
    BOOST_TEST(lines.find("event=license.lookup_not_enabled") != std::string::npos, lines);
    BOOST_TEST(lines.find("利用機能編集") != std::string::npos, lines);
    BOOST_TEST(lines.find("event=license.refused") == std::string::npos, lines);
}

BOOST_AUTO_TEST_CASE(the_thread_checks_at_start_and_after_a_reload) {
    Fixture f;
    f.expire_in(5);
    LicenseWatch watch;
    config::RakutenConfig config;
    config.enabled = true;
    config.base_url = f.sim.api_url();
    config.service_secret = config::Secret(k_secret, "test");
    config.license_key = config::Secret(k_key, "test");
    config.timeout = 3000ms;
    config.request_interval = 1ms;
    watch.reload(config, f.clock);
    const auto wait_for = [&](int days) {
        for (int i = 0; i < 500 && watch.days_left() != days; ++i) {
            std::this_thread::sleep_for(10ms);
        }
        return watch.days_left() == days;
    };
    BOOST_TEST(wait_for(5));
    // A renewed key (here: a later expiry) is seen at the reload, not a day later.
    f.expire_in(90);
    watch.reload(config, f.clock);
    BOOST_TEST(wait_for(90));
    watch.stop();
    BOOST_TEST(watch.checks() == 2);
}

BOOST_AUTO_TEST_SUITE_END()
