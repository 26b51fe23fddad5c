// The segment worker on a real SQLite store with a manual clock: friends move between
// segments when their facts change and when days pass, and the store records each change.

#include <thread>

#include <boost/test/unit_test.hpp>

#include "daemon/segments/segment_config.hpp"
#include "daemon/segments/segment_worker.hpp"
#include "daemon/store/sqlite/sqlite_store.hpp"
#include "support/manual_clock.hpp"
#include "support/temp_dir.hpp"

using namespace musubi;
using musubi::test::jst;
using musubi::test::k_day;

namespace {

constexpr const char* k_shop = R"(segments:
  - name: vip
    when: {orders.count: {gte: 5}}
  - name: tagged
    when: {friend.tags: {contains: campaign}}
  - name: dormant
    when: {friend.linked: true, orders.days_since_last: {gte: 90}}
  - name: linked
    when: {friend.linked: true}
  - name: guest
)";

struct World {
    test::TempDir dir;
    std::shared_ptr<test::ManualClock> clock = std::make_shared<test::ManualClock>(jst(0, 10));
    std::unique_ptr<store::sqlite::SqliteStore> store;
    std::unique_ptr<segments::SegmentWorker> worker;
    int facts = 0;

    explicit World(const std::string& definitions = k_shop) {
        auto opened = store::sqlite::SqliteStore::open(dir / "musubi.db",
                                                       std::chrono::milliseconds(2000), clock);
        BOOST_REQUIRE_MESSAGE(opened, (opened ? "" : opened.error().message));
        store = std::move(*opened);
        worker = std::make_unique<segments::SegmentWorker>(store->segments(), clock);
        define(definitions);
    }

    void define(const std::string& definitions) {
        dir.write("segments.yaml", definitions);
        auto loaded = segments::load_segments(dir / "segments.yaml", "segments.yaml");
        BOOST_REQUIRE_MESSAGE(loaded, (loaded ? "" : loaded.error().to_string()));
        worker->reload(std::make_shared<const std::vector<segments::Segment>>(*loaded));
    }

    std::int64_t follow(const std::string& user) {
        store::FriendEvent event;
        event.event_id = "follow-" + user;
        event.line_user_id = user;
        event.occurred_at_ms = clock->now_ms();
        event.change = store::FriendChange::follow;
        event.fact_kind = "friend.followed";
        auto id = store->friend_events().apply(event);
        BOOST_REQUIRE(id);
        return *id;
    }

    void order(const std::string& number, const std::string& buyer, std::int64_t at) {
        store::OrderSnapshot order;
        order.order_number = number;
        order.progress = 100;
        order.total = 3000;
        order.ordered_at_ms = at;
        order.items = {{"towel-01", "むすびタオル", 1, 3000}};
        order.buyer.buyer_key = buyer;
        BOOST_REQUIRE(store->apply_order(order, store::Triggers::yes));
    }

    void exec(const std::string& sql) {
        auto db = store::sqlite::Database::open(dir / "musubi.db");
        BOOST_REQUIRE(db);
        BOOST_REQUIRE_MESSAGE(db->exec(sql), sql);
    }

    // As the linking code does: the link row and a friend.linked fact.
    void link(std::int64_t friend_id, const std::string& buyer) {
        const std::string id = std::to_string(friend_id);
        const std::string now = std::to_string(clock->now_ms());
        exec("INSERT INTO links (friend_id, buyer_id, method, linked_at) SELECT " + id +
             ", id, 'chat', " + now + " FROM buyers WHERE buyer_key = '" + buyer + "'");
        fact("friend.linked", friend_id);
    }

    // As a scenario step's add_tags does: the tag and a tag.added fact.
    void tag(std::int64_t friend_id, const std::string& tag) {
        exec("INSERT INTO friend_tags (friend_id, tag, added_at) VALUES (" +
             std::to_string(friend_id) + ", '" + tag + "', " + std::to_string(clock->now_ms()) +
             ")");
        fact("tag.added", friend_id);
    }

    void fact(const std::string& kind, std::int64_t friend_id) {
        const std::string now = std::to_string(clock->now_ms());
        exec("INSERT INTO facts (natural_key, kind, friend_id, occurred_at, recorded_at) VALUES "
             "('test:" +
             std::to_string(++facts) + "', '" + kind + "', " + std::to_string(friend_id) + ", " +
             now + ", " + now + ")");
    }

    std::int64_t last_fact_id() {
        auto last = store->segments().last_fact_id();
        BOOST_REQUIRE(last);
        return *last;
    }

    // Passes until nothing is left; the counts added up.
    segments::PassCounts settle() {
        segments::PassCounts total;
        for (int i = 0; i < 100; ++i) {
            auto pass = worker->run_pass(500);
            BOOST_REQUIRE_MESSAGE(pass, (pass ? "" : pass.error().message));
            total.reloaded += pass->reloaded;
            total.by_facts += pass->by_facts;
            total.by_time += pass->by_time;
            total.changed += pass->changed;
            if (!pass->more) {
                return total;
            }
        }
        BOOST_FAIL("the worker never settled");
        return total;
    }

    std::string segment_of(std::int64_t friend_id) {
        auto membership = store->segments().membership(friend_id);
        BOOST_REQUIRE(membership);
        BOOST_REQUIRE_MESSAGE(*membership, "friend " << friend_id << " has no membership");
        return (*membership)->segment.value_or("(none)");
    }

    std::vector<store::SegmentChange> changes() {
        auto all = store->segments().changes_after(0, 100000);
        BOOST_REQUIRE(all);
        return *all;
    }
};

} // namespace

BOOST_AUTO_TEST_SUITE(segment_worker)

BOOST_AUTO_TEST_CASE(a_guest_who_links_moves_to_linked) {
    World world;
    const auto id = world.follow("U-guest");
    auto first = world.settle();
    BOOST_TEST(first.reloaded == 1U); // the first start places every friend
    BOOST_TEST(world.segment_of(id) == "guest");

    world.order("order-1", "buyer-1", world.clock->now_ms());
    world.link(id, "buyer-1");
    const auto linked_fact = world.last_fact_id();
    const auto pass = world.settle();
    BOOST_TEST(pass.by_facts == 1U);
    BOOST_TEST(pass.changed == 1U);
    BOOST_TEST(world.segment_of(id) == "linked");

    const auto changes = world.changes();
    BOOST_REQUIRE_EQUAL(changes.size(), 2U);
    BOOST_TEST(!changes[0].from);
    BOOST_TEST(changes[0].to.value_or("") == "guest");
    BOOST_TEST(changes[0].why == "segments defined");
    BOOST_TEST(changes[1].from.value_or("") == "guest");
    BOOST_TEST(changes[1].to.value_or("") == "linked");
    BOOST_TEST(changes[1].why == "fact friend.linked #" + std::to_string(linked_fact));
    BOOST_TEST(changes[1].friend_id == id);
}

BOOST_AUTO_TEST_CASE(a_new_follower_is_placed_by_their_follow_fact) {
    World world;
    world.follow("U-first");
    world.settle();
    const auto id = world.follow("U-new");
    const auto followed = world.last_fact_id();
    const auto pass = world.settle();
    BOOST_TEST(pass.reloaded == 0U);
    BOOST_TEST(pass.by_facts == 1U);
    BOOST_TEST(world.segment_of(id) == "guest");
    BOOST_TEST(world.changes().back().why == "fact friend.followed #" + std::to_string(followed));
}

BOOST_AUTO_TEST_CASE(a_fifth_order_moves_a_friend_to_vip) {
    World world;
    const auto id = world.follow("U-repeat");
    world.order("order-1", "buyer-1", jst(0, 9));
    world.link(id, "buyer-1");
    for (int i = 2; i <= 4; ++i) {
        world.order("order-" + std::to_string(i), "buyer-1", jst(0, 9 + i));
    }
    world.settle();
    BOOST_TEST(world.segment_of(id) == "linked");
    const auto changes_before = world.changes().size();

    // The order fact names only the order number: the worker finds the friend through the
    // buyer's link.
    world.order("order-5", "buyer-1", jst(1, 9));
    const auto placed = world.last_fact_id();
    const auto pass = world.settle();
    BOOST_TEST(pass.by_facts == 1U);
    BOOST_TEST(world.segment_of(id) == "vip");
    const auto changes = world.changes();
    BOOST_REQUIRE_EQUAL(changes.size(), changes_before + 1);
    BOOST_TEST(changes.back().from.value_or("") == "linked");
    BOOST_TEST(changes.back().why == "fact order.placed #" + std::to_string(placed));
}

BOOST_AUTO_TEST_CASE(a_tag_added_moves_a_friend) {
    World world;
    const auto id = world.follow("U-tag");
    const auto other = world.follow("U-other");
    world.settle();
    BOOST_TEST(world.segment_of(id) == "guest");

    world.tag(id, "campaign");
    const auto pass = world.settle();
    BOOST_TEST(pass.by_facts == 1U); // only the tagged friend is evaluated
    BOOST_TEST(world.segment_of(id) == "tagged");
    BOOST_TEST(world.segment_of(other) == "guest");
    BOOST_TEST(world.changes().back().why.starts_with("fact tag.added #"));
}

BOOST_AUTO_TEST_CASE(no_order_for_90_days_moves_a_friend_with_no_new_fact) {
    World world;
    // 1,000 linked friends, each with one order: friend 1 ordered 80 days ago, the others
    // 10 days ago.
    const std::int64_t now = world.clock->now_ms();
    const std::string t = std::to_string(now);
    const std::string early = std::to_string(now - 80 * k_day);
    const std::string late = std::to_string(now - 10 * k_day);
    const std::string numbers =
        "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 1000) ";
    world.exec(numbers +
               "INSERT INTO friends (id, line_user_id, followed_at, created_at, "
               "updated_at) SELECT x, 'U' || x, " +
               t + ", " + t + ", " + t + " FROM n");
    world.exec(numbers + "INSERT INTO buyers (id, buyer_key, created_at) SELECT x, 'b' || x, " + t +
               " FROM n");
    world.exec(numbers +
               "INSERT INTO orders (source, order_number, buyer_id, total, ordered_at, "
               "updated_at) SELECT 'rakuten', 'o' || x, x, 3000, CASE WHEN x = 1 THEN " +
               early + " ELSE " + late + " END, " + t + " FROM n");
    world.exec(numbers +
               "INSERT INTO links (friend_id, buyer_id, method, linked_at) SELECT x, x, "
               "'cli', " +
               t + " FROM n");
    const auto placed = world.settle();
    BOOST_TEST(placed.reloaded == 1000U);
    BOOST_TEST(world.segment_of(1) == "linked");
    BOOST_TEST(world.segment_of(2) == "linked");

    // Nine days later nobody is due: nothing is evaluated.
    world.clock->advance(9 * k_day);
    auto pass = world.settle();
    BOOST_TEST(pass.by_time == 0U);

    // Day 90 for friend 1: the sweep evaluates that one friend, not the 1,000.
    world.clock->set(now + 10 * k_day);
    pass = world.settle();
    BOOST_TEST(pass.by_time == 1U);
    BOOST_TEST(pass.by_facts == 0U);
    BOOST_TEST(pass.changed == 1U);
    BOOST_TEST(world.segment_of(1) == "dormant");
    BOOST_TEST(world.segment_of(2) == "linked");
    const auto changes = world.changes();
    BOOST_TEST(changes.back().friend_id == 1);
    BOOST_TEST(changes.back().why == "time: orders.days_since_last ≥ 90");

    // Friend 1 is now due never (only a new order moves them back); nothing more to sweep.
    world.clock->advance(k_day);
    BOOST_TEST(world.settle().by_time == 0U);

    // The others' day 90 comes together: all 999 move, and only they are evaluated.
    world.clock->set(now + 80 * k_day);
    pass = world.settle();
    BOOST_TEST(pass.by_time == 999U);
    BOOST_TEST(pass.changed == 999U);
    BOOST_TEST(world.segment_of(1000) == "dormant");
}

BOOST_AUTO_TEST_CASE(new_definitions_reevaluate_everyone_once) {
    World world;
    const auto a = world.follow("U-a");
    const auto b = world.follow("U-b");
    world.tag(b, "campaign");
    world.settle();
    BOOST_TEST(world.segment_of(a) == "guest");
    BOOST_TEST(world.segment_of(b) == "tagged");

    // The same definitions again (a reload that changed nothing): no work.
    world.define(k_shop);
    BOOST_TEST(world.settle().reloaded == 0U);

    // Tags no longer count: b moves, with "config reload" as the reason.
    world.define(R"(segments:
  - name: linked
    when: {friend.linked: true}
  - name: guest
)");
    const auto pass = world.settle();
    BOOST_TEST(pass.reloaded == 2U);
    BOOST_TEST(pass.changed == 1U);
    BOOST_TEST(world.segment_of(b) == "guest");
    BOOST_TEST(world.changes().back().why == "config reload");

    // A restart with the applied definitions does not evaluate everyone again.
    world.worker = std::make_unique<segments::SegmentWorker>(world.store->segments(), world.clock);
    world.define(R"(segments:
  - name: linked
    when: {friend.linked: true}
  - name: guest
)");
    BOOST_TEST(world.settle().reloaded == 0U);
}

BOOST_AUTO_TEST_CASE(readers_follow_changes_and_list_a_segment) {
    World world;
    const auto a = world.follow("U-a");
    const auto b = world.follow("U-b");
    world.settle();
    world.tag(b, "campaign");
    world.settle();
    auto guests = world.store->segments().friends_in("guest", 0, 100);
    BOOST_REQUIRE(guests);
    BOOST_TEST(*guests == std::vector<std::int64_t>{a}, boost::test_tools::per_element());
    const auto all = world.changes();
    BOOST_REQUIRE_EQUAL(all.size(), 3U);
    auto after = world.store->segments().changes_after(all[1].id, 100);
    BOOST_REQUIRE(after);
    BOOST_REQUIRE_EQUAL(after->size(), 1U);
    BOOST_TEST(after->front().friend_id == b);
    BOOST_TEST(after->front().to.value_or("") == "tagged");
}

BOOST_AUTO_TEST_CASE(the_thread_places_friends_when_woken) {
    World world;
    world.worker->start();
    const auto id = world.follow("U-threaded");
    world.worker->wake();
    std::optional<store::Membership> placed;
    for (int i = 0; i < 500 && !placed; ++i) { // up to 5 s on a loaded machine
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        auto membership = world.store->segments().membership(id);
        BOOST_REQUIRE(membership);
        placed = *membership;
    }
    world.worker->stop();
    BOOST_REQUIRE(placed);
    BOOST_TEST(placed->segment.value_or("") == "guest");
}

BOOST_AUTO_TEST_SUITE_END()
