// The `ecfeed:` section of musubi.yaml: off unless configured, its defaults, and errors that
// name the file, line and column.

#include <boost/test/unit_test.hpp>

#include "daemon/config/loader.hpp"
#include "support/temp_dir.hpp"

using musubi::config::load_config;
using musubi::test::TempDir;

namespace {

constexpr const char* k_base = R"(shop:
  id: test-shop
  name: テスト商店
privacy:
  hashing_key: 0123456789abcdef0123456789abcdef-hashing
line:
  channel_secret: line-channel-secret-value
  channel_access_token: line-access-token-value
admin:
  token: admin-token-value
scenarios: none/*.yaml
)";

struct ConfigFolder {
    TempDir dir;
    explicit ConfigFolder(const std::string& extra) {
        dir.write("musubi.yaml", std::string(k_base) + extra);
        dir.write("ecfeed.token", "feed-token-from-file\n");
    }
    std::filesystem::path file() const { return dir / "musubi.yaml"; }
};

} // namespace

BOOST_AUTO_TEST_SUITE(ecfeed_config)

BOOST_AUTO_TEST_CASE(the_feed_is_off_unless_configured) {
    ConfigFolder folder("");
    auto loaded = load_config(folder.file());
    BOOST_REQUIRE_MESSAGE(loaded, (loaded ? "" : loaded.error().to_string()));
    BOOST_TEST(!loaded->ecfeed.url.has_value());
    BOOST_TEST(!loaded->ecfeed.drop_dir.has_value());
    BOOST_TEST(loaded->ecfeed.token.empty());
    BOOST_TEST(loaded->ecfeed.poll_interval.count() == 60'000);
    BOOST_TEST(loaded->ecfeed.timeout.count() == 30'000);
    BOOST_TEST(loaded->ecfeed.backfill_horizon.count() == 2 * 24 * 3'600'000LL);
}

BOOST_AUTO_TEST_CASE(every_key_is_read) {
    ConfigFolder folder("ecfeed:\n"
                        "  url: https://shop.example.jp/musubi/feed?key=1\n"
                        "  token_file: ecfeed.token\n"
                        "  poll_interval: 5m\n"
                        "  timeout: 10s\n"
                        "  drop_dir: ecfeed-drop\n"
                        "  backfill_horizon: 7d\n");
    auto loaded = load_config(folder.file());
    BOOST_REQUIRE_MESSAGE(loaded, (loaded ? "" : loaded.error().to_string()));
    BOOST_TEST(*loaded->ecfeed.url == "https://shop.example.jp/musubi/feed?key=1");
    BOOST_TEST(loaded->ecfeed.token.reveal() == "feed-token-from-file");
    BOOST_TEST(loaded->ecfeed.poll_interval.count() == 300'000);
    BOOST_TEST(loaded->ecfeed.timeout.count() == 10'000);
    BOOST_TEST(*loaded->ecfeed.drop_dir == folder.dir / "ecfeed-drop");
    BOOST_TEST(loaded->ecfeed.backfill_horizon.count() == 7 * 24 * 3'600'000LL);
}

BOOST_AUTO_TEST_CASE(errors_name_the_file_line_and_column) {
    ConfigFolder folder("ecfeed:\n  url: ftp://shop.example.jp/feed\n  poll_interval: 0s\n"
                        "  dropdir: x\n");
    auto loaded = load_config(folder.file());
    BOOST_REQUIRE(!loaded);
    std::vector<std::string> errors;
    for (const auto& item : loaded.error().items()) {
        errors.push_back(item.to_string());
    }
    const std::string file = folder.file().string();
    BOOST_REQUIRE(errors.size() == 3u);
    BOOST_TEST(errors[0] == file + ":15:3: unknown key 'dropdir' in 'ecfeed'; did you mean "
                                   "'drop_dir'? valid keys are: url, token, token_file, "
                                   "poll_interval, timeout, drop_dir, backfill_horizon");
    BOOST_TEST(errors[1] == file + ":13:8: 'ftp://shop.example.jp/feed' is not an http(s) URL; "
                                   "write a URL starting with https:// (or http:// for the "
                                   "simulator), e.g. https://api.line.me");
    BOOST_TEST(errors[2] == file + ":14:18: '0s' is too short; write at least 1s");
}

BOOST_AUTO_TEST_SUITE_END()
