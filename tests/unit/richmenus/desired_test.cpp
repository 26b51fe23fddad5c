// The reconciler's decisions with no store or LINE: the menu a segment asks for (the default is
// never linked per user), what needs a call and what does not, batches of 500 per target, and
// what the spot check calls drift (richmenuswitch tabs are not drift).

#include <boost/test/unit_test.hpp>

#include "daemon/richmenus/desired.hpp"

using namespace musubi;
using richmenus::MenuIds;
using richmenus::Plan;

namespace {

richmenus::RichMenuSet shipped() {
    const std::filesystem::path source(MUSUBI_SOURCE_DIR);
    auto loaded = richmenus::load_rich_menus(source / "config" / "richmenus.yaml",
                                             "config/richmenus.yaml", source / "templates");
    BOOST_REQUIRE_MESSAGE(loaded, (loaded ? "" : loaded.error().to_string()));
    return std::move(*loaded);
}

store::RichMenuRecord record(const char* id, const char* name, store::RichMenuState state) {
    store::RichMenuRecord r;
    r.rich_menu_id = id;
    r.name = name;
    r.state = state;
    return r;
}

MenuIds ids() {
    using store::RichMenuState;
    return MenuIds::from({record("rm-guest", "guest", RichMenuState::current),
                          record("rm-linked", "linked", RichMenuState::current),
                          record("rm-linked-old", "linked", RichMenuState::superseded),
                          record("rm-vip", "vip", RichMenuState::current),
                          record("rm-vip-shop", "vip-shop", RichMenuState::current)});
}

store::FriendMenu friend_in(std::optional<std::string> segment, std::int64_t id = 1) {
    store::FriendMenu f;
    f.friend_id = id;
    f.line_user_id = "U" + std::string(31, '0') + std::to_string(id % 10);
    f.segment = std::move(segment);
    return f;
}

} // namespace

BOOST_AUTO_TEST_SUITE(richmenu_desired)

BOOST_AUTO_TEST_CASE(segments_map_to_menus_and_the_default_means_unlinked) {
    const auto set = shipped();
    BOOST_TEST(richmenus::desired_menu(set, std::string("vip")).value_or("") == "vip");
    BOOST_TEST((richmenus::desired_menu(set, std::string("linked")) ==
                std::optional<std::string>("linked")));
    BOOST_TEST(!richmenus::desired_menu(set, std::string("guest")));   // the default
    BOOST_TEST(!richmenus::desired_menu(set, std::string("dormant"))); // not mapped
    BOOST_TEST(!richmenus::desired_menu(set, std::nullopt));
}

BOOST_AUTO_TEST_CASE(a_new_guest_needs_no_call_and_a_linked_friend_one_link) {
    const auto set = shipped();
    Plan plan;
    richmenus::plan_friend(friend_in("guest"), set, ids(), "segment guest", false, plan);
    BOOST_TEST(plan.actions() == 0U);
    richmenus::plan_friend(friend_in("linked"), set, ids(), "segment linked", false, plan);
    BOOST_REQUIRE_EQUAL(plan.links["rm-linked"].size(), 1U);
    BOOST_TEST(plan.links["rm-linked"][0].why == "segment linked");
    BOOST_TEST(!plan.links["rm-linked"][0].from);
}

BOOST_AUTO_TEST_CASE(an_up_to_date_record_needs_nothing_unless_stale_or_forced) {
    const auto set = shipped();
    auto f = friend_in("linked");
    f.menu = "linked";
    f.rich_menu_id = "rm-linked";
    Plan plan;
    richmenus::plan_friend(f, set, ids(), "x", false, plan);
    BOOST_TEST(plan.actions() == 0U);
    f.stale = true;
    richmenus::plan_friend(f, set, ids(), "followed again", false, plan);
    BOOST_TEST(plan.actions() == 1U);
}

BOOST_AUTO_TEST_CASE(a_friend_on_a_replaced_menu_moves_and_a_blocked_one_is_forgotten) {
    const auto set = shipped();
    auto f = friend_in("linked");
    f.menu = "linked";
    f.rich_menu_id = "rm-linked-old";
    Plan plan;
    richmenus::plan_friend(f, set, ids(), "menu linked replaced", false, plan);
    BOOST_TEST(plan.links["rm-linked"].size() == 1U);
    f.following = false;
    richmenus::plan_friend(f, set, ids(), "menu linked replaced", false, plan);
    BOOST_TEST(plan.forget == std::vector<std::int64_t>{1});
    BOOST_TEST(plan.actions() == 1U); // no call for the blocked friend
}

BOOST_AUTO_TEST_CASE(leaving_a_menu_for_the_default_is_an_unlink) {
    const auto set = shipped();
    auto f = friend_in("guest");
    f.menu = "linked";
    f.rich_menu_id = "rm-linked";
    Plan plan;
    richmenus::plan_friend(f, set, ids(), "segment guest", false, plan);
    BOOST_REQUIRE_EQUAL(plan.unlinks.size(), 1U);
    BOOST_TEST(*plan.unlinks[0].from == "linked");
    BOOST_TEST(!plan.unlinks[0].to);
}

BOOST_AUTO_TEST_CASE(a_menu_not_on_line_yet_waits) {
    auto set = shipped();
    auto known = ids();
    known.current.erase("vip");
    Plan plan;
    richmenus::plan_friend(friend_in("vip"), set, known, "segment vip", false, plan);
    BOOST_TEST(plan.actions() == 0U);
    BOOST_TEST(plan.waiting == 1U);
}

BOOST_AUTO_TEST_CASE(calls_are_batches_of_500_per_target_menu) {
    const auto set = shipped();
    Plan plan;
    for (std::int64_t id = 1; id <= 1001; ++id) {
        richmenus::plan_friend(friend_in("vip", id), set, ids(), "segment vip", false, plan);
    }
    for (std::int64_t id = 2001; id <= 2500; ++id) {
        richmenus::plan_friend(friend_in("linked", id), set, ids(), "segment linked", false, plan);
    }
    BOOST_TEST(plan.actions() == 1501U);
    BOOST_TEST(plan.calls() == 4U); // vip 500 + 500 + 1, linked 500
}

BOOST_AUTO_TEST_CASE(drift_is_a_menu_the_desired_one_cannot_lead_to) {
    const auto set = shipped();
    const auto known = ids();
    const std::optional<std::string> vip("vip");
    BOOST_TEST(!richmenus::drifted(set, known, vip, std::string("rm-vip")));
    BOOST_TEST(!richmenus::drifted(set, known, vip, std::string("rm-vip-shop"))); // a tab
    BOOST_TEST(richmenus::drifted(set, known, vip, std::string("rm-linked")));
    BOOST_TEST(richmenus::drifted(set, known, vip, std::nullopt));
    BOOST_TEST(richmenus::drifted(set, known, vip, std::string("richmenu-not-musubis")));
    // Unlinked friends: nothing per user, or the default itself, is where they should be.
    BOOST_TEST(!richmenus::drifted(set, known, std::nullopt, std::nullopt));
    BOOST_TEST(!richmenus::drifted(set, known, std::nullopt, std::string("rm-guest")));
    BOOST_TEST(richmenus::drifted(set, known, std::nullopt, std::string("rm-vip")));
    // A superseded menu of the right name: a move in progress, not drift.
    BOOST_TEST(!richmenus::drifted(set, known, std::optional<std::string>("linked"),
                                   std::string("rm-linked-old")));
}

BOOST_AUTO_TEST_CASE(the_fingerprint_follows_the_map_and_the_default) {
    auto set = shipped();
    const auto before = richmenus::mapping_fingerprint(set);
    BOOST_TEST(richmenus::mapping_fingerprint(set) == before);
    set.segment_menus["dormant"] = "guest";
    BOOST_TEST(richmenus::mapping_fingerprint(set) != before);
}

BOOST_AUTO_TEST_SUITE_END()
