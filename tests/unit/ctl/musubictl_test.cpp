#include <sstream>

#include <boost/test/unit_test.hpp>

#include "daemon/ctl/musubictl.hpp"
#include "daemon/store/sqlite/sqlite_store.hpp"
#include "support/temp_dir.hpp"

using namespace musubi;
using musubi::test::TempDir;

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

constexpr const char* k_user = "U0123456789abcdef0123456789abcdef";

struct Installation {
    Installation() {
        dir.write("musubi.yaml", k_config);
        dir.write("scenarios/link-thanks.yaml",
                  "scenario: link-thanks\ntrigger: friend.linked\nsteps:\n  - send: link_thanks\n");
        dir.write("templates/link_thanks.txt", "ありがとうございます");
        auto store = store::sqlite::SqliteStore::open(dir / "data/musubi.db",
                                                      std::chrono::milliseconds(2000));
        BOOST_REQUIRE(store);
        auto db = store::sqlite::Database::open(dir / "data/musubi.db");
        BOOST_REQUIRE(db);
        BOOST_REQUIRE(db->exec(std::string("INSERT INTO friends (id, line_user_id, created_at, "
                                           "updated_at) VALUES (1, '") +
                               k_user +
                               "', 1, 1); INSERT INTO buyers (id, buyer_key, created_at) VALUES "
                               "(1, 'k', 1); INSERT INTO links (friend_id, buyer_id, method, "
                               "linked_at) VALUES (1, 1, 'chat', 1);"));
    }

    int run(const std::vector<std::string>& args) {
        out.str("");
        err.str("");
        return ctl::run_musubictl(args, out, err);
    }

    std::string query(const std::string& sql) {
        auto db = store::sqlite::Database::open(dir / "data/musubi.db");
        BOOST_REQUIRE(db);
        auto value = db->pragma_text(sql);
        BOOST_REQUIRE(value);
        return *value;
    }

    TempDir dir;
    std::ostringstream out;
    std::ostringstream err;
};

} // namespace

BOOST_AUTO_TEST_SUITE(ctl_musubictl)

BOOST_FIXTURE_TEST_CASE(unlink_ends_the_link_and_keeps_it_as_history, Installation) {
    const std::string config = (dir / "musubi.yaml").string();
    BOOST_TEST_REQUIRE(run({"unlink", k_user, "--config", config}) == 0, err.str());
    BOOST_TEST(out.str() == std::string("unlinked ") + k_user + " (the link is kept as history)\n");
    BOOST_TEST(query("SELECT count(*) FROM links WHERE unlinked_at IS NOT NULL") == "1");
    BOOST_TEST(query("SELECT count(*) FROM facts WHERE kind = 'friend.unlinked' AND friend_id = 1 "
                     "AND payload ->> 'method' = 'cli'") == "1");

    BOOST_TEST(run({"unlink", k_user, "--config", config}) == 0);
    BOOST_TEST(out.str() == std::string(k_user) + " was not linked; nothing to do\n");
}

BOOST_FIXTURE_TEST_CASE(import_reviews_records_each_review_once, Installation) {
    const std::string config = (dir / "musubi.yaml").string();
    const auto csv = dir.write(
        "reviews.csv",
        "レビュータイプ,商品名,レビュー詳細URL,評価,投稿時間,タイトル,レビュー本文,フラグ,注文番号,"
        "未対応フラグ\r\n"
        "商品レビュー,煎茶,https://review.rakuten.co.jp/item/1/123456_1001/abcd-efgh-ijkl/,5,"
        "2026/11/22 8:12:37,おいしい,\"また買います\",0,123456-20261120-0000000001,1\r\n");
    BOOST_TEST_REQUIRE(run({"import-reviews", csv.string(), "--config", config}) == 0, err.str());
    BOOST_TEST(query("SELECT count(*) FROM facts WHERE kind = 'review.posted' AND subject = "
                     "'123456-20261120-0000000001'") == "1");
    BOOST_TEST_REQUIRE(run({"import-reviews", csv.string(), "--config", config}) == 0, err.str());
    BOOST_TEST(query("SELECT count(*) FROM facts WHERE kind = 'review.posted'") == "1");
}

BOOST_FIXTURE_TEST_CASE(an_unknown_user_and_bad_usage_are_errors, Installation) {
    const std::string config = (dir / "musubi.yaml").string();
    BOOST_TEST(run({"unlink", "Unobody", "--config", config}) == 1);
    BOOST_TEST(err.str().find("no friend with LINE userId Unobody") != std::string::npos);
    BOOST_TEST(run({"unlink"}) == 2);
    BOOST_TEST(err.str().rfind("usage: musubictl unlink", 0) == 0);
    BOOST_TEST(query("SELECT count(*) FROM links WHERE unlinked_at IS NULL") == "1");
}

BOOST_AUTO_TEST_SUITE_END()
