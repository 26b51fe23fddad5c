#include <boost/test/unit_test.hpp>

#include "daemon/rakuten/carriers.hpp"
#include "support/temp_dir.hpp"

using namespace musubi::rakuten_poller;

BOOST_AUTO_TEST_SUITE(carriers)

BOOST_AUTO_TEST_CASE(shipped_file_lists_every_contract_code) {
    auto carriers =
        Carriers::load(std::filesystem::path(MUSUBI_SOURCE_DIR) / "config/carriers.yaml");
    BOOST_REQUIRE_MESSAGE(carriers.has_value(), (carriers ? std::string() : carriers.error()));
    for (int code = 1000; code <= 1031; ++code) {
        BOOST_TEST_CONTEXT("code " << code) {
            BOOST_TEST(carriers->find(std::to_string(code)) != nullptr);
        }
    }
    BOOST_TEST(carriers->find("1001")->name == "ヤマト運輸");
    BOOST_TEST(carriers->tracking_url("1001", "123456789012") ==
               "https://jizen.kuronekoyamato.co.jp/jizen/servlet/crjz.b.NQ0010?id=123456789012");
    BOOST_TEST(carriers->tracking_url("9999", "1") == "");
}

BOOST_AUTO_TEST_CASE(tracking_numbers_are_percent_encoded) {
    Carriers carriers({{"1", Carrier{"x", "https://t.example/?n={tracking_number}"}}});
    BOOST_TEST(carriers.tracking_url("1", "12 3&4") == "https://t.example/?n=12%203%264");
}

BOOST_AUTO_TEST_CASE(errors_name_the_file_and_the_entry) {
    musubi::test::TempDir dir;
    const auto missing = Carriers::load(dir / "nope.yaml");
    BOOST_REQUIRE(!missing);
    BOOST_TEST(missing.error().find("nope.yaml") != std::string::npos);

    const auto file = dir.write("c.yaml", "carriers:\n  \"1001\": {name: a, url: b}\n");
    const auto bad = Carriers::load(file);
    BOOST_REQUIRE(!bad);
    BOOST_TEST(bad.error().find("c.yaml:2") != std::string::npos);
    BOOST_TEST(bad.error().find("'url'") != std::string::npos);
    BOOST_TEST(bad.error().find("tracking_url") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
