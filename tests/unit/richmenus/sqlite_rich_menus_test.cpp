// What the store remembers of rich menus on LINE: a menu's life from created to retired, the
// moves the reconciler must make, and aliases and the default as last set.

#include <boost/test/unit_test.hpp>

#include "daemon/store/sqlite/database.hpp"
#include "daemon/store/sqlite/schema_v3_richmenus.hpp"
#include "daemon/store/sqlite/sqlite_rich_menus.hpp"
#include "support/temp_dir.hpp"

using namespace musubi;
using store::RichMenuMove;
using store::RichMenuState;

namespace {

struct Fixture {
    test::TempDir dir;
    std::unique_ptr<store::sqlite::SqliteRichMenus> menus;

    Fixture() {
        auto db = store::sqlite::open_connection(dir / "musubi.db", std::chrono::seconds(1));
        BOOST_REQUIRE(db);
        BOOST_REQUIRE(db->exec(store::sqlite::k_schema_v3_richmenus));
        menus = std::make_unique<store::sqlite::SqliteRichMenus>(std::move(*db));
    }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(sqlite_rich_menus, Fixture)

BOOST_AUTO_TEST_CASE(a_new_menu_becomes_current_after_its_image) {
    BOOST_REQUIRE(menus->record_created("guest", "hash-1", "richmenu-a", 1000));
    BOOST_TEST(!*menus->current_id("guest"));
    BOOST_REQUIRE(menus->mark_uploaded("richmenu-a", 1001));
    BOOST_TEST((menus->menus()->at(0).state == RichMenuState::uploaded));
    auto old = menus->make_current("richmenu-a", 1002);
    BOOST_REQUIRE(old);
    BOOST_TEST(!*old);
    BOOST_TEST(**menus->current_id("guest") == "richmenu-a");
    BOOST_TEST(menus->pending_moves()->empty());
}

BOOST_AUTO_TEST_CASE(a_replaced_menu_waits_for_its_friends_then_is_retired) {
    BOOST_REQUIRE(menus->record_created("guest", "hash-1", "richmenu-a", 1000));
    BOOST_REQUIRE(menus->make_current("richmenu-a", 1000));
    BOOST_REQUIRE(menus->record_created("guest", "hash-2", "richmenu-b", 2000));
    auto old = menus->make_current("richmenu-b", 2001);
    BOOST_REQUIRE(old);
    BOOST_TEST(**old == "richmenu-a");
    BOOST_TEST(**menus->current_id("guest") == "richmenu-b");
    auto moves = menus->pending_moves();
    BOOST_REQUIRE(moves);
    BOOST_TEST((*moves == std::vector<RichMenuMove>{{"guest", "richmenu-a", "richmenu-b", 2001}}));

    BOOST_REQUIRE(menus->mark_retired("richmenu-a", 3000));
    BOOST_TEST(menus->pending_moves()->empty());
    BOOST_TEST(menus->menus()->size() == 1u); // retired menus are not listed
}

BOOST_AUTO_TEST_CASE(a_name_that_left_the_file_moves_its_friends_to_nothing) {
    BOOST_REQUIRE(menus->record_created("vip", "hash-1", "richmenu-v", 1000));
    BOOST_REQUIRE(menus->make_current("richmenu-v", 1000));
    BOOST_TEST(**menus->supersede_name("vip", 5000) == "richmenu-v");
    BOOST_TEST(
        (*menus->pending_moves() == std::vector<RichMenuMove>{{"vip", "richmenu-v", "", 5000}}));
    BOOST_TEST(!*menus->supersede_name("vip", 6000)); // nothing current any more
}

BOOST_AUTO_TEST_CASE(aliases_and_the_default_remember_the_last_target) {
    BOOST_TEST(!*menus->alias_target("vip-shop"));
    BOOST_REQUIRE(menus->record_alias("vip-shop", "richmenu-a", 1000));
    BOOST_REQUIRE(menus->record_alias("vip-shop", "richmenu-b", 2000));
    BOOST_TEST(**menus->alias_target("vip-shop") == "richmenu-b");
    BOOST_TEST(!*menus->default_menu());
    BOOST_REQUIRE(menus->record_default("richmenu-a", 1000));
    BOOST_REQUIRE(menus->record_default("richmenu-c", 3000));
    BOOST_TEST(**menus->default_menu() == "richmenu-c");
}

BOOST_AUTO_TEST_CASE(making_an_unknown_menu_current_is_an_error) {
    auto made = menus->make_current("richmenu-zz", 1000);
    BOOST_REQUIRE(!made);
    BOOST_TEST(made.error().message == "no rich menu richmenu-zz is recorded");
}

BOOST_AUTO_TEST_SUITE_END()
