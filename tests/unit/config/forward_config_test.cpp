// webhook.forward in musubi.yaml: the shape, the defaults, and the errors staff see (in English
// and Japanese), each with file:line:col.

#include <boost/test/unit_test.hpp>

#include "daemon/config/loader.hpp"
#include "daemon/config/messages_ja.hpp"
#include "support/temp_dir.hpp"

using namespace musubi;
using musubi::config::Language;

namespace {

constexpr const char* k_main = R"(shop:
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

struct Loaded {
    test::TempDir dir;
    tl::expected<config::Config, config::Diagnostics> config;
    explicit Loaded(const std::string& webhook)
        : config(tl::unexpected(config::Diagnostics{})) {
        dir.write("musubi.yaml", std::string(k_main) + webhook);
        dir.write("templates/hello.txt", "hi");
        config = config::load_config(dir / "musubi.yaml");
    }
    std::string file() const { return (dir / "musubi.yaml").string(); }
    std::vector<config::Diagnostic> errors() const {
        BOOST_REQUIRE(!config);
        return config.error().items();
    }
};

} // namespace

BOOST_AUTO_TEST_SUITE(config_webhook_forward)

BOOST_AUTO_TEST_CASE(targets_with_and_without_a_filter_and_the_defaults) {
    Loaded loaded("webhook:\n"
                  "  forward:\n"
                  "    - url: https://other-tool.example/callback?key=a/b\n"
                  "    - url: http://127.0.0.1:9000/line/\n"
                  "      events: [message, postback]\n");
    BOOST_REQUIRE(loaded.config);
    const auto& webhook = loaded.config->webhook;
    BOOST_REQUIRE(webhook.forward.size() == 2U);
    BOOST_TEST(webhook.forward[0].url == "https://other-tool.example/callback?key=a/b");
    BOOST_TEST(webhook.forward[0].events.empty());
    BOOST_TEST(webhook.forward[1].url == "http://127.0.0.1:9000/line/"); // kept as written
    BOOST_TEST(webhook.forward[1].events == (std::vector<std::string>{"message", "postback"}),
               boost::test_tools::per_element());
    BOOST_TEST(webhook.forward_give_up_after.count() == 24 * 3'600'000);
    BOOST_TEST(webhook.forward_retry_max.count() == 600'000);

    Loaded none("");
    BOOST_REQUIRE(none.config);
    BOOST_TEST(none.config->webhook.forward.empty());
}

BOOST_AUTO_TEST_CASE(a_bad_url_an_unknown_event_type_and_a_repeated_url_are_errors) {
    Loaded loaded("webhook:\n"
                  "  forward:\n"
                  "    - url: ftp://other-tool.example/callback\n"
                  "    - url: https://a.example/cb\n"
                  "      events: [mesage]\n"
                  "    - url: https://a.example/cb\n");
    const auto errors = loaded.errors();
    for (const auto& error : errors) {
        BOOST_TEST_MESSAGE(error.to_string());
    }
    BOOST_REQUIRE(errors.size() == 3U);
    BOOST_TEST(errors[0].to_string() ==
               loaded.file() +
                   ":17:12: 'ftp://other-tool.example/callback' is not an http(s) URL; write the "
                   "other tool's webhook URL as set in the LINE Developers console before, e.g. "
                   "https://other-tool.example/callback");
    BOOST_TEST(errors[0].to_string(Language::japanese) ==
               loaded.file() +
                   ":17:12: 'ftp://other-tool.example/callback' は http:// か https:// で始まる "
                   "URL ではありません。もう一つのツールの Webhook URL（これまで LINE Developers "
                   "コンソールに設定していたもの）を書いてください（例: "
                   "https://other-tool.example/callback）");
    BOOST_TEST(errors[1].to_string().starts_with(loaded.file() +
                                                 ":19:16: 'mesage' is not a valid value; did you "
                                                 "mean 'message'? write one of: message, unsend,"));
    BOOST_TEST(config::fully_translated(errors[1]));
    BOOST_TEST(errors[2].to_string() ==
               loaded.file() +
                   ":20:12: the URL 'https://a.example/cb' is in webhook.forward twice; write "
                   "each URL once; list all its event types under one 'events:'");
    BOOST_TEST(config::fully_translated(errors[2]));
    BOOST_TEST(errors[2].to_string(Language::japanese) ==
               loaded.file() +
                   ":20:12: URL 'https://a.example/cb' が webhook.forward に2回書かれています。"
                   "URL は1回だけ書き、イベントの種類はまとめて1つの 'events:' に並べてください");
}

BOOST_AUTO_TEST_CASE(a_target_without_url_says_what_to_add) {
    Loaded loaded("webhook:\n  forward:\n    - events: [message]\n");
    const auto errors = loaded.errors();
    BOOST_REQUIRE(errors.size() == 1U);
    BOOST_TEST(errors[0].to_string().starts_with(
        loaded.file() + ":17:7: missing required key 'url' in 'webhook.forward'"));
    BOOST_TEST(config::fully_translated(errors[0]));
}

BOOST_AUTO_TEST_SUITE_END()
