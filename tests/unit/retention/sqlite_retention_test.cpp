// The retention purge on a real SQLite store: what an old order, an old buyer, an unlinked
// friend and old webhook bodies keep and lose, that counts stay, and that a second run finds
// nothing.

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "daemon/store/sqlite/sqlite_store.hpp"
#include "support/manual_clock.hpp"
#include "support/temp_dir.hpp"

using namespace musubi;
using musubi::test::jst;
using musubi::test::k_day;

namespace {

// The purge runs 1200 days after day 0: orders of day 0 are past the 1095-day horizon.
constexpr int k_purge_day = 1200;

struct Shop {
    test::TempDir dir;
    std::shared_ptr<test::ManualClock> clock = std::make_shared<test::ManualClock>(jst(0, 10));
    std::unique_ptr<store::sqlite::SqliteStore> store;

    Shop() {
        auto opened = store::sqlite::SqliteStore::open(dir / "musubi.db",
                                                       std::chrono::milliseconds(2000), clock);
        BOOST_REQUIRE_MESSAGE(opened, (opened ? "" : opened.error().message));
        store = std::move(*opened);
        // Old order of a buyer who never linked (personal data goes).
        apply(order("100-old", "buyer-old", "太郎", jst(0, 10)), jst(2, 10));
        // Recent order of another buyer (kept).
        apply(order("200-new", "buyer-new", "花子", jst(1190, 10)), jst(1191, 10));
        // A buyer with a recent order, linked to a friend who unlinked 50 days before the
        // purge; and one whose friend unlinked 10 days before (kept).
        apply(order("300-gone", "buyer-gone", "次郎", jst(1100, 10)), std::nullopt);
        apply(order("400-stay", "buyer-stay", "三郎", jst(1100, 10)), std::nullopt);
        exec("INSERT INTO friends (id, line_user_id, display_name, state, created_at, "
             "updated_at) VALUES (1, 'U-gone', 'ゴーン', 'blocked', 0, 0), (2, 'U-stay', "
             "'ステイ', 'blocked', 0, 0), (3, 'U-following', 'フォロー中', 'following', 0, 0)");
        link(1, "buyer-gone", jst(k_purge_day - 50, 0));
        link(2, "buyer-stay", jst(k_purge_day - 10, 0));
        exec("INSERT INTO link_sessions (friend_id, order_number, started_at) VALUES (1, "
             "'300-gone', 0), (2, '400-stay', 0)");
        // Messages: an old sent one naming 太郎, a recent one to the unlinked friend, a recent
        // one to the friend who stays.
        message(1, "old", "太郎さん ありがとう", jst(0, 11));
        message(1, "recent-gone", "ゴーンさん 発送しました", jst(1150, 11));
        message(2, "recent-stay", "ステイさん 発送しました", jst(1150, 11));
        // Chat texts: the unlinked friend's recent one, an old one of a linked friend.
        fact("line:event:a", "friend.message", 1, jst(1150, 0), R"({"type":"text","text":"1234"})");
        fact("line:event:b", "friend.message", 3, jst(0, 0), R"({"type":"text","text":"5678"})");
        fact("line:event:c", "friend.message", 3, jst(k_purge_day - 1, 0),
             R"({"type":"text","text":"営業時間"})");
        // Webhook bodies: processed long ago, processed yesterday, unprocessed old.
        exec("INSERT INTO webhook_events (event_id, occurred_at, received_at, body, "
             "processed_at) VALUES ('e-old', 0, 0, '{\"text\":\"1234\"}', " +
             std::to_string(jst(1100, 0)) + "), ('e-new', 0, 0, '{}', " +
             std::to_string(jst(k_purge_day - 1, 0)) + "), ('e-pending', 0, 0, '{}', NULL)");
        clock->set(jst(k_purge_day, 12));
    }

    store::OrderSnapshot order(const std::string& number, const std::string& buyer,
                               const std::string& name, std::int64_t at) {
        store::OrderSnapshot order;
        order.order_number = number;
        order.progress = 100;
        order.total = 3000;
        order.ordered_at_ms = at;
        order.items = {{"towel-1", "むすびタオル", 2, 1500}};
        order.buyer = {buyer, "email-" + buyer, "phone-" + buyer, "last4-" + buyer, name};
        return order;
    }

    void apply(store::OrderSnapshot order, std::optional<std::int64_t> shipped_at) {
        BOOST_REQUIRE(store->apply_order(order, store::Triggers::yes));
        if (shipped_at) {
            order.progress = 500;
            order.shipped_at_ms = shipped_at;
            order.shipment = store::Shipment{"1001", "ヤマト運輸", "123412341234",
                                             "https://track.example/123412341234"};
            BOOST_REQUIRE(store->apply_order(order, store::Triggers::yes));
        }
        BOOST_REQUIRE(store->record_fact({"rakuten:review:" + order.order_number, "review.posted",
                                          order.order_number, order.ordered_at_ms + k_day,
                                          R"({"rating":5,"item_name":"むすびタオル"})"}));
    }

    void link(std::int64_t friend_id, const std::string& buyer, std::int64_t unlinked_at) {
        exec("INSERT INTO links (friend_id, buyer_id, method, linked_at, unlinked_at) SELECT " +
             std::to_string(friend_id) + ", id, 'chat', 0, " + std::to_string(unlinked_at) +
             " FROM buyers WHERE buyer_key = '" + buyer + "'");
    }

    void message(std::int64_t friend_id, const std::string& key, const std::string& text,
                 std::int64_t at) {
        const nlohmann::json payload = nlohmann::json::array({{{"type", "text"}, {"text", text}}});
        exec("INSERT INTO outbox (retry_key, friend_id, payload, state, due_at, created_at, "
             "updated_at) VALUES ('" +
             key + "', " + std::to_string(friend_id) + ", '" + payload.dump() + "', 'sent', " +
             std::to_string(at) + ", " + std::to_string(at) + ", " + std::to_string(at) + ")");
    }

    void fact(const std::string& key, const std::string& kind, std::int64_t friend_id,
              std::int64_t at, const std::string& payload) {
        exec("INSERT INTO facts (natural_key, kind, friend_id, occurred_at, recorded_at, "
             "payload, processed_at) VALUES ('" +
             key + "', '" + kind + "', " + std::to_string(friend_id) + ", " + std::to_string(at) +
             ", " + std::to_string(at) + ", '" + payload + "', " + std::to_string(at) + ")");
    }

    void exec(const std::string& sql) {
        auto db = store::sqlite::Database::open(dir / "musubi.db");
        BOOST_REQUIRE(db);
        BOOST_REQUIRE_MESSAGE(db->exec(sql), sql);
    }

    // The first column of the first row, "NULL" for NULL, "" for no row.
    std::string query(const std::string& sql) {
        auto db = store::sqlite::Database::open(dir / "musubi.db");
        BOOST_REQUIRE(db);
        auto statement = db->prepare(sql);
        BOOST_REQUIRE_MESSAGE(statement, sql);
        auto row = statement->step();
        BOOST_REQUIRE(row);
        if (!*row) {
            return "";
        }
        return statement->column_is_null(0) ? "NULL" : statement->column_text(0);
    }

    store::PurgeCounts purge(store::PurgeMode mode = store::PurgeMode::apply) {
        store::RetentionPolicy policy;
        policy.orders_after = std::chrono::hours(24 * 1095);
        policy.unlinked_after = std::chrono::hours(24 * 30);
        auto counts = store->retention().purge(policy, mode);
        BOOST_REQUIRE_MESSAGE(counts, (counts ? "" : counts.error().message));
        return *counts;
    }

    // Everything analytics counts, as one string to compare before and after.
    std::string counts() {
        return query("SELECT (SELECT group_concat(kind || ':' || n) FROM (SELECT kind, count(*) "
                     "n FROM facts GROUP BY kind ORDER BY kind)) || ' orders ' || (SELECT "
                     "count(*) || '/' || sum(total) || '/' || group_concat(date(ordered_at / "
                     "1000, 'unixepoch')) FROM orders) || ' outbox ' || (SELECT "
                     "group_concat(state || ':' || n) FROM (SELECT state, count(*) n FROM outbox "
                     "GROUP BY state)) || ' buyers ' || (SELECT count(*) FROM buyers) || ' links "
                     "' || (SELECT count(*) FROM links) || ' reviews ' || (SELECT count(*) || '/' "
                     "|| sum(rating) FROM reviews)");
    }
};

} // namespace

BOOST_AUTO_TEST_SUITE(sqlite_retention)

BOOST_AUTO_TEST_CASE(an_old_order_keeps_its_count_and_total_but_loses_what_names_a_person) {
    Shop shop;
    const auto facts_before = shop.store->facts_by_kind();
    const auto counts_before = shop.counts();

    shop.purge();

    BOOST_TEST(shop.counts() == counts_before);
    BOOST_TEST(*shop.store->facts_by_kind() == *facts_before);
    BOOST_TEST(shop.query("SELECT items FROM orders WHERE order_number = '100-old'") ==
               R"([{"price":1500,"units":2}])");
    BOOST_TEST(shop.query("SELECT tracking_number FROM orders WHERE order_number = '100-old'") ==
               "NULL");
    BOOST_TEST(shop.query("SELECT total || ' ' || carrier_code FROM orders WHERE order_number = "
                          "'100-old'") == "3000 1001");
    BOOST_TEST(shop.query("SELECT count(*) FROM facts WHERE subject = '100-old' AND (payload "
                          "LIKE '%タオル%' OR payload LIKE '%1234%')") == "0");
    BOOST_TEST(shop.query("SELECT json_extract(payload, '$.total') || ' ' || "
                          "json_extract(payload, '$.carrier.name') FROM facts WHERE natural_key "
                          "= 'rakuten:order:100-old:shipped'") == "3000 ヤマト運輸");
    BOOST_TEST(shop.query("SELECT coalesce(given_name, email_hash, phone_hash, phone_last4_hash, "
                          "'gone') || ' ' || (buyer_key LIKE 'purged:%') FROM buyers WHERE "
                          "id = (SELECT buyer_id FROM orders WHERE order_number = '100-old')") ==
               "gone 1");
    BOOST_TEST(shop.query("SELECT payload FROM outbox WHERE retry_key = 'old'") ==
               store::k_purged_payload);
}

BOOST_AUTO_TEST_CASE(a_recent_order_and_its_buyer_are_untouched) {
    Shop shop;
    shop.purge();
    BOOST_TEST(shop.query("SELECT items FROM orders WHERE order_number = '200-new'") ==
               R"([{"manageNumber":"towel-1","name":"むすびタオル","price":1500,"units":2}])");
    BOOST_TEST(shop.query("SELECT given_name || ' ' || buyer_key || ' ' || phone_last4_hash FROM "
                          "buyers WHERE buyer_key = 'buyer-new'") ==
               "花子 buyer-new last4-buyer-new");
    BOOST_TEST(shop.query("SELECT count(*) FROM facts WHERE subject = '200-new' AND payload LIKE "
                          "'%むすびタオル%'") == "3");
}

BOOST_AUTO_TEST_CASE(a_friend_unlinked_past_the_period_loses_buyer_data_one_within_keeps_it) {
    Shop shop;
    const auto counts = shop.purge();

    // Unlinked 50 days ago: the buyer's name and hashes go, though the order is recent.
    BOOST_TEST(shop.query("SELECT coalesce(given_name, phone_last4_hash, 'gone') FROM buyers "
                          "WHERE id = (SELECT buyer_id FROM orders WHERE order_number = "
                          "'300-gone')") == "gone");
    BOOST_TEST(shop.query("SELECT coalesce(display_name, 'gone') FROM friends WHERE id = 1") ==
               "gone");
    BOOST_TEST(shop.query("SELECT count(*) FROM link_sessions WHERE friend_id = 1") == "0");
    BOOST_TEST(shop.query("SELECT payload FROM outbox WHERE retry_key = 'recent-gone'") ==
               store::k_purged_payload);
    BOOST_TEST(shop.query("SELECT payload FROM facts WHERE natural_key = 'line:event:a'") ==
               R"({"type":"text"})");
    BOOST_TEST(shop.query("SELECT count(*) FROM links WHERE friend_id = 1") == "1");

    // Unlinked 10 days ago: everything stays.
    BOOST_TEST(shop.query("SELECT given_name || ' ' || phone_last4_hash FROM buyers WHERE "
                          "buyer_key = 'buyer-stay'") == "三郎 last4-buyer-stay");
    BOOST_TEST(shop.query("SELECT display_name FROM friends WHERE id = 2") == "ステイ");
    BOOST_TEST(shop.query("SELECT count(*) FROM link_sessions WHERE friend_id = 2") == "1");
    BOOST_TEST(shop.query("SELECT payload FROM outbox WHERE retry_key = 'recent-stay'")
                   .find("ステイさん") != std::string::npos);

    BOOST_TEST(counts.orders == 1);
    BOOST_TEST(counts.buyers == 2); // buyer-old by age, buyer-gone by unlinking
    BOOST_TEST(counts.friends == 1);
    BOOST_TEST(counts.messages == 2); // 'old', 'recent-gone'
}

BOOST_AUTO_TEST_CASE(old_webhook_bodies_and_chat_texts_go_recent_and_pending_ones_stay) {
    Shop shop;
    const auto counts = shop.purge();
    BOOST_TEST(counts.webhook_bodies == 1);
    BOOST_TEST(shop.query("SELECT group_concat(event_id) FROM (SELECT event_id FROM "
                          "webhook_events ORDER BY event_id)") == "e-new,e-pending");
    BOOST_TEST(shop.query("SELECT payload FROM facts WHERE natural_key = 'line:event:b'") ==
               R"({"type":"text"})");
    BOOST_TEST(shop.query("SELECT json_extract(payload, '$.text') FROM facts WHERE natural_key "
                          "= 'line:event:c'") == "営業時間");
}

BOOST_AUTO_TEST_CASE(a_second_run_purges_nothing) {
    Shop shop;
    BOOST_TEST(!shop.purge().empty());
    const auto after_first = shop.counts();
    const auto second = shop.purge();
    BOOST_TEST(second.empty());
    BOOST_TEST(shop.counts() == after_first);
}

BOOST_AUTO_TEST_CASE(counting_only_answers_what_a_purge_would_do_and_changes_nothing) {
    Shop shop;
    const auto items = shop.query("SELECT group_concat(items) FROM orders");
    const auto counted = shop.purge(store::PurgeMode::count_only);
    BOOST_TEST(shop.query("SELECT group_concat(items) FROM orders") == items);
    BOOST_TEST(shop.query("SELECT count(*) FROM webhook_events") == "3");
    BOOST_TEST(shop.query("SELECT count(*) FROM buyers WHERE given_name IS NULL") == "0");

    const auto purged = shop.purge();
    BOOST_TEST(counted.orders == purged.orders);
    BOOST_TEST(counted.facts == purged.facts);
    BOOST_TEST(counted.buyers == purged.buyers);
    BOOST_TEST(counted.messages == purged.messages);
    BOOST_TEST(counted.friends == purged.friends);
    BOOST_TEST(counted.webhook_bodies == purged.webhook_bodies);
}

BOOST_AUTO_TEST_CASE(a_purge_bigger_than_a_batch_finishes_in_several_transactions) {
    Shop shop;
    const int orders = static_cast<int>(store::k_purge_batch) * 2 + 7;
    std::string values;
    for (int i = 0; i < orders; ++i) {
        values += std::string(values.empty() ? "" : ", ") + "('rakuten', 'bulk-" +
                  std::to_string(i) + "', 1000, " + std::to_string(jst(0, 0) + i) +
                  R"(, '[{"name":"x","units":1,"price":1000}]', 0))";
    }
    shop.exec("INSERT INTO orders (source, order_number, total, ordered_at, items, updated_at) "
              "VALUES " +
              values);
    const auto counts = shop.purge();
    BOOST_TEST(counts.orders == orders + 1);
    BOOST_TEST(shop.query("SELECT count(*) FROM orders WHERE items LIKE '%name%' AND ordered_at "
                          "< " +
                          std::to_string(jst(100, 0))) == "0");
}

BOOST_AUTO_TEST_SUITE_END()
