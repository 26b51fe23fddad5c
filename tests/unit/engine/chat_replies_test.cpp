// The answer to a text in a group chat or room (issue 17): only an in_groups keyword scenario,
// one reply row with no friend and the event's reply token, rendered with shop and vars only.

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "daemon/config/loader.hpp"
#include "daemon/engine/chat_replies.hpp"
#include "support/temp_dir.hpp"

using namespace musubi;

namespace {

constexpr const char* k_main = R"(shop:
  id: test-shop
  name: テスト商店
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

struct World {
    test::TempDir dir;
    std::optional<config::Config> config;
    std::optional<templates::TemplateSet> templates;

    World() {
        dir.write("musubi.yaml", k_main);
        dir.write("scenarios/a-private.yaml", R"(scenario: a-private
trigger: friend.message
keywords: [営業時間]
reentry: always
steps:
  - send: personal
)");
        dir.write("scenarios/b-faq.yaml", R"(scenario: b-faq
trigger: friend.message
keywords: [営業時間, 定休日]
in_groups: true
reentry: always
steps:
  - name: hours
    send: hours
    vars: {open: "10時"}
  - name: more
    send: more
)");
        dir.write("templates/personal.txt", "{{friend.display_name}}様");
        dir.write("templates/hours.txt", "{{shop.name}}は{{vars.open}}から");
        dir.write("templates/more.txt", "定休日は水曜です");
        auto loaded = config::load_config(dir / "musubi.yaml");
        BOOST_REQUIRE(loaded);
        config = std::move(*loaded);
        auto set = templates::TemplateSet::load(dir / "templates");
        BOOST_REQUIRE(set);
        templates = std::move(*set);
    }

    std::vector<store::NewMessage> answer(const std::string& text,
                                          const std::string& token = "rt-1") {
        return engine::chat_replies(*config, *templates,
                                    engine::ChatText{"ev-1", text, token, 1'000}, 2'000);
    }
};

} // namespace

BOOST_AUTO_TEST_SUITE(chat_replies)

BOOST_AUTO_TEST_CASE(only_the_in_groups_scenario_answers_in_one_reply_row_without_a_friend) {
    World world;
    const auto rows = world.answer("営業時間を教えて");
    BOOST_REQUIRE(rows.size() == 1u);
    const auto& row = rows[0];
    BOOST_TEST(row.scenario == "b-faq");
    BOOST_TEST(row.step == "hours+more");
    BOOST_TEST(row.kind == "reply");
    BOOST_TEST(row.friend_id == 0);
    BOOST_TEST(*row.reply_token == "rt-1");
    BOOST_TEST(*row.reply_until == 51'000);
    BOOST_TEST(row.due_at == 2'000);
    BOOST_TEST(row.state == "pending");
    BOOST_TEST(nlohmann::json::parse(row.payload) ==
               nlohmann::json::parse(R"([{"type":"text","text":"テスト商店は10時から"},)"
                                     R"({"type":"text","text":"定休日は水曜です"}])"));
    // The same event decides the same key: a redelivery writes nothing new.
    BOOST_TEST(world.answer("営業時間を教えて")[0].retry_key == row.retry_key);
}

BOOST_AUTO_TEST_CASE(no_keyword_or_no_reply_token_means_no_answer) {
    World world;
    BOOST_TEST(world.answer("123456-20261122-0000000001").empty());
    BOOST_TEST(world.answer("定休日は？", "").empty());
}

BOOST_AUTO_TEST_SUITE_END()
