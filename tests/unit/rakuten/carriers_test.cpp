#include <boost/test/unit_test.hpp>

#include "daemon/rakuten/carriers.hpp"
#include "support/temp_dir.hpp"

using namespace musubi::rakuten_poller;

BOOST_AUTO_TEST_SUITE(carriers)

BOOST_AUTO_TEST_CASE(shipped_file_lists_every_contract_code) {
    auto carriers =
        Carriers::load(std::filesystem::path(MUSUBI_SOURCE_DIR) / "config/carriers.yaml");
    BOOST_REQUIRE_MESSAGE(carriers.has_value(),
                          (carriers ? std::string() : carriers.error().to_string()));
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

BOOST_AUTO_TEST_CASE(shipped_names_are_rms_own_where_customers_read_them) {
    auto carriers =
        Carriers::load(std::filesystem::path(MUSUBI_SOURCE_DIR) / "config/carriers.yaml");
    BOOST_REQUIRE(carriers.has_value());
    BOOST_TEST(carriers->find("1028")->name == "Rakuten EXPRESS");
    BOOST_TEST(carriers->find("1029")->name == "日本郵便 楽天倉庫出荷");
    BOOST_TEST(carriers->find("1030")->name == "ヤマト運輸 クロネコゆうパケット");
    BOOST_TEST(carriers->find("1031")->name == "名鉄NX運輸");
    // Search pages are marked as such; every other template takes the parcel's number.
    BOOST_TEST(carriers->find("1031")->search_page);
    BOOST_TEST(!carriers->find("1030")->search_page);
    BOOST_TEST(carriers->tracking_url("1031", "1") == "https://www.meitetsu-nx.co.jp/");
}

BOOST_AUTO_TEST_CASE(tracking_url_templates_are_checked) {
    BOOST_TEST(!check_tracking_url("1", "https://t.example/?n={tracking_number}", false));
    BOOST_TEST(!check_tracking_url("1", "https://t.example/search", true));
    const auto text = [](const std::string& url, bool search) {
        const auto problem = check_tracking_url("1", url, search);
        return problem ? problem->message : std::string("ok");
    };
    BOOST_TEST(text("https://t.example/search", false) ==
               "tracking_url of carrier '1' has no {tracking_number}");
    BOOST_TEST(text("https://t.example/?n={tracking_number}", true) ==
               "tracking_url of carrier '1' has {tracking_number} but the entry says "
               "search_page: true");
    BOOST_TEST(text("t.example/?n={tracking_number}", false) ==
               "tracking_url of carrier '1' is not a well-formed URL: it does not start with "
               "https://");
    BOOST_TEST(text("https:///?n={tracking_number}", false) ==
               "tracking_url of carrier '1' is not a well-formed URL: it has no host name after "
               "https://");
    BOOST_TEST(text("https://t.example/?n= {tracking_number}", false) ==
               "tracking_url of carrier '1' is not a well-formed URL: it contains a space or a "
               "control character");
    BOOST_TEST(text("https://t.example/追跡?n={tracking_number}", false) ==
               "tracking_url of carrier '1' is not a well-formed URL: it contains non-ASCII "
               "characters (percent-encode them)");
    BOOST_TEST(text("https://t.example/?n={tracking_no}", false) ==
               "tracking_url of carrier '1' has a placeholder other than {tracking_number}");
    BOOST_TEST(text("https://t.example/{tracking_number}/{tracking_number}", false) ==
               "tracking_url of carrier '1' has {tracking_number} more than once");
}

BOOST_AUTO_TEST_CASE(every_mistake_is_reported_with_its_place_and_in_japanese) {
    musubi::test::TempDir dir;
    const auto file = dir.write(
        "c.yaml", "carriers:\n"
                  "  \"1001\": {name: a, tracking_url: \"https://a.example/\"}\n"
                  "  \"1002\": {name: b, search_page: yes}\n"
                  "  \"1003\": {tracking_url: \"https://c.example/{tracking_number}\"}\n");
    const auto bad = Carriers::load(file);
    BOOST_REQUIRE(!bad);
    BOOST_TEST_REQUIRE(bad.error().size() == 3u);
    const auto& items = bad.error().items();
    BOOST_TEST(items[0].to_string() ==
               file.string() + ":2:35: tracking_url of carrier '1001' has no {tracking_number}; "
                               "put {tracking_number} where the parcel's number goes, e.g. "
                               "https://jizen.kuronekoyamato.co.jp/jizen/servlet/"
                               "crjz.b.NQ0010?id={tracking_number}, or add 'search_page: true' if "
                               "the carrier has no page per parcel");
    BOOST_TEST(items[1].to_string() ==
               file.string() + ":3:34: 'yes' is not true or false; write true or false");
    BOOST_TEST(items[2].to_string() == file.string() +
                                           ":4:11: missing required key 'name' in "
                                           "'carriers.1003'; add a line 'name: <text>'");
    for (const auto& item : items) {
        BOOST_TEST(musubi::config::fully_translated(item), item.to_string());
    }
    BOOST_TEST(items[0].to_string(musubi::config::Language::japanese) ==
               file.string() +
                   ":2:35: 配送会社 '1001' の tracking_url に追跡番号の差し込み {tracking_number} "
                   "がありません。追跡番号が入る場所に {tracking_number} と書いてください（例: "
                   "https://jizen.kuronekoyamato.co.jp/jizen/servlet/"
                   "crjz.b.NQ0010?id={tracking_number}）。荷物ごとのページがない配送会社なら "
                   "'search_page: true' を書き足してください（検索ページへのリンクになります）");
}

BOOST_AUTO_TEST_CASE(tracking_numbers_are_percent_encoded) {
    Carriers carriers({{"1", Carrier{"x", "https://t.example/?n={tracking_number}"}}});
    BOOST_TEST(carriers.tracking_url("1", "12 3&4") == "https://t.example/?n=12%203%264");
}

BOOST_AUTO_TEST_CASE(errors_name_the_file_and_the_entry) {
    musubi::test::TempDir dir;
    const auto missing = Carriers::load(dir / "nope.yaml");
    BOOST_REQUIRE(!missing);
    BOOST_TEST(missing.error().to_string().find("nope.yaml: cannot read the file") !=
               std::string::npos);

    const auto file = dir.write("c.yaml", "carriers:\n  \"1001\": {name: a, url: b}\n");
    const auto bad = Carriers::load(file);
    BOOST_REQUIRE(!bad);
    BOOST_TEST(bad.error().to_string() ==
               file.string() + ":2:21: unknown key 'url' in 'carriers.1001'; valid keys are: name, "
                               "tracking_url, search_page\n");
}

BOOST_AUTO_TEST_SUITE_END()
