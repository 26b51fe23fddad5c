// The followers import's store part on a real SQLite file: unknown users become friends once
// with one friend.imported fact, known friends are left alone, the continuation token moves
// with each page in the same transaction, and imported friends' profiles wait until read.

#include <cstdio>

#include <boost/test/unit_test.hpp>

#include "daemon/store/followers_import.hpp"
#include "daemon/store/sqlite/sqlite_store.hpp"
#include "support/manual_clock.hpp"
#include "support/store_query.hpp"
#include "support/temp_dir.hpp"

using namespace musubi;

namespace {

std::string user(int n) {
    char text[34];
    std::snprintf(text, sizeof text, "U%032x", n);
    return text;
}

struct World {
    test::TempDir dir;
    std::shared_ptr<test::ManualClock> clock =
        std::make_shared<test::ManualClock>(test::jst(0, 10));
    std::unique_ptr<store::sqlite::SqliteStore> store;

    World() {
        auto opened = store::sqlite::SqliteStore::open(dir / "musubi.db",
                                                       std::chrono::milliseconds(2000), clock);
        BOOST_REQUIRE_MESSAGE(opened, (opened ? "" : opened.error().message));
        store = std::move(*opened);
    }
    store::FollowersImport& followers() { return store->followers_import(); }
    std::string query(const std::string& sql) {
        auto values = test::column(dir / "musubi.db", sql);
        return values.empty() ? "no row" : values.at(0);
    }
};

} // namespace

BOOST_AUTO_TEST_SUITE(sqlite_followers_import)

BOOST_AUTO_TEST_CASE(pages_import_unknown_users_once_and_save_the_token) {
    World world;
    store::FriendEvent follow;
    follow.event_id = "e1";
    follow.line_user_id = user(2);
    follow.occurred_at_ms = world.clock->now_ms();
    follow.change = store::FriendChange::follow;
    follow.display_name = "既知";
    follow.fact_kind = "friend.followed";
    BOOST_REQUIRE(world.store->friend_events().apply(follow));

    BOOST_TEST(!*world.followers().latest_run());
    auto run = world.followers().begin_run(world.clock->now_ms());
    BOOST_REQUIRE(run);
    auto first = world.followers().apply_page(run->id, {user(1), user(2), user(3)}, "token-2",
                                              world.clock->now_ms());
    BOOST_REQUIRE(first);
    BOOST_TEST(*first == 2); // user 2 was known already
    auto latest = *world.followers().latest_run();
    BOOST_REQUIRE(latest);
    BOOST_TEST(latest->next_token == "token-2");
    BOOST_TEST(latest->pages == 1);
    BOOST_TEST(latest->listed == 3);
    BOOST_TEST(latest->imported == 2);
    BOOST_TEST((latest->outcome == store::ImportOutcome::running));

    // The same page again (a crash before the token moved on) adds nothing; the last page
    // finishes the run in its own transaction.
    auto again =
        world.followers().apply_page(run->id, {user(3), user(4)}, "", world.clock->now_ms());
    BOOST_REQUIRE(again);
    BOOST_TEST(*again == 1);
    latest = *world.followers().latest_run();
    BOOST_TEST((latest->outcome == store::ImportOutcome::done));
    BOOST_TEST(latest->next_token.empty());
    BOOST_TEST(latest->finished_at_ms.has_value());
    BOOST_TEST(world.query("SELECT count(*) FROM friends") == "4");
    BOOST_TEST(world.query("SELECT count(*) FROM facts WHERE kind = 'friend.imported'") == "3");
    BOOST_TEST(world.query("SELECT natural_key FROM facts WHERE kind = 'friend.imported' AND "
                           "friend_id = (SELECT id FROM friends WHERE line_user_id = '" +
                           user(4) + "')") == "line:imported:" + user(4));
    // The known friend keeps its name and state, and gets no import fact.
    BOOST_TEST(world.query("SELECT display_name || state FROM friends WHERE line_user_id = '" +
                           user(2) + "'") == "既知following");
    // A finished run takes no more pages.
    BOOST_TEST(!world.followers().apply_page(run->id, {user(5)}, "", world.clock->now_ms()));
    BOOST_TEST(world.query("SELECT count(*) FROM friends") == "4");
}

BOOST_AUTO_TEST_CASE(profiles_are_due_until_read_and_a_404_marks_the_friend_gone) {
    World world;
    auto run = world.followers().begin_run(world.clock->now_ms());
    BOOST_REQUIRE(world.followers().apply_page(run->id, {user(1), user(2), user(3)}, "",
                                               world.clock->now_ms()));
    auto due = world.followers().profiles_due(world.clock->now_ms(), 10);
    BOOST_REQUIRE(due);
    BOOST_REQUIRE(due->size() == 3u);
    BOOST_TEST((*due)[0].line_user_id == user(1));
    BOOST_TEST(world.query("SELECT count(*) FROM friends WHERE display_name IS NULL") == "3");

    BOOST_REQUIRE(world.followers().set_profile((*due)[0].friend_id, "佐藤"));
    BOOST_REQUIRE(
        world.followers().postpone_profile((*due)[1].friend_id, world.clock->now_ms() + 3600000));
    const auto asked = world.clock->now_ms();
    auto gone = world.followers().mark_gone((*due)[2].friend_id, asked);
    BOOST_REQUIRE(gone);
    BOOST_TEST(*gone);
    BOOST_TEST(world.query("SELECT display_name FROM friends WHERE line_user_id = '" + user(1) +
                           "'") == "佐藤");
    BOOST_TEST(world.query("SELECT state FROM friends WHERE line_user_id = '" + user(3) + "'") ==
               "blocked");
    BOOST_TEST(world.query("SELECT count(*) FROM facts WHERE kind = 'friend.unfollowed'") == "1");
    auto still = world.followers().profiles_due(world.clock->now_ms(), 10);
    BOOST_TEST(still->empty()); // the postponed one is not due yet
    world.clock->advance(3600000);
    still = world.followers().profiles_due(world.clock->now_ms(), 10);
    BOOST_REQUIRE(still->size() == 1u);
    BOOST_TEST((*still)[0].attempts == 1);

    auto totals = world.followers().totals();
    BOOST_REQUIRE(totals);
    BOOST_TEST(totals->imported == 3);
    BOOST_TEST(totals->profiles_due == 1);
    BOOST_TEST(totals->latest.has_value());
}

BOOST_AUTO_TEST_CASE(a_404_older_than_a_new_follow_changes_nothing) {
    World world;
    auto run = world.followers().begin_run(world.clock->now_ms());
    BOOST_REQUIRE(world.followers().apply_page(run->id, {user(1)}, "", world.clock->now_ms()));
    const auto asked = world.clock->now_ms();
    world.clock->advance(1000);
    store::FriendEvent follow;
    follow.event_id = "e-follow";
    follow.line_user_id = user(1);
    follow.occurred_at_ms = world.clock->now_ms();
    follow.change = store::FriendChange::follow;
    BOOST_REQUIRE(world.store->friend_events().apply(follow));
    auto due = world.followers().profiles_due(world.clock->now_ms(), 10);
    auto gone = world.followers().mark_gone((*due)[0].friend_id, asked);
    BOOST_REQUIRE(gone);
    BOOST_TEST(!*gone);
    BOOST_TEST(world.query("SELECT state FROM friends") == "following");
    BOOST_TEST(world.query("SELECT count(*) FROM friend_profiles_due") == "0");
}

BOOST_AUTO_TEST_CASE(forbidden_and_abandoned_runs_are_finished) {
    World world;
    auto run = world.followers().begin_run(world.clock->now_ms());
    BOOST_REQUIRE(world.followers().finish_run(run->id, store::ImportOutcome::forbidden,
                                               world.clock->now_ms()));
    BOOST_TEST(
        (world.followers().latest_run()->value().outcome == store::ImportOutcome::forbidden));
    auto second = world.followers().begin_run(world.clock->now_ms());
    BOOST_REQUIRE(world.followers().apply_page(second->id, {user(1)}, "t", world.clock->now_ms()));
    BOOST_REQUIRE(world.followers().finish_run(second->id, store::ImportOutcome::abandoned,
                                               world.clock->now_ms()));
    auto latest = world.followers().latest_run()->value();
    BOOST_TEST((latest.outcome == store::ImportOutcome::abandoned));
    BOOST_TEST(latest.next_token.empty());
}

BOOST_AUTO_TEST_SUITE_END()
