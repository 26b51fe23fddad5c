// in_groups (issue 17): a keyword scenario that also answers in group chats may say nothing
// personal; --check-config names the template's file:line:col and what to write instead, in
// English and in Japanese.

#include <boost/test/unit_test.hpp>

#include "daemon/config/diagnostics.hpp"
#include "daemon/config/loader.hpp"
#include "daemon/config/messages_ja.hpp"
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
  groups: leave
admin:
  token: admin-token-value
templates: templates
scenarios: scenarios/*.yaml
)";

struct Folder {
    test::TempDir dir;
    explicit Folder(const std::string& scenario, const std::string& answer = "営業時間は10時から") {
        dir.write("musubi.yaml", k_main);
        dir.write("scenarios/faq.yaml", scenario);
        dir.write("templates/answer.txt", answer);
    }
    std::vector<config::Diagnostic> errors() const {
        auto loaded = config::load_config(dir / "musubi.yaml");
        BOOST_REQUIRE(!loaded);
        return loaded.error().items();
    }
};

constexpr const char* k_faq = R"(scenario: faq
trigger: friend.message
keywords: [営業時間]
in_groups: true
reentry: always
steps:
  - send: answer
)";

} // namespace

BOOST_AUTO_TEST_SUITE(scenario_in_groups)

BOOST_AUTO_TEST_CASE(a_plain_group_answer_and_line_groups_load) {
    Folder folder(k_faq);
    auto loaded = config::load_config(folder.dir / "musubi.yaml");
    BOOST_REQUIRE(loaded);
    BOOST_TEST(loaded->scenarios.at(0).in_groups);
    BOOST_TEST((loaded->line.groups == config::GroupPolicy::leave));
}

BOOST_AUTO_TEST_CASE(a_friend_or_order_value_is_refused_at_its_place_in_the_template) {
    Folder folder(k_faq, "営業時間のご案内\n{{friend.display_name}}様、注文 {{ order.number }}");
    const auto errors = folder.errors();
    BOOST_REQUIRE(errors.size() == 2u);
    const std::string file = (folder.dir / "templates/answer.txt").string();
    BOOST_TEST(errors[0].to_string() ==
               file + ":2:1: {{friend.display_name}} cannot be used in a reply into a group "
                      "chat: scenario 'faq' has 'in_groups: true' and everyone in the group "
                      "would see it; use only {{shop.name}} and {{vars.<name>}} here, or give "
                      "the group scenario its own template");
    BOOST_TEST(errors[1].where.line == 2);
    BOOST_TEST(errors[1].where.column == 29); // after "{{friend.display_name}}様、注文 "
    BOOST_TEST(config::to_japanese(errors[0]) ==
               file + ":2:1: グループへの返信には {{friend.display_name}} を使えません（シナリオ "
                      "'faq' は 'in_groups: true' で、グループの全員に見えます）。ここでは "
                      "{{shop.name}} と {{vars.<名前>}} だけを使うか、グループ用のシナリオに専用"
                      "のテンプレートを用意してください");
}

BOOST_AUTO_TEST_CASE(no_keywords_conditions_or_waits_in_a_group_scenario) {
    Folder folder(R"(scenario: faq
trigger: friend.message
in_groups: true
when:
  friend.linked: true
reentry: always
steps:
  - after: 1h
    send: answer
)");
    const auto errors = folder.errors();
    std::vector<std::string> messages;
    for (const auto& error : errors) {
        messages.push_back(error.message);
        BOOST_TEST(config::fully_translated(error), error.to_string());
        BOOST_TEST(error.where.line > 0);
    }
    BOOST_TEST(messages == (std::vector<std::string>{
                               "'in_groups' only goes with 'keywords'",
                               "'when' cannot be used with 'in_groups: true': a group chat has "
                               "no friend or order to check",
                               "a step of a scenario with 'in_groups: true' cannot wait "
                               "('after', 'at' or 'on'): a group chat is answered only by the "
                               "reply token, which lives about a minute"}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_SUITE_END()
