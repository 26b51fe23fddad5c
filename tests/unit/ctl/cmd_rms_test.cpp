// musubictl rms check-key before it reaches RMS: what it needs from the configuration and from
// a key file (the answers from RMS are tested against musubi-sim in it.rms_fidelity).

#include <sstream>

#include <boost/test/unit_test.hpp>

#include "daemon/ctl/musubictl.hpp"
#include "support/temp_dir.hpp"

using namespace musubi;

namespace {

constexpr const char* k_config = R"(shop:
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
)";

struct Shop {
    test::TempDir dir;
    Shop(const std::string& rakuten = "") {
        dir.write("scenarios/link-thanks.yaml",
                  "scenario: link-thanks\ntrigger: friend.linked\nsteps:\n  - send: link_thanks\n");
        dir.write("templates/link_thanks.txt", "ありがとうございます");
        dir.write("musubi.yaml", std::string(k_config) + rakuten);
    }
    int run(std::vector<std::string> args, std::string& err) const {
        args.insert(args.begin(), {"--config", (dir / "musubi.yaml").string()});
        std::ostringstream out, error;
        const int code = ctl::run_musubictl(args, out, error);
        err = error.str();
        return code;
    }
};

} // namespace

BOOST_AUTO_TEST_SUITE(ctl_cmd_rms)

BOOST_AUTO_TEST_CASE(without_a_service_secret_there_is_nothing_to_ask) {
    Shop shop;
    std::string err;
    BOOST_TEST(shop.run({"rms", "check-key"}, err) == 3);
    BOOST_TEST(err.find("rakuten.service_secret is not set") != std::string::npos, err);
}

BOOST_AUTO_TEST_CASE(a_key_file_must_hold_a_key) {
    Shop shop("rakuten:\n  service_secret: SP_x\n  base_url: http://127.0.0.1:1\n");
    std::string err;
    BOOST_TEST(shop.run({"rms", "check-key"}, err) == 3);
    BOOST_TEST(err.find("no license key in the configuration") != std::string::npos, err);
    const auto empty = shop.dir.write("empty_key", "\n  \n");
    BOOST_TEST(shop.run({"rms", "check-key", "--key-file", empty.string()}, err) == 1);
    BOOST_TEST(err.find("is empty; put the license key on its first line") != std::string::npos,
               err);
    BOOST_TEST(shop.run({"rms", "check-key", "--key-fil", "x"}, err) == 2);
    BOOST_TEST(err.find("did you mean --key-file?") != std::string::npos, err);
}

BOOST_AUTO_TEST_SUITE_END()
