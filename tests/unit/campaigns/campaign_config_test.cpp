// campaigns.yaml as store staff write it: the shipped file loads with the shipped
// configuration, each kind of mistake is reported with file:line:col and what to write
// instead, and schedules are read in JST.

#include <boost/test/unit_test.hpp>

#include "daemon/campaigns/campaign_config.hpp"
#include "daemon/config/config.hpp"
#include "daemon/config/loader.hpp"
#include "support/temp_dir.hpp"

using namespace musubi;

namespace {

// A configuration with segments vip and guest and templates campaign_vip (about one friend)
// and campaign_news (the same for all).
struct Fixture {
    test::TempDir dir;
    config::Config config;
    Fixture() {
        dir.write("templates/campaign_vip.txt", "{{friend.display_name}}さん、セールです");
        dir.write("templates/campaign_news.txt", "{{shop.name}}からのお知らせ {{vars.url}}");
        config.templates_dir = dir / "templates";
        config.segments_file = dir / "segments.yaml";
        config.segments = {segments::Segment{"vip", "", {}, {}},
                           segments::Segment{"guest", "", {}, {}}};
    }
    // The diagnostics as lines ("" when the file read cleanly) and what was read.
    std::pair<std::string, std::shared_ptr<const campaigns::CampaignSet>>
    read(const std::string& text) {
        dir.write("campaigns.yaml", text);
        config::Diagnostics diagnostics;
        auto set = campaigns::read_campaigns(dir / "campaigns.yaml", "config/campaigns.yaml",
                                             config, diagnostics);
        std::string lines;
        for (const auto& item : diagnostics.items()) {
            lines += item.to_string() + "\n";
        }
        return {lines, set};
    }
    std::string errors(const std::string& text) { return read(text).first; }
};

constexpr std::int64_t k_sun_2026_11_22_1000_jst = 1795309200000; // 01:00 UTC
constexpr std::int64_t k_fri_2026_11_20_1200_jst = 1795143600000;
constexpr std::int64_t k_tue_2026_11_24_1200_jst = 1795489200000;
constexpr std::int64_t k_tue_2026_11_24_0500_jst = 1795464000000; // Monday 20:00 UTC

} // namespace

BOOST_AUTO_TEST_SUITE(campaign_config)

BOOST_AUTO_TEST_CASE(the_shipped_file_loads_with_the_shipped_configuration) {
    auto loaded =
        config::load_config(std::filesystem::path(MUSUBI_SOURCE_DIR) / "config" / "musubi.yaml");
    BOOST_REQUIRE_MESSAGE(loaded, (loaded ? "" : loaded.error().to_string()));
    BOOST_REQUIRE(loaded->campaigns);
    const auto& all = loaded->campaigns->campaigns;
    BOOST_REQUIRE_EQUAL(all.size(), 2U);
    // A fresh install sends nothing unexpected.
    BOOST_TEST(!all[0].enabled);
    BOOST_TEST(!all[1].enabled);
    BOOST_TEST(all[1].same_for_all);
    BOOST_TEST(campaigns::schedule_text(all[1]) == "every tue, fri at 12:00 JST");
}

BOOST_AUTO_TEST_CASE(one_off_and_recurring_campaigns_are_read) {
    Fixture f;
    const auto [errors, set] = f.read(R"(campaigns:
  - name: vip-sale
    segment: vip
    send: campaign_vip
    at: "2026-11-22 10:00"
    window: "10:00-20:00"
    limits: {per_friend_per_day: 2}
    vars: {code: V1}
  - name: news
    segment: guest
    send: campaign_news
    every: [fri, tue]
    time: "12:00"
    same_for_all: true
  - name: by-hand
    segment: guest
    send: campaign_news
)");
    BOOST_REQUIRE_EQUAL(errors, "");
    BOOST_REQUIRE_EQUAL(set->campaigns.size(), 3U);
    const auto& sale = set->campaigns[0];
    BOOST_TEST(*sale.at_ms == k_sun_2026_11_22_1000_jst);
    BOOST_TEST(*sale.limits.per_friend_per_day == 2);
    BOOST_TEST(sale.vars.at("code") == "V1");
    BOOST_TEST(!sale.same_for_all);
    const auto& news = set->campaigns[1];
    BOOST_TEST(news.every == (std::vector<int>{2, 5}), boost::test_tools::per_element());
    BOOST_TEST(news.same_for_all);
    BOOST_TEST(!set->campaigns[2].scheduled());
    BOOST_TEST(campaigns::schedule_text(set->campaigns[2]) == "by musubictl only");
    BOOST_TEST(set->find("news") == &news);
}

BOOST_AUTO_TEST_CASE(an_unknown_segment_names_the_segments) {
    Fixture f;
    BOOST_TEST(f.errors(R"(campaigns:
  - name: a
    segment: vipp
    send: campaign_vip
)") == "config/campaigns.yaml:3:14: no segment 'vipp' in segments.yaml; did you mean 'vip'? "
       "segments are: vip, guest\n");
}

BOOST_AUTO_TEST_CASE(an_unknown_template_names_the_templates) {
    Fixture f;
    BOOST_TEST(f.errors(R"(campaigns:
  - name: a
    segment: vip
    send: campaign_vipp
)") == "config/campaigns.yaml:4:11: no template 'campaign_vipp' (looked for <name>.txt and "
       "<name>.json in " +
                   (f.dir / "templates").string() +
                   "); did you mean 'campaign_vip'? templates are: campaign_news, "
                   "campaign_vip\n");
}

BOOST_AUTO_TEST_CASE(bad_times_say_how_to_write_them) {
    Fixture f;
    BOOST_TEST(f.errors(R"(campaigns:
  - name: a
    segment: vip
    send: campaign_vip
    at: "2026-13-01 10:00"
)") == "config/campaigns.yaml:5:9: '2026-13-01 10:00' is not a date and time; write a JST "
       "date and time as \"YYYY-MM-DD HH:MM\", e.g. \"2026-12-01 10:00\"\n");
    BOOST_TEST(f.errors(R"(campaigns:
  - name: a
    segment: vip
    send: campaign_vip
    every: [mon, thurs]
    time: "10:00"
)") == "config/campaigns.yaml:5:18: 'thurs' is not a day of the week; did you mean 'thu'? "
       "write daily, weekdays, weekends, or a list of days such as [tue, fri] (days: sun, "
       "mon, tue, wed, thu, fri, sat)\n");
    BOOST_TEST(f.errors(R"(campaigns:
  - name: a
    segment: vip
    send: campaign_vip
    every: weekdays
)") == "config/campaigns.yaml:5:12: 'every' needs 'time'; add 'time: \"10:00\"' (JST) below "
       "'every:'\n");
    BOOST_TEST(f.errors(R"(campaigns:
  - name: a
    segment: vip
    send: campaign_vip
    every: daily
    time: "21:00"
    window: "10:00-20:00"
)") == "config/campaigns.yaml:6:11: the campaign starts at 21:00, outside its window "
       "10:00-20:00; choose a time inside the window, or change the window\n");
}

BOOST_AUTO_TEST_CASE(same_for_all_refuses_a_template_about_one_friend) {
    Fixture f;
    BOOST_TEST(f.errors(R"(campaigns:
  - name: a
    segment: vip
    send: campaign_vip
    same_for_all: true
)") == "config/campaigns.yaml:5:19: template 'campaign_vip' uses {{friend.display_name}}, "
       "which differs from friend to friend, but 'same_for_all' is true; remove "
       "'same_for_all: true' to render the message for each friend, or remove "
       "{{friend.display_name}} from the template\n");
}

BOOST_AUTO_TEST_CASE(duplicate_names_and_unknown_keys_are_reported) {
    Fixture f;
    BOOST_TEST(f.errors(R"(campaigns:
  - name: a
    segment: vip
    send: campaign_vip
  - name: a
    segment: vip
    send: campaign_vip
  - name: b
    segment: vip
    send: campaign_vip
    windows: "10:00-20:00"
)") == "config/campaigns.yaml:5:11: campaign 'a' is already defined on line 2; give each "
       "campaign its own name\nconfig/campaigns.yaml:11:5: unknown key 'windows' in "
       "'campaigns'; did you mean 'window'? valid keys are: name, description, segment, "
       "send, vars, at, every, time, window, limits, same_for_all, enabled\n");
}

BOOST_AUTO_TEST_CASE(recurrence_is_counted_in_jst) {
    campaigns::Campaign news;
    news.every = {2, 5}; // tue, fri
    news.time = config::TimeOfDay{12 * 60};
    BOOST_TEST(*campaigns::next_occurrence(news, k_sun_2026_11_22_1000_jst) ==
               k_tue_2026_11_24_1200_jst);
    BOOST_TEST(*campaigns::latest_occurrence(news, k_sun_2026_11_22_1000_jst) ==
               k_fri_2026_11_20_1200_jst);
    // Monday in UTC, Tuesday in Japan: today's 12:00 is next.
    BOOST_TEST(*campaigns::next_occurrence(news, k_tue_2026_11_24_0500_jst) ==
               k_tue_2026_11_24_1200_jst);
    BOOST_TEST(*campaigns::latest_occurrence(news, k_tue_2026_11_24_1200_jst) ==
               k_tue_2026_11_24_1200_jst);
    campaigns::Campaign once;
    once.at_ms = k_tue_2026_11_24_1200_jst;
    BOOST_TEST(!campaigns::latest_occurrence(once, k_sun_2026_11_22_1000_jst));
    BOOST_TEST(*campaigns::next_occurrence(once, k_sun_2026_11_22_1000_jst) ==
               k_tue_2026_11_24_1200_jst);
    BOOST_TEST(!campaigns::next_occurrence(once, k_tue_2026_11_24_1200_jst));
    BOOST_TEST(*campaigns::parse_jst_datetime("2026/11/22 10:00") == k_sun_2026_11_22_1000_jst);
    BOOST_TEST(*campaigns::parse_jst_datetime("2026-11-22T10:00") == k_sun_2026_11_22_1000_jst);
    BOOST_TEST(!campaigns::parse_jst_datetime("2026-11-22 24:00"));
    BOOST_TEST(!campaigns::parse_jst_datetime("2026-02-30 10:00"));
    BOOST_TEST(!campaigns::parse_jst_datetime("2026-11-22 10:00 extra"));
}

BOOST_AUTO_TEST_SUITE_END()
