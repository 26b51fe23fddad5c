#pragma once
// The bulk SQL that fills a store file for scale_bench (see scale_bench.cpp): plain statements
// on the real schema, so that `scale_sql_dump` can print them for the sqlite3 shell too.

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

namespace musubi::bench {

struct Sizes {
    std::int64_t friends, buyers, linked, orders, done_enrollments, waiting_enrollments, pool,
        outbox;
};

// Proportions for `friends` friends. The pool holds the review requests the ticks make due
// (`due` per tick) and, from its end, those cancelled by a fact (`cancels`): enough for ten runs,
// so that a file can be timed again (scale_bench --reuse) with work still due.
inline Sizes sizes_for(std::int64_t friends, std::int64_t outbox, std::int64_t due,
                       std::int64_t ticks, std::int64_t cancels) {
    Sizes s{};
    s.friends = std::max<std::int64_t>(friends, 10);
    s.buyers = s.friends / 2;
    s.linked = s.friends * 3 / 10;
    s.orders = s.friends;
    s.done_enrollments = s.friends * 2;
    s.waiting_enrollments = std::min<std::int64_t>(20'000, s.linked);
    s.pool = std::min(10 * (due * (ticks + 1) + cancels), s.linked - 1);
    s.outbox = std::max<std::int64_t>(outbox, 2000);
    return s;
}

struct Statement {
    const char* what;
    std::string sql;
};

// `WITH RECURSIVE n(x)` counting 1..count, to insert `count` rows in one statement.
inline std::string numbers(std::int64_t count) {
    return "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < " +
           std::to_string(count) + ") ";
}

// The pool of review-request enrollments the ticks make due: friend 3b is linked to buyer b,
// whose order b - 1 shipped. Pool item i (0-based) is buyer i + 2.
inline std::vector<Statement> fill_statements(const Sizes& s, std::int64_t now,
                                              std::int64_t due_now) {
    const std::string t = std::to_string(now);
    std::vector<Statement> statements;
    const auto step = [&](const char* what, std::string sql) {
        statements.push_back({what, std::move(sql)});
    };
    // Friends over two years; every twelfth blocked.
    step("friends", numbers(s.friends) +
                        "INSERT INTO friends (id, line_user_id, display_name, state, followed_at, "
                        "blocked_at, inflow_source, created_at, updated_at) SELECT x, "
                        "printf('U%032x', x), 'ともだち' || x, CASE WHEN x % 12 = 0 THEN 'blocked' "
                        "ELSE 'following' END, " +
                        t + " - (x % 730) * 86400000, CASE WHEN x % 12 = 0 THEN " + t +
                        " - (x % 30) * 86400000 END, CASE WHEN x % 5 = 0 THEN 'qr-store' END, " +
                        t + " - (x % 730) * 86400000, " + t + " FROM n");
    // Buyers are known by keyed hashes (64 hex characters each; random, as HMACs are).
    step("buyers", numbers(s.buyers) +
                       "INSERT INTO buyers (id, buyer_key, email_hash, phone_hash, "
                       "phone_last4_hash, given_name, created_at) SELECT x, hex(randomblob(32)), "
                       "hex(randomblob(32)), hex(randomblob(32)), hex(randomblob(32)), '花子', " +
                       t + " - (x % 730) * 86400000 FROM n");
    step("links", numbers(s.linked) +
                      "INSERT INTO links (friend_id, buyer_id, method, linked_at) SELECT 3 * x, x, "
                      "CASE x % 3 WHEN 0 THEN 'chat' WHEN 1 THEN 'web' ELSE 'buyer_key' END, " +
                      t + " - (x % 700) * 86400000 FROM n");
    // Order x (0-based here) belongs to buyer x % buyers + 1; ordered over two years.
    step("orders", numbers(s.orders) +
                       "INSERT INTO orders (id, source, order_number, buyer_id, progress, total, "
                       "ordered_at, shipped_at, carrier_code, tracking_number, items, triggers, "
                       "updated_at) SELECT x, 'rakuten', printf('339999-20260101-%010d', x - 1), "
                       "(x - 1) % " +
                       std::to_string(s.buyers) + " + 1, 600, 1000 + (x % 50) * 100, " + t +
                       " - (x % 730) * 86400000, " + t +
                       " - (x % 730) * 86400000 + 86400000, '1001', printf('%012d', x), "
                       "'[{\"itemName\":\"今治タオル フェイスタオル 3枚組\",\"manageNumber\":"
                       "\"towel-01\",\"price\":2400,\"units\":1}]', 1, " +
                       t + " FROM n");
    // Facts: ids 1..F friend.followed, F+x order.placed, F+O+x order.shipped; all processed.
    const std::string f = std::to_string(s.friends);
    const std::string o = std::to_string(s.orders);
    step("facts", numbers(s.friends) +
                      "INSERT INTO facts (id, natural_key, kind, subject, friend_id, occurred_at, "
                      "recorded_at, payload, processed_at) SELECT x, 'line:event:follow-' || x, "
                      "'friend.followed', NULL, x, " +
                      t + " - (x % 730) * 86400000, " + t + ", '{\"reply_token\":\"rt\"}', " + t +
                      " FROM n");
    step("facts (orders)",
         numbers(s.orders * 2) +
             "INSERT INTO facts (id, natural_key, kind, subject, friend_id, "
             "occurred_at, recorded_at, payload, processed_at) SELECT " +
             f + " + x, printf('rakuten:order:339999-20260101-%010d:', (x - 1) % " + o +
             ") || CASE WHEN x <= " + o + " THEN 'placed' ELSE 'shipped' END, CASE WHEN x <= " + o +
             " THEN 'order.placed' ELSE 'order.shipped' END, printf('339999-20260101-%010d', (x - "
             "1) % " +
             o + "), NULL, " + t + " - (x % 730) * 86400000, " + t + ", '{\"total\":2400}', " + t +
             " FROM n");
    step("friend_segments", numbers(s.friends) +
                                "INSERT INTO friend_segments (friend_id, segment, since, "
                                "next_check_at, next_check_reason, updated_at) SELECT x, CASE x "
                                "% 5 WHEN 0 THEN 'vip' WHEN 1 THEN 'dormant' WHEN 2 THEN 'linked' "
                                "ELSE 'guest' END, " +
                                t + " - (x % 300) * 86400000, CASE WHEN x % 3 = 0 THEN " + t +
                                " + (x % 90 + 1) * 86400000 END, CASE WHEN x % 3 = 0 THEN "
                                "'order.ordered_at days' ELSE '' END, " +
                                t + " FROM n");
    step("segment_changes", numbers(s.friends) +
                                "INSERT INTO segment_changes (friend_id, from_segment, "
                                "to_segment, why, at) SELECT x, NULL, 'guest', 'config reload', " +
                                t + " - (x % 300) * 86400000 FROM n");
    // Finished enrollments (greetings, thanks, review requests), then 20,000 waiting for a
    // review (coupon step), then the pool: review requests whose `ask` is due in 30 days.
    step("enrollments (done)",
         numbers(s.done_enrollments) +
             "INSERT INTO enrollments (id, scenario, friend_id, subject, state, step, next_at, "
             "started_at, ended_at, end_reason) SELECT x, CASE x % 3 WHEN 0 THEN 'greeting' WHEN "
             "1 THEN 'order-thanks' ELSE 'review-request' END, (x - 1) % " +
             f + " + 1, '', 'done', NULL, NULL, " + t + " - (x % 730) * 86400000, " + t +
             " - (x % 730) * 86400000, 'finished' FROM n");
    const std::string d = std::to_string(s.done_enrollments);
    step("enrollments (waiting)",
         numbers(s.waiting_enrollments) +
             "INSERT INTO enrollments (id, scenario, friend_id, subject, state, step, next_at, "
             "waiting_on, trigger_fact_id, started_at) SELECT " +
             d +
             " + x, 'review-request', 3 * x, printf('339999-20260101-%010d', x - 1), "
             "'active', 'coupon', " +
             t + " + (x % 14 + 1) * 86400000, 'review.posted', " + f + " + " + o + " + x, " + t +
             " - 3 * 86400000 FROM n");
    const std::string w = std::to_string(s.done_enrollments + s.waiting_enrollments);
    step("enrollments (pool)",
         numbers(s.pool) +
             "INSERT INTO enrollments (id, scenario, friend_id, subject, state, step, next_at, "
             "trigger_fact_id, started_at) SELECT " +
             w +
             " + x, 'review-request', 3 * (x + 1), printf('339999-20260101-%010d', x), "
             "'active', 'ask', " +
             t + " + 30 * 86400000, " + f + " + " + o + " + x + 1, " + t + " FROM n");
    // The outbox: five messages per friend over two years. The last rows: `due_now` due now,
    // then 1,000 due in the coming days; before them, per 1,000: 2 failed, 10 skipped, 1
    // expired, the rest sent.
    const std::string total = std::to_string(s.outbox);
    const std::string first_due = std::to_string(s.outbox - due_now - 1000);
    const std::string first_future = std::to_string(s.outbox - 1000);
    step("outbox",
         numbers(s.outbox) +
             "INSERT INTO outbox (id, retry_key, enrollment_id, friend_id, scenario, step, kind, "
             "payload, state, critical, due_at, first_attempt_at, attempts, reason, created_at, "
             "updated_at) SELECT x, printf('%08x-6d75-4275-8069-%012x', x * 2654435761 % "
             "4294967296, x), CASE WHEN x % 5 = 4 THEN NULL ELSE (x - 1) % " +
             d + " + 1 END, (x - 1) % " + f +
             " + 1, CASE x % 5 WHEN 0 THEN 'greeting' WHEN 1 THEN 'order-thanks' WHEN 2 THEN "
             "'review-request' WHEN 3 THEN 'shipping-notice' ELSE NULL END, CASE WHEN x % 5 = 4 "
             "THEN NULL ELSE 'step' END, 'push', '[{\"type\":\"text\",\"text\":\"ともだち' || x "
             "|| "
             "'様、ご注文ありがとうございます。ご注文番号: 339999-20260101-' || printf('%010d', x) "
             "|| ' 合計 2,400円 (税込)。発送までいましばらくお待ちください。\"}]', CASE WHEN x > " +
             first_due +
             " THEN 'pending' WHEN x % 1000 IN (1, 2) THEN 'failed' WHEN x % 1000 "
             "BETWEEN 3 AND 12 THEN 'skipped' WHEN x % 1000 = 13 THEN 'expired' ELSE "
             "'sent' END, 0, CASE WHEN x > " +
             first_future + " THEN " + t + " + (x % 7 + 1) * 86400000 WHEN x > " + first_due +
             " THEN " + t + " - 1000 ELSE " + t + " - (" + total + " - x) * 730 * 86400000 / " +
             total + " END, CASE WHEN x > " + first_due + " THEN NULL ELSE " + t + " - (" + total +
             " - x) * 730 * 86400000 / " + total + " END, CASE WHEN x > " + first_due +
             " THEN 0 ELSE 1 END, CASE WHEN x % 1000 IN (1, 2) AND x <= " + first_due +
             " THEN 'LINE answered 400' END, " + t + " - (" + total + " - x) * 730 * 86400000 / " +
             total + ", " + t + " FROM n");
    step("deliveries", "INSERT INTO deliveries (outbox_id, attempted_at, http_status, outcome, "
                       "request_id, detail) SELECT id, first_attempt_at, 200, 'sent', "
                       "printf('%08x-%04x-4000-8000-%012x', id, id % 65536, id), NULL FROM outbox "
                       "WHERE first_attempt_at IS NOT NULL");
    return statements;
}

} // namespace musubi::bench
