// RMS as it really answers (issue 18), against musubi-sim in the mode that shows each point:
// getOrder datetimes with "+09:00" read like "+0900", older order numbers with 8-digit
// sequences read like today's, a function not enabled in RMS (ES04-01) named as such, and
// `musubictl rms check-key` asking RMS about the key in use or a new one before a restart —
// including the hand-over where issuing a new key stops the old one at once and the new one
// is refused for a while.

#include <regex>
#include <sstream>

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "connectors/rakuten/order_walker.hpp"
#include "connectors/rakuten/rms_client.hpp"
#include "daemon/ctl/musubictl.hpp"
#include "support/sim_process.hpp"
#include "support/temp_dir.hpp"

using namespace musubi;
using namespace musubi::rakuten;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

constexpr const char* k_secret = test::k_rms_service_secret;
constexpr const char* k_key = test::k_rms_license_key;

struct Rms {
    test::SimProcess sim{test::rakuten_scenario(18)};
    TimePoint now;

    Rms() {
        const json clock = sim.control_post("/_sim/clock", {{"speed", 0}});
        now = TimePoint{std::chrono::seconds(clock.at("epoch_ms").get<std::int64_t>() / 1000)};
    }

    ClientOptions options() const {
        return ClientOptions{sim.api_url(), 2000ms, 1ms, RetryPolicy{3, 20ms, 100ms}};
    }
};

// A shop's configuration pointing at the simulator, for musubictl.
struct Installation {
    test::TempDir dir;
    std::filesystem::path config;

    explicit Installation(const std::string& base_url) {
        dir.write("scenarios/link-thanks.yaml",
                  "scenario: link-thanks\ntrigger: friend.linked\nsteps:\n  - send: link_thanks\n");
        dir.write("templates/link_thanks.txt", "ありがとうございます");
        config = dir.write("musubi.yaml", std::string(R"(shop:
  id: test-shop
  name: テスト商店
store:
  path: data/musubi.db
log:
  level: warn
privacy:
  hashing_key: 0123456789abcdef0123456789abcdef-hashing
line:
  channel_secret: line-channel-secret-value
  channel_access_token: line-access-token-value
admin:
  token: admin-token-value
templates: templates
scenarios: scenarios/*.yaml
rakuten:
  enabled: true
  base_url: )") + base_url + R"(
  service_secret: )" + k_secret + R"(
  license_key: )" + k_key + R"(
  request_interval: 1ms
  timeout: 2s
)");
    }

    struct Run {
        int code = 0;
        std::string out, err;
    };
    Run run(std::vector<std::string> args) const {
        args.insert(args.begin(), {"--config", config.string()});
        std::ostringstream out, err;
        Run result;
        result.code = ctl::run_musubictl(args, out, err);
        result.out = out.str();
        result.err = err.str();
        return result;
    }
};

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

} // namespace

BOOST_AUTO_TEST_SUITE(rms_fidelity)

BOOST_AUTO_TEST_CASE(plus_09_colon_00_datetimes_read_as_plus_0900) {
    Rms rms;
    const std::string number =
        rms.sim.control_post("/_sim/rakuten/orders", {{"progress", 500}})["orderNumber"];
    RmsClient client(rms.options(), {k_secret, k_key});
    auto compact = client.get_order(std::vector<std::string>{number});
    BOOST_REQUIRE_MESSAGE(compact.has_value(), compact.error().message);
    rms.sim.control_post("/_sim/rakuten/modes", {{"datetimeOffset", "+09:00"}});
    auto colon = client.get_order(std::vector<std::string>{number});
    BOOST_REQUIRE_MESSAGE(colon.has_value(), colon.error().message);
    BOOST_REQUIRE(compact->orders.size() == 1u);
    BOOST_REQUIRE(colon->orders.size() == 1u);
    BOOST_TEST(colon->problems.empty());
    const Order& a = compact->orders[0];
    const Order& b = colon->orders[0];
    BOOST_TEST(a.order_datetime.time_since_epoch().count() ==
               b.order_datetime.time_since_epoch().count());
    BOOST_REQUIRE(b.shipping_cmpl_rpt_datetime.has_value());
    BOOST_TEST(a.shipping_cmpl_rpt_datetime->time_since_epoch().count() ==
               b.shipping_cmpl_rpt_datetime->time_since_epoch().count());
}

BOOST_AUTO_TEST_CASE(older_8_digit_order_numbers_are_searched_and_read) {
    Rms rms;
    const std::string old_number =
        rms.sim.control_post("/_sim/rakuten/orders", {{"sequenceDigits", 8}})["orderNumber"];
    BOOST_TEST(std::regex_match(old_number, std::regex(R"(\d{6}-\d{8}-\d{8})")));
    RmsClient client(rms.options(), {k_secret, k_key});
    auto numbers = fetch_order_numbers(
        client, {DateType::order, rms.now - std::chrono::days{1}, rms.now, {}, rms.now});
    BOOST_REQUIRE_MESSAGE(numbers.has_value(), numbers.error().message);
    BOOST_TEST(numbers->order_numbers == std::vector<std::string>{old_number});
    auto orders = client.get_order(numbers->order_numbers);
    BOOST_REQUIRE_MESSAGE(orders.has_value(), orders.error().message);
    BOOST_TEST(orders->problems.empty());
    BOOST_REQUIRE(orders->orders.size() == 1u);
    BOOST_TEST(orders->orders[0].order_number == old_number);
}

BOOST_AUTO_TEST_CASE(a_function_not_enabled_is_named_with_its_rms_screen) {
    Rms rms;
    rms.sim.control_post("/_sim/rakuten/modes", {{"functionsNotEnabled", {"licenseExpiry"}}});
    RmsClient client(rms.options(), {k_secret, k_key});
    auto expiry = client.license_expiry();
    BOOST_REQUIRE(!expiry.has_value());
    BOOST_TEST(static_cast<int>(expiry.error().kind) ==
               static_cast<int>(ErrorKind::function_not_enabled));
    BOOST_TEST(!expiry.error().retryable());
    BOOST_TEST(client.requests_sent() == 1); // not retried, not taken for throttling
    BOOST_TEST(contains(expiry.error().message, "ES04-01: this function is not enabled"));
    BOOST_TEST(
        contains(expiry.error().message,
                 "RMS → 店舗様向け情報・サービス → WEB APIサービス → 利用設定 → 利用機能編集"));
    BOOST_TEST(contains(expiry.error().message, "the license key itself was not refused"));
    // The order functions are still enabled and still answer.
    auto page =
        client.search_order({DateType::order, rms.now - std::chrono::days{1}, rms.now, {}}, 1);
    BOOST_TEST(page.has_value());
}

BOOST_AUTO_TEST_CASE(check_key_prints_the_days_left_of_the_key_in_use) {
    Rms rms;
    Installation shop(rms.sim.api_url());
    const auto checked = shop.run({"rms", "check-key"});
    BOOST_TEST(checked.code == 0, checked.err);
    BOOST_TEST(
        std::regex_search(checked.out,
                          std::regex("^RMS accepts the key from the configuration \\(inline\\): it "
                                     "expires 2027-02-20 23:59:59 JST, [0-9]+ days? left\n")),
        checked.out);
    BOOST_TEST(!contains(checked.out + checked.err, k_key));

    const auto json_run = shop.run({"--json", "rms", "check-key"});
    BOOST_TEST(json_run.code == 0);
    const auto answer = json::parse(json_run.out);
    BOOST_TEST(answer["accepted"] == true);
    BOOST_TEST(answer["expires"] == "2027-02-20T23:59:59+0900");
    BOOST_TEST(answer["days_left"].is_number_integer());
}

BOOST_AUTO_TEST_CASE(check_key_tells_whether_a_new_key_can_be_handed_over) {
    Rms rms;
    Installation shop(rms.sim.api_url());
    // The shop issues a new key in RMS: the old one stops at once, and the new one is refused
    // for 20 minutes after issue.
    rms.sim.control_post("/_sim/rakuten/license/issue", {{"licenseKey", "SL000000_new_key"},
                                                         {"revokeOthers", true},
                                                         {"activationDelayMinutes", 20}});
    const auto key_file = shop.dir.write("new_key", "SL000000_new_key\n");

    const auto old_key = shop.run({"rms", "check-key"});
    BOOST_TEST(old_key.code == 1);
    BOOST_TEST(contains(old_key.err, "RMS license-key expiry lookup answered HTTP 401"));
    BOOST_TEST(contains(old_key.err, "or was replaced by a newer key (issuing a new key makes "
                                     "the old one unusable at once)"));

    const auto too_early = shop.run({"rms", "check-key", "--key-file", key_file.string()});
    BOOST_TEST(too_early.code == 1);
    BOOST_TEST(
        contains(too_early.err, "A key issued a few minutes ago may be refused for a while"));

    rms.sim.control_post("/_sim/clock", {{"advance", "21m"}});
    const auto ready = shop.run({"rms", "check-key", "--key-file", key_file.string()});
    BOOST_TEST(ready.code == 0, ready.err);
    BOOST_TEST(contains(ready.out,
                        "RMS accepts the key from file " + key_file.string() + ": it expires "));
    BOOST_TEST(!contains(ready.out + ready.err, "SL000000_new_key"));

    const auto json_refused = shop.run({"--json", "rms", "check-key"});
    BOOST_TEST(json_refused.code == 1);
    const auto refused = json::parse(json_refused.out);
    BOOST_TEST(refused["accepted"] == false);
    BOOST_TEST(refused["kind"] == "unauthorized");
    BOOST_TEST(refused["status"] == 401);

    const auto missing = shop.run({"rms", "check-key", "--key-file", "/nonexistent/key"});
    BOOST_TEST(missing.code == 1);
    BOOST_TEST(contains(missing.err, "cannot read the key file /nonexistent/key"));
}

BOOST_AUTO_TEST_CASE(check_key_names_the_rms_screen_when_the_lookup_is_not_enabled) {
    Rms rms;
    Installation shop(rms.sim.api_url());
    rms.sim.control_post("/_sim/rakuten/modes", {{"functionsNotEnabled", {"licenseExpiry"}}});
    const auto checked = shop.run({"rms", "check-key"});
    BOOST_TEST(checked.code == 1);
    BOOST_TEST(contains(checked.err, "the license-key expiry function is not enabled for this "
                                     "shop (RMS → 店舗様向け情報・サービス → WEB APIサービス → "
                                     "利用設定 → 利用機能編集)"));
}

BOOST_AUTO_TEST_SUITE_END()
