#include <cstdlib>

#include <boost/test/unit_test.hpp>

#include "daemon/config/loader.hpp"
#include "support/temp_dir.hpp"

using musubi::config::load_config;
using musubi::test::TempDir;

namespace {

constexpr const char* k_valid = R"(shop:
  id: test-shop
  name: テスト商店
store:
  path: data/musubi.db
privacy:
  hashing_key: 0123456789abcdef0123456789abcdef-hashing
line:
  channel_secret: line-channel-secret-value
  channel_access_token: line-access-token-value
admin:
  token: admin-token-value
templates: templates
scenarios: scenarios/*.yaml
)";

constexpr const char* k_scenario = R"(scenario: review-request
trigger: order.shipped
when:
  friend.linked: true
  order.total: {gte: 3000}
reentry: per_subject
steps:
  - name: ask
    after: 3d
    window: "10:00-20:00"
    unless: review.posted
    send: review_request
  - name: coupon
    on: review.posted
    within: 14d
    send: review_coupon
    vars: {coupon_code: REVIEW500}
cancel_on: [order.cancelled, friend.unfollowed]
limits: {per_friend_per_day: 2}
)";

// A configuration folder: musubi.yaml, one scenario and its templates.
struct ConfigFolder {
    TempDir dir;
    ConfigFolder(const std::string& main = k_valid, const std::string& scenario = k_scenario) {
        dir.write("musubi.yaml", main);
        dir.write("scenarios/review-request.yaml", scenario);
        dir.write("templates/review_request.json", R"({"type":"text","text":"hi"})");
        dir.write("templates/review_coupon.txt", "{{vars.coupon_code}}");
    }
    std::filesystem::path file() const { return dir / "musubi.yaml"; }
    std::string shown(const std::string& name) const { return (dir / name).string(); }
};

// The messages of a configuration that must fail, one per line.
std::vector<std::string> errors_of(const ConfigFolder& folder) {
    auto loaded = load_config(folder.file());
    BOOST_REQUIRE(!loaded);
    std::vector<std::string> lines;
    for (const auto& item : loaded.error().items()) {
        lines.push_back(item.to_string());
    }
    return lines;
}

std::string replace(std::string text, const std::string& from, const std::string& to) {
    const auto at = text.find(from);
    BOOST_REQUIRE(at != std::string::npos);
    return text.replace(at, from.size(), to);
}

} // namespace

BOOST_AUTO_TEST_SUITE(config_loader)

BOOST_AUTO_TEST_CASE(valid_configuration_loads_with_declared_defaults) {
    ConfigFolder folder;
    auto loaded = load_config(folder.file());
    BOOST_REQUIRE_MESSAGE(loaded, (loaded ? "" : loaded.error().to_string()));
    BOOST_TEST(loaded->shop.name == "テスト商店");
    BOOST_TEST(loaded->store.path == folder.dir / "data/musubi.db");
    BOOST_TEST(loaded->store.busy_timeout.count() == 5000);
    BOOST_TEST(loaded->rakuten.enabled == false);
    BOOST_TEST(loaded->rakuten.poll_interval.count() == 60'000);
    BOOST_TEST(loaded->line.api_base_url == "https://api.line.me");
    BOOST_TEST(loaded->webhook.listen.to_string() == "127.0.0.1:8080");
    // Beside the store, where an installed service may write.
    BOOST_TEST(loaded->reviews.drop_dir == folder.dir / "data/reviews");
    BOOST_REQUIRE(loaded->scenarios.size() == 1);
    const auto& scenario = loaded->scenarios[0];
    BOOST_TEST(scenario.name == "review-request");
    BOOST_TEST(scenario.when.size() == 2U);
    BOOST_REQUIRE(scenario.steps.size() == 2U);
    BOOST_TEST(scenario.steps[0].after->count() == 3 * 24 * 3600 * 1000LL);
    BOOST_TEST(scenario.steps[0].window->to_string() == "10:00-20:00");
    BOOST_TEST(scenario.steps[1].vars.at("coupon_code") == "REVIEW500");
    BOOST_TEST(*scenario.limits.per_friend_per_day == 2);
}

BOOST_AUTO_TEST_CASE(unknown_key_names_the_valid_keys_and_the_closest_one) {
    ConfigFolder folder(replace(k_valid, "store:\n  path: data/musubi.db",
                                "store:\n  path: data/musubi.db\n  busy_timout: 3s"));
    const auto errors = errors_of(folder);
    BOOST_REQUIRE(errors.size() == 1U);
    BOOST_TEST(errors[0] == folder.shown("musubi.yaml") +
                                ":6:3: unknown key 'busy_timout' in 'store'; did you mean "
                                "'busy_timeout'? valid keys are: path, busy_timeout");
}

BOOST_AUTO_TEST_CASE(unknown_top_level_section_lists_the_sections) {
    ConfigFolder folder(std::string(k_valid) + "webhooks:\n  path: /x\n");
    const auto errors = errors_of(folder);
    BOOST_REQUIRE(errors.size() == 1U);
    BOOST_TEST(errors[0] ==
               folder.shown("musubi.yaml") +
                   ":15:1: unknown key 'webhooks' in 'musubi.yaml'; did you mean 'webhook'? valid "
                   "keys are: shop, store, log, privacy, rakuten, line, webhook, admin, clock, "
                   "dispatch, linking, reviews, ecfeed, retention, templates, scenarios, segments, "
                   "richmenus, richmenu_sync, campaigns");
}

BOOST_AUTO_TEST_CASE(wrong_type_says_what_was_expected_and_found) {
    ConfigFolder folder(std::string(k_valid) + "rakuten:\n  poll_interval: [1m, 2m]\n");
    const auto errors = errors_of(folder);
    BOOST_REQUIRE(errors.size() == 1U);
    BOOST_TEST(errors[0] == folder.shown("musubi.yaml") +
                                ":16:18: expected a duration, found a list; write a number and a "
                                "unit, e.g. 90m, 3d or 1h30m (units: ms, s, m, h, d, w)");
}

BOOST_AUTO_TEST_CASE(missing_required_key_says_what_to_add) {
    ConfigFolder folder(replace(k_valid, "  name: テスト商店\n", ""));
    const auto errors = errors_of(folder);
    BOOST_REQUIRE(errors.size() == 1U);
    BOOST_TEST(errors[0] == folder.shown("musubi.yaml") +
                                ":2:3: missing required key 'name' in 'shop'; add a line 'name: "
                                "<text>'");
}

BOOST_AUTO_TEST_CASE(bad_duration_window_and_enum_each_get_their_message) {
    ConfigFolder folder(
        std::string(k_valid) + "log:\n  format: text\n",
        replace(replace(k_scenario, "after: 3d", "after: 3 days"), "10:00-20:00", "10:00-25:00"));
    const auto errors = errors_of(folder);
    BOOST_REQUIRE(errors.size() == 3U);
    BOOST_TEST(errors[0] == folder.shown("musubi.yaml") +
                                ":16:11: 'text' is not a valid value; write one of: kv, json");
    const std::string scenario = folder.shown("scenarios/review-request.yaml");
    BOOST_TEST(errors[1] == scenario +
                                ":9:12: '3 days' is not a duration; write a number and a unit, "
                                "e.g. 90m, 3d or 1h30m (units: ms, s, m, h, d, w)");
    BOOST_TEST(errors[2] ==
               scenario +
                   ":10:13: '10:00-25:00' is not a time window; write a JST window as "
                   "\"HH:MM-HH:MM\", e.g. \"10:00-20:00\" (\"21:00-08:00\" crosses midnight)");
}

BOOST_AUTO_TEST_CASE(every_error_is_reported_in_one_run) {
    std::string main = replace(k_valid, "  id: test-shop\n", "  id: test-shop\n  colour: red\n");
    main += "webhook:\n  listen: localhost\n  max_body_bytes: lots\n";
    ConfigFolder folder(main, replace(k_scenario, "reentry: per_subject", "reentry: twice"));
    const auto errors = errors_of(folder);
    BOOST_TEST(errors.size() == 4U);
}

BOOST_AUTO_TEST_CASE(scenario_errors_name_the_scenario_file) {
    ConfigFolder folder(k_valid, replace(k_scenario, "send: review_coupon", "send: review_cupon"));
    const auto errors = errors_of(folder);
    BOOST_REQUIRE(errors.size() == 1U);
    BOOST_TEST(errors[0] == folder.shown("scenarios/review-request.yaml") +
                                ":16:11: no template 'review_cupon' (looked for review_cupon.txt "
                                "and review_cupon.json in " +
                                (folder.dir / "templates").string() +
                                "); did you mean 'review_coupon'? templates are: review_coupon, "
                                "review_request");
}

BOOST_AUTO_TEST_CASE(scenario_rules_across_keys) {
    std::string scenario = replace(k_scenario, "    within: 14d\n", "");
    scenario = replace(scenario, "trigger: order.shipped", "trigger: friend.followed");
    scenario = replace(scenario, "order.total: {gte: 3000}", "order.totl: {gte: 3000}");
    ConfigFolder folder(k_valid, scenario);
    const auto errors = errors_of(folder);
    const std::string file = folder.shown("scenarios/review-request.yaml");
    BOOST_REQUIRE(errors.size() == 3U);
    BOOST_TEST(errors[0] == file + ":5:3: unknown condition field 'order.totl'; did you mean "
                                   "'order.total'? fields are: friend.linked, friend.tags, "
                                   "friend.days_since_follow, friend.inflow_source, orders.count, "
                                   "orders.total_spent, orders.days_since_last, reviews.count, "
                                   "order.total, order.items, order.carrier, order.first");
    BOOST_TEST(errors[1] == file + ":14:9: a step that waits for a fact needs 'within'; add e.g. "
                                   "'within: 14d' so the step gives up when the fact never comes");
    BOOST_TEST(errors[2] == file + ":6:10: 'reentry: per_subject' needs a trigger about an order, "
                                   "but 'friend.followed' has no order; use 'reentry: once' or "
                                   "'reentry: always'");
}

BOOST_AUTO_TEST_CASE(wrong_operator_for_a_field_lists_its_operators) {
    ConfigFolder folder(k_valid, replace(k_scenario, "{gte: 3000}", "{atleast: 3000}"));
    const auto errors = errors_of(folder);
    BOOST_REQUIRE(errors.size() == 1U);
    BOOST_TEST(errors[0] == folder.shown("scenarios/review-request.yaml") +
                                ":5:17: 'atleast' is not an operator for 'order.total'; operators "
                                "for this field are: eq, ne, gt, gte, lt, lte, e.g. order.total: "
                                "{gte: 3000}");
}

BOOST_AUTO_TEST_CASE(duplicate_key_is_an_error) {
    ConfigFolder folder(replace(k_valid, "  id: test-shop\n", "  id: test-shop\n  id: other\n"));
    const auto errors = errors_of(folder);
    BOOST_REQUIRE(errors.size() == 1U);
    BOOST_TEST(errors[0] ==
               folder.shown("musubi.yaml") +
                   ":3:3: key 'id' appears twice in 'shop'; keep one of them; only one "
                   "value can be used");
}

BOOST_AUTO_TEST_CASE(yaml_syntax_error_has_its_position) {
    ConfigFolder folder(
        replace(k_valid, "  name: テスト商店\n", "  name: テスト商店\n   bad: x\n"));
    const auto errors = errors_of(folder);
    BOOST_REQUIRE(errors.size() == 1U);
    BOOST_TEST(errors[0] == folder.shown("musubi.yaml") +
                                ":4:7: this is not valid YAML (illegal map value); check the "
                                "indentation (spaces, not tabs) and put text that contains ': ' "
                                "or ' #' in quotes");
}

BOOST_AUTO_TEST_CASE(missing_file_says_so) {
    TempDir dir;
    auto loaded = load_config(dir / "nope.yaml");
    BOOST_REQUIRE(!loaded);
    BOOST_TEST(loaded.error().items().at(0).to_string() ==
               (dir / "nope.yaml").string() +
                   ": cannot read the file (No such file or directory); check the path and that "
                   "the musubi service may read it");
}

BOOST_AUTO_TEST_CASE(scenario_names_must_be_unique_across_files) {
    ConfigFolder folder;
    folder.dir.write("scenarios/second.yaml", k_scenario);
    const auto errors = errors_of(folder);
    BOOST_REQUIRE(errors.size() == 1U);
    BOOST_TEST(errors[0] == folder.shown("scenarios/second.yaml") +
                                ":1:11: scenario 'review-request' is also defined in " +
                                folder.shown("scenarios/review-request.yaml") +
                                "; give each scenario its own name");
}

BOOST_AUTO_TEST_CASE(secrets_come_inline_from_files_or_the_environment) {
    std::string main = replace(k_valid, "  channel_secret: line-channel-secret-value\n",
                               "  channel_secret_file: secret.txt\n");
    ConfigFolder folder(main);
    folder.dir.write("secret.txt", "from-a-file\n");
    auto loaded = load_config(folder.file());
    BOOST_REQUIRE(loaded);
    BOOST_TEST(loaded->line.channel_secret.reveal() == "from-a-file");
    BOOST_TEST(loaded->line.channel_secret.source() == "file " + folder.shown("secret.txt"));
    BOOST_TEST(loaded->admin.token.source() == "inline");

    ::setenv("MUSUBI_LINE_CHANNEL_SECRET", "from-the-environment", 1);
    auto overridden = load_config(folder.file());
    ::unsetenv("MUSUBI_LINE_CHANNEL_SECRET");
    BOOST_REQUIRE(overridden);
    BOOST_TEST(overridden->line.channel_secret.reveal() == "from-the-environment");
    BOOST_TEST(overridden->line.channel_secret.source() == "env MUSUBI_LINE_CHANNEL_SECRET");
}

BOOST_AUTO_TEST_CASE(secret_file_paths_expand_the_environment_with_a_fallback) {
    std::string main = replace(k_valid, "  channel_secret: line-channel-secret-value\n",
                               "  channel_secret_file: ${MUSUBI_TEST_CREDENTIALS:-local}/secret\n");
    ConfigFolder folder(main);
    folder.dir.write("local/secret", "from-the-fallback\n");
    folder.dir.write("credentials/secret", "from-the-credentials\n");
    auto fallback = load_config(folder.file());
    BOOST_REQUIRE(fallback);
    BOOST_TEST(fallback->line.channel_secret.reveal() == "from-the-fallback");

    ::setenv("MUSUBI_TEST_CREDENTIALS", (folder.dir / "credentials").c_str(), 1);
    auto credentials = load_config(folder.file());
    ::unsetenv("MUSUBI_TEST_CREDENTIALS");
    BOOST_REQUIRE(credentials);
    BOOST_TEST(credentials->line.channel_secret.reveal() == "from-the-credentials");
}

BOOST_AUTO_TEST_CASE(secret_problems_are_reported) {
    std::string main = replace(k_valid, "  channel_access_token: line-access-token-value\n",
                               "  channel_access_token_file: missing.txt\n");
    main = replace(main, "  token: admin-token-value\n",
                   "  token: admin-token-value\n  token_file: also.txt\n");
    ConfigFolder folder(main);
    const auto errors = errors_of(folder);
    BOOST_REQUIRE(errors.size() == 2U);
    BOOST_TEST(errors[0] == folder.shown("musubi.yaml") + ":10:30: cannot read the secret file '" +
                                folder.shown("missing.txt") +
                                "'; create it with the secret on one line, readable by the musubi "
                                "service, or write the path of an existing file");
    BOOST_TEST(errors[1] == folder.shown("musubi.yaml") +
                                ":13:15: both 'token' and 'token_file' are set; keep only one of "
                                "them");
}

BOOST_AUTO_TEST_CASE(a_missing_secret_names_every_way_to_give_it) {
    ConfigFolder folder(replace(k_valid, "  channel_access_token: line-access-token-value\n", ""));
    const auto errors = errors_of(folder);
    BOOST_REQUIRE(errors.size() == 1U);
    BOOST_TEST(errors[0] == folder.shown("musubi.yaml") +
                                ":9:3: missing 'channel_access_token' in 'line' (needed with "
                                "token_mode: long_lived); add 'channel_access_token: ...' or "
                                "'channel_access_token_file: /path' under 'line:', or set "
                                "$MUSUBI_LINE_CHANNEL_ACCESS_TOKEN");
}

BOOST_AUTO_TEST_CASE(dump_shows_where_secrets_come_from_but_never_their_values) {
    ConfigFolder folder(std::string(k_valid) +
                        "rakuten:\n  enabled: true\n  service_secret: SP-service-secret-value\n"
                        "  license_key: SL-license-key-value\n");
    auto loaded = load_config(folder.file());
    BOOST_REQUIRE(loaded);
    const std::string dump = musubi::config::dump_config(*loaded);
    for (const char* secret :
         {"SP-service-secret-value", "SL-license-key-value", "line-channel-secret-value",
          "line-access-token-value", "admin-token-value", "0123456789abcdef0123456789abcdef"}) {
        BOOST_TEST(dump.find(secret) == std::string::npos, secret << " leaked into the dump");
    }
    BOOST_TEST(dump.find("service_secret: \"<redacted: inline>\"") != std::string::npos);
    BOOST_TEST(dump.find("poll_interval: 1m") != std::string::npos);
    BOOST_TEST(dump.find("after: 3d") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
