// The scenario engine against a real SQLite store and real scenario files, with a manual
// clock: what lands in the outbox (the messages LINE will get), when, and what does not.

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "daemon/config/loader.hpp"
#include "daemon/engine/engine.hpp"
#include "daemon/store/sqlite/sqlite_store.hpp"
#include "support/manual_clock.hpp"
#include "support/temp_dir.hpp"

using namespace musubi;
using musubi::test::jst;
using musubi::test::k_day;
using musubi::test::k_hour;

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

constexpr const char* k_order_thanks = R"(scenario: order-thanks
trigger: order.placed
when:
  friend.linked: true
reentry: per_subject
steps:
  - window: "09:00-21:00"
    send: thanks
cancel_on: [order.cancelled, friend.unfollowed]
)";

constexpr const char* k_review = R"(scenario: review-request
trigger: order.shipped
when:
  friend.linked: true
  order.total: {gte: 3000}
reentry: per_subject
steps:
  - name: ask
    after: 3d
    window: "10:00-20:00"
    unless: review.posted
    send: ask
  - name: coupon
    on: review.posted
    within: 14d
    send: coupon
    vars: {coupon_code: REVIEW500}
cancel_on: [order.cancelled, friend.unfollowed]
limits: {per_friend_per_day: 2}
)";

struct Message {
    std::string scenario, step, kind, state, text, reason;
    std::int64_t due_at = 0;
};

struct World {
    test::TempDir dir;
    std::shared_ptr<test::ManualClock> clock = std::make_shared<test::ManualClock>(jst(0, 10));
    std::shared_ptr<const config::Config> config;
    std::unique_ptr<store::sqlite::SqliteStore> store;
    std::unique_ptr<engine::Engine> engine;
    int wakes = 0;

    World(const std::string& scenario, const std::string& text) {
        dir.write("musubi.yaml", k_main);
        dir.write("scenarios/" + scenario + ".yaml", text);
        dir.write("templates/thanks.txt", "{{friend.display_name}}様 ご注文 {{order.number}} "
                                          "合計 {{order.total_text}}");
        dir.write("templates/ask.txt", "レビューのお願い {{order.number}}");
        dir.write("templates/coupon.txt", "クーポン {{vars.coupon_code}}");
        dir.write("templates/hello.txt", "こんにちは {{friend.display_name}}");
        dir.write("templates/answer.txt", "営業時間は10時から");
        load();
        auto opened = store::sqlite::SqliteStore::open(dir / "musubi.db",
                                                       std::chrono::milliseconds(2000), clock);
        BOOST_REQUIRE_MESSAGE(opened, (opened ? "" : opened.error().message));
        store = std::move(*opened);
        engine = std::make_unique<engine::Engine>(store->engine(), clock, [this] { ++wakes; });
        reload();
    }

    void load() {
        auto loaded = config::load_config(dir / "musubi.yaml");
        if (!loaded) {
            for (const auto& item : loaded.error().items()) {
                BOOST_TEST_MESSAGE(item.to_string());
            }
        }
        BOOST_REQUIRE(loaded);
        config = std::make_shared<const config::Config>(std::move(*loaded));
    }

    void reload() {
        auto set = templates::TemplateSet::load(dir / "templates");
        BOOST_REQUIRE(set);
        engine->reload(
            {config, std::make_shared<const templates::TemplateSet>(std::move(*set)), nullptr});
    }

    std::int64_t follow(const std::string& user, const std::string& name, std::int64_t at) {
        store::FriendEvent event;
        event.event_id = "follow-" + user + "-" + std::to_string(at);
        event.line_user_id = user;
        event.occurred_at_ms = at;
        event.change = store::FriendChange::follow;
        event.display_name = name;
        event.fact_kind = "friend.followed";
        // Each event has its own token, as LINE issues them.
        event.payload_json = R"({"reply_token":"rt-)" + user + "-" + std::to_string(at) + R"("})";
        auto id = store->friend_events().apply(event);
        BOOST_REQUIRE(id);
        return *id;
    }

    void unfollow(const std::string& user, std::int64_t at) {
        store::FriendEvent event;
        event.event_id = "unfollow-" + user + "-" + std::to_string(at);
        event.line_user_id = user;
        event.occurred_at_ms = at;
        event.change = store::FriendChange::unfollow;
        event.fact_kind = "friend.unfollowed";
        BOOST_REQUIRE(store->friend_events().apply(event));
    }

    store::OrderSnapshot order(const std::string& number, std::int64_t total, std::int64_t at,
                               const std::string& buyer = "buyer-1") {
        store::OrderSnapshot order;
        order.order_number = number;
        order.progress = 100;
        order.total = total;
        order.ordered_at_ms = at;
        order.items = {{"item-1", "むすびタオル", 2, total / 2}};
        order.buyer.buyer_key = buyer;
        return order;
    }

    void apply(const store::OrderSnapshot& order) {
        BOOST_REQUIRE(store->apply_order(order, store::Triggers::yes));
    }

    void ship(store::OrderSnapshot order, std::int64_t at) {
        order.progress = 500;
        order.shipped_at_ms = at;
        order.shipment = store::Shipment{"1001", "ヤマト運輸", "123412341234",
                                         "https://track.example/123412341234"};
        apply(order);
    }

    void exec(const std::string& sql) {
        auto db = store::sqlite::Database::open(dir / "musubi.db");
        BOOST_REQUIRE(db);
        BOOST_REQUIRE_MESSAGE(db->exec(sql), sql);
    }

    void link(std::int64_t friend_id, const std::string& buyer = "buyer-1") {
        exec("INSERT INTO links (friend_id, buyer_id, method, linked_at) SELECT " +
             std::to_string(friend_id) + ", id, 'chat', 0 FROM buyers WHERE buyer_key = '" + buyer +
             "'");
    }

    void review(const std::string& number, std::int64_t at) {
        BOOST_REQUIRE(store->record_fact({"rakuten:review:" + number, "review.posted", number, at,
                                          R"({"rating":5,"item_name":"むすびタオル"})"}));
    }

    void run() {
        for (int i = 0; i < 5; ++i) {
            auto facts = engine->process_facts(1000);
            BOOST_REQUIRE_MESSAGE(facts, (facts ? "" : facts.error().message));
            auto steps = engine->run_due_steps(1000);
            BOOST_REQUIRE_MESSAGE(steps, (steps ? "" : steps.error().message));
        }
    }

    std::vector<Message> messages() {
        auto db = store::sqlite::Database::open(dir / "musubi.db");
        BOOST_REQUIRE(db);
        auto s = db->prepare("SELECT scenario, step, kind, state, payload, coalesce(reason, ''), "
                             "due_at FROM outbox ORDER BY id");
        BOOST_REQUIRE(s);
        std::vector<Message> out;
        while (*s->step()) {
            Message m{
                s->column_text(0), s->column_text(1), s->column_text(2), s->column_text(3), "",
                s->column_text(5), s->column_int64(6)};
            const auto payload = nlohmann::json::parse(s->column_text(4));
            if (payload.is_array() && !payload.empty() && payload[0].contains("text")) {
                m.text = payload[0]["text"].get<std::string>();
            }
            out.push_back(m);
        }
        return out;
    }

    std::string query(const std::string& sql) {
        auto db = store::sqlite::Database::open(dir / "musubi.db");
        BOOST_REQUIRE(db);
        auto s = db->prepare(sql);
        BOOST_REQUIRE(s);
        std::string out;
        while (*s->step()) {
            out += (out.empty() ? "" : "|") + s->column_text(0);
        }
        return out;
    }
};

} // namespace

BOOST_AUTO_TEST_SUITE(engine_scenarios)

BOOST_AUTO_TEST_CASE(order_thanks_goes_to_the_linked_friend_once) {
    World w("order-thanks", k_order_thanks);
    const auto order = w.order("100000-20261122-0000000001", 5400, jst(0, 9, 30));
    w.apply(order); // the buyer exists once an order was seen
    const auto friend_id = w.follow("Ualice", "花子", jst(0, 9));
    w.link(friend_id);
    w.run();
    auto messages = w.messages();
    BOOST_REQUIRE_EQUAL(messages.size(), 1u);
    BOOST_TEST(messages[0].scenario == "order-thanks");
    BOOST_TEST(messages[0].state == "pending");
    BOOST_TEST(messages[0].text == "花子様 ご注文 100000-20261122-0000000001 合計 5,400円");
    BOOST_TEST(w.wakes >= 1);

    w.apply(order); // seen again by the next poll: no new fact, no new message
    w.run();
    BOOST_TEST(w.messages().size() == 1u);
    BOOST_TEST(w.query("SELECT state FROM enrollments") == "done");
}

BOOST_AUTO_TEST_CASE(an_unlinked_friend_gets_nothing) {
    World w("order-thanks", k_order_thanks);
    w.follow("Ubob", "太郎", jst(0, 9));
    w.apply(w.order("100000-20261122-0000000002", 5400, jst(0, 9, 30)));
    w.run();
    BOOST_TEST(w.messages().empty());
    BOOST_TEST(w.query("SELECT count(*) FROM facts WHERE processed_at IS NULL") == "0");
}

BOOST_AUTO_TEST_CASE(a_step_outside_its_window_waits_for_the_opening) {
    World w("order-thanks", k_order_thanks);
    w.apply(w.order("100000-20261122-0000000000", 1000, jst(0, 8)));
    const auto friend_id = w.follow("Ualice", "花子", jst(0, 8));
    w.link(friend_id);
    w.run();
    w.messages(); // the first order's thanks went out at 10:00
    w.clock->set(jst(0, 22, 15));
    w.apply(w.order("100000-20261122-0000000003", 5400, jst(0, 22)));
    w.run();
    BOOST_TEST(w.messages().size() == 1u);
    BOOST_TEST(w.query("SELECT next_at FROM enrollments WHERE state = 'active'") ==
               std::to_string(jst(1, 9)));
    w.clock->set(jst(1, 9));
    w.run();
    auto messages = w.messages();
    BOOST_REQUIRE_EQUAL(messages.size(), 2u);
    BOOST_TEST(messages[1].due_at == jst(1, 9));
}

BOOST_AUTO_TEST_CASE(review_request_after_three_days_then_coupon_on_review) {
    World w("review-request", k_review);
    const auto order = w.order("100000-20261122-0000000004", 5400, jst(0, 9));
    w.apply(order);
    const auto friend_id = w.follow("Ualice", "花子", jst(0, 9));
    w.link(friend_id);
    w.clock->set(jst(0, 15));
    w.ship(order, jst(0, 15));
    w.run();
    BOOST_TEST(w.messages().empty());
    w.clock->set(jst(3, 14, 59));
    w.run();
    BOOST_TEST(w.messages().empty());
    w.clock->set(jst(3, 15));
    w.run();
    auto messages = w.messages();
    BOOST_REQUIRE_EQUAL(messages.size(), 1u);
    BOOST_TEST(messages[0].step == "ask");
    BOOST_TEST(messages[0].text == "レビューのお願い 100000-20261122-0000000004");
    BOOST_TEST(w.query("SELECT waiting_on FROM enrollments") == "review.posted");

    w.clock->set(jst(5, 12));
    w.review("100000-20261122-0000000004", jst(5, 11));
    w.run();
    messages = w.messages();
    BOOST_REQUIRE_EQUAL(messages.size(), 2u);
    BOOST_TEST(messages[1].step == "coupon");
    BOOST_TEST(messages[1].text == "クーポン REVIEW500");
    BOOST_TEST(w.query("SELECT state FROM enrollments") == "done");
}

BOOST_AUTO_TEST_CASE(a_review_before_the_request_skips_it_and_the_coupon_follows_at_once) {
    World w("review-request", k_review);
    const auto order = w.order("100000-20261122-0000000005", 5400, jst(0, 9));
    w.apply(order);
    const auto friend_id = w.follow("Ualice", "花子", jst(0, 9));
    w.link(friend_id);
    w.ship(order, jst(0, 15));
    w.run();
    w.clock->set(jst(2, 10));
    w.review("100000-20261122-0000000005", jst(2, 9));
    w.run();
    BOOST_TEST(w.messages().empty());
    // At the request's time: unless: review.posted holds it back, and the coupon step finds
    // the review already there, so the early reviewer is thanked too.
    w.clock->set(jst(3, 15));
    w.run();
    const auto messages = w.messages();
    BOOST_REQUIRE_EQUAL(messages.size(), 1u);
    BOOST_TEST(messages[0].step == "coupon");
    BOOST_TEST(messages[0].due_at == jst(3, 15));
    BOOST_TEST(w.query("SELECT state || ':' || end_reason FROM enrollments") ==
               "done:all steps done");
}

BOOST_AUTO_TEST_CASE(no_review_within_the_wait_ends_it_without_a_coupon) {
    World w("review-request", k_review);
    const auto order = w.order("100000-20261122-0000000015", 5400, jst(0, 9));
    w.apply(order);
    w.link(w.follow("Ualice", "花子", jst(0, 9)));
    w.ship(order, jst(0, 15));
    w.run();
    w.clock->set(jst(3, 15));
    w.run();
    BOOST_TEST(w.messages().size() == 1u); // the request
    w.clock->set(jst(18, 15));
    w.run();
    BOOST_TEST(w.messages().size() == 1u);
    BOOST_TEST(w.query("SELECT state || ':' || end_reason FROM enrollments") ==
               "done:all steps done");
}

BOOST_AUTO_TEST_CASE(a_review_imported_before_its_order_is_known_still_earns_the_coupon) {
    World w("review-request", k_review);
    // The review CSV came in first; musubi has never seen the order.
    w.review("100000-20261122-0000000016", jst(0, 8));
    w.run();
    BOOST_TEST(w.query("SELECT count(*) FROM facts WHERE processed_at IS NULL") == "0");
    const auto order = w.order("100000-20261122-0000000016", 5400, jst(0, 7));
    w.apply(order);
    w.link(w.follow("Ualice", "花子", jst(0, 9)));
    w.clock->set(jst(0, 15));
    w.ship(order, jst(0, 15));
    w.run();
    w.clock->set(jst(3, 15));
    w.run();
    const auto messages = w.messages();
    BOOST_REQUIRE_EQUAL(messages.size(), 1u);
    BOOST_TEST(messages[0].step == "coupon");
    BOOST_TEST(messages[0].text == "クーポン REVIEW500");
}

BOOST_AUTO_TEST_CASE(cancellation_and_unfollow_cancel_what_cancel_on_says) {
    World w("review-request", k_review);
    auto first = w.order("100000-20261122-0000000006", 5400, jst(0, 9));
    auto second = w.order("100000-20261122-0000000007", 8000, jst(0, 9, 5));
    w.apply(first);
    w.apply(second);
    const auto friend_id = w.follow("Ualice", "花子", jst(0, 9));
    w.link(friend_id);
    w.ship(first, jst(0, 15));
    w.ship(second, jst(0, 15));
    w.run();
    first.cancelled_at_ms = jst(1, 10);
    w.clock->set(jst(1, 10));
    w.apply(first);
    w.run();
    BOOST_TEST(w.query("SELECT subject || ':' || state FROM enrollments ORDER BY id") ==
               "100000-20261122-0000000006:cancelled|100000-20261122-0000000007:active");
    w.unfollow("Ualice", jst(1, 11));
    w.clock->set(jst(1, 11));
    w.run();
    BOOST_TEST(w.query("SELECT end_reason FROM enrollments ORDER BY id") ==
               "cancelled by order.cancelled|cancelled by friend.unfollowed");
    w.clock->set(jst(4, 15));
    w.run();
    BOOST_TEST(w.messages().empty());
}

BOOST_AUTO_TEST_CASE(daily_cap_holds_back_non_critical_messages_until_tomorrow) {
    World w("review-request", k_review);
    const auto friend_id = w.follow("Ualice", "花子", jst(0, 9));
    std::vector<store::OrderSnapshot> orders;
    for (int i = 0; i < 3; ++i) {
        orders.push_back(
            w.order("100000-20261122-000000010" + std::to_string(i), 5400, jst(0, 9, i)));
        w.apply(orders.back());
    }
    w.link(friend_id);
    for (const auto& order : orders) {
        w.ship(order, jst(0, 12));
    }
    w.run();
    w.clock->set(jst(3, 12));
    w.run();
    BOOST_TEST(w.messages().size() == 2u); // limits: {per_friend_per_day: 2}
    w.clock->set(jst(4, 10));
    w.run();
    auto messages = w.messages();
    BOOST_REQUIRE_EQUAL(messages.size(), 3u);
    BOOST_TEST(messages[2].due_at == jst(4, 10));
}

BOOST_AUTO_TEST_CASE(reentry_once_and_cooldown) {
    World w("greeting", R"(scenario: greeting
trigger: friend.followed
reentry: always
cooldown: 30d
steps:
  - send: hello
)");
    w.follow("Ualice", "花子", jst(0, 10));
    w.run();
    w.unfollow("Ualice", jst(1, 10));
    w.follow("Ualice", "花子", jst(2, 10)); // unblocked within the cooldown: no second greeting
    w.clock->set(jst(2, 10));
    w.run();
    BOOST_TEST(w.messages().size() == 1u);
    w.unfollow("Ualice", jst(40, 10));
    w.follow("Ualice", "花子", jst(41, 10));
    w.clock->set(jst(41, 10));
    w.run();
    auto messages = w.messages();
    BOOST_REQUIRE_EQUAL(messages.size(), 2u);
    // Sent while the follow's reply token is fresh: a free reply.
    BOOST_TEST(messages[1].kind == "reply");
    BOOST_TEST(messages[1].text == "こんにちは 花子");
}

BOOST_AUTO_TEST_CASE(keyword_reply_answers_matching_messages_only) {
    World w("keyword-reply", R"(scenario: keyword-reply
trigger: friend.message
keywords: [営業時間, 送料]
reentry: always
steps:
  - send: answer
)");
    const auto friend_id = w.follow("Ualice", "花子", jst(0, 10));
    for (const auto& [id, text] : std::vector<std::pair<std::string, std::string>>{
             {"m1", "営業時間を教えて"}, {"m2", "こんにちは"}}) {
        BOOST_REQUIRE(w.store->record_fact(
            {"line:event:" + id, "friend.message", std::nullopt, jst(0, 10),
             nlohmann::json{{"text", text}, {"reply_token", "rt-" + id}}.dump()}));
    }
    w.exec("UPDATE facts SET friend_id = " + std::to_string(friend_id) +
           " WHERE kind = 'friend.message'");
    w.run();
    auto messages = w.messages();
    BOOST_REQUIRE_EQUAL(messages.size(), 1u);
    BOOST_TEST(messages[0].kind == "reply");
    BOOST_TEST(w.query("SELECT reply_token FROM outbox") == "rt-m1");
}

BOOST_AUTO_TEST_CASE(templates_see_the_friends_segment_as_last_evaluated) {
    World w("keyword-reply", R"(scenario: keyword-reply
trigger: friend.message
keywords: [特典]
reentry: always
steps:
  - send: hello
)");
    w.dir.write("templates/hello.txt",
                "{{friend.segment}}:{{#friend.segments.vip}}VIP特典{{/friend.segments.vip}}"
                "{{^friend.segments.vip}}通常{{/friend.segments.vip}}");
    w.reload();
    const auto vip = w.follow("Uvip", "花子", jst(0, 10));
    const auto guest = w.follow("Uguest", "太郎", jst(0, 10));
    w.exec("INSERT INTO friend_segments (friend_id, segment, since, updated_at) VALUES (" +
           std::to_string(vip) + ", 'vip', 0, 0)");
    for (const auto& [id, friend_id] :
         std::vector<std::pair<std::string, std::int64_t>>{{"m1", vip}, {"m2", guest}}) {
        BOOST_REQUIRE(w.store->record_fact(
            {"line:event:" + id, "friend.message", std::nullopt, jst(0, 10),
             nlohmann::json{{"text", "特典は？"}, {"reply_token", "rt-" + id}}.dump()}));
        w.exec("UPDATE facts SET friend_id = " + std::to_string(friend_id) +
               " WHERE natural_key = 'line:event:" + id + "'");
    }
    w.run();
    auto messages = w.messages();
    BOOST_REQUIRE_EQUAL(messages.size(), 2u);
    BOOST_TEST(messages[0].text == "vip:VIP特典");
    BOOST_TEST(messages[1].text == ":通常");
}

BOOST_AUTO_TEST_CASE(a_template_that_breaks_line_limits_is_stored_failed_with_the_reason) {
    World w("greeting", R"(scenario: greeting
trigger: friend.followed
steps:
  - send: hello
)");
    w.dir.write("templates/hello.txt", std::string(5001, 'a'));
    w.reload();
    w.follow("Ualice", "花子", jst(0, 10));
    w.run();
    auto messages = w.messages();
    BOOST_REQUIRE_EQUAL(messages.size(), 1u);
    BOOST_TEST(messages[0].state == "failed");
    BOOST_TEST(messages[0].reason.find("5,000") != std::string::npos, messages[0].reason);
}

BOOST_AUTO_TEST_CASE(reload_keeps_running_enrollments_by_step_name_and_ends_removed_steps) {
    World w("review-request", k_review);
    const auto order = w.order("100000-20261122-0000000008", 5400, jst(0, 9));
    w.apply(order);
    const auto friend_id = w.follow("Ualice", "花子", jst(0, 9));
    w.link(friend_id);
    w.ship(order, jst(0, 15));
    w.run();
    // The step "ask" is renamed: the running enrollment cannot find it and ends.
    std::string changed = k_review;
    changed.replace(changed.find("name: ask"), 9, "name: please");
    w.dir.write("scenarios/review-request.yaml", changed);
    w.load();
    w.reload();
    w.clock->set(jst(3, 15));
    w.run();
    BOOST_TEST(w.messages().empty());
    BOOST_TEST(w.query("SELECT state || ':' || end_reason FROM enrollments") ==
               "ended:step 'ask' no longer exists");
}

BOOST_AUTO_TEST_SUITE_END()
