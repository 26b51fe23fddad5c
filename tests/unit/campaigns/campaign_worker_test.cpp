// The campaign worker on a real SQLite store with a manual clock: runs are snapshotted in
// pages of 500, each friend once even when the worker starts again in the middle, caps and
// blocked friends are skipped with a reason, and a page's outbox rows carry keys derived from
// the run and the friend (or the multicast page).

#include <boost/test/unit_test.hpp>

#include "daemon/campaigns/campaign_worker.hpp"
#include "daemon/outbox/retry_key.hpp"
#include "daemon/segments/segment.hpp"
#include "daemon/store/sqlite/sqlite_store.hpp"
#include "support/manual_clock.hpp"
#include "support/temp_dir.hpp"

using namespace musubi;

namespace {

constexpr std::int64_t k_now = 1795309200000; // 2026-11-22 10:00 JST

struct World {
    test::TempDir dir;
    std::shared_ptr<test::ManualClock> clock = std::make_shared<test::ManualClock>(k_now);
    std::unique_ptr<store::sqlite::SqliteStore> store;
    std::shared_ptr<config::Config> config = std::make_shared<config::Config>();
    std::shared_ptr<const templates::TemplateSet> templates;
    int wakes = 0;

    explicit World(bool same_for_all) {
        auto opened = store::sqlite::SqliteStore::open(dir / "musubi.db",
                                                       std::chrono::milliseconds(2000), clock);
        BOOST_REQUIRE_MESSAGE(opened, (opened ? "" : opened.error().message));
        store = std::move(*opened);
        dir.write("templates/campaign_sale.txt", "{{friend.display_name}}さん、セールです");
        dir.write("templates/campaign_news.txt", "{{shop.name}}のお知らせ");
        auto loaded = templates::TemplateSet::load(dir / "templates");
        BOOST_REQUIRE(loaded);
        templates = std::make_shared<const templates::TemplateSet>(std::move(*loaded));
        config->shop.name = "むすび商店";
        config->segments = {segments::Segment{"vip", "", {}, {}}};
        campaigns::Campaign campaign;
        campaign.name = "sale";
        campaign.segment = "vip";
        campaign.send = same_for_all ? "campaign_news" : "campaign_sale";
        campaign.same_for_all = same_for_all;
        campaign.limits.per_friend_per_day = 1;
        auto set = std::make_shared<campaigns::CampaignSet>();
        set->campaigns.push_back(campaign);
        config->campaigns = set;
        exec("INSERT INTO cursors (name, value, updated_at) VALUES ('segments:definitions', '" +
             segments::fingerprint(config->segments) + "', 0)");
    }

    void exec(const std::string& sql) {
        auto db = store::sqlite::Database::open(dir / "musubi.db");
        BOOST_REQUIRE(db);
        auto done = db->exec(sql);
        BOOST_REQUIRE_MESSAGE(done, (done ? "" : done.error().message));
    }

    // Friends 1..count in segment vip, following; `blocked` and `capped` (a message today).
    void friends(int count, int blocked, int capped) {
        exec("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < " +
             std::to_string(count) +
             ") INSERT INTO friends (id, line_user_id, display_name, state, created_at, "
             "updated_at) SELECT i, printf('U%032x', i), 'name' || i, CASE WHEN i = " +
             std::to_string(blocked) +
             " THEN 'blocked' ELSE 'following' END, 0, 0 FROM n; INSERT INTO friend_segments "
             "(friend_id, segment, since, updated_at) SELECT id, 'vip', 0, 0 FROM friends;");
        exec("INSERT INTO outbox (retry_key, friend_id, scenario, step, kind, payload, state, "
             "due_at, created_at, updated_at) VALUES ('earlier', " +
             std::to_string(capped) + ", 'greeting', 'step1', 'push', '[]', 'sent', " +
             std::to_string(k_now - 1000) + ", 0, 0)");
    }

    std::unique_ptr<campaigns::CampaignWorker> worker() {
        auto made = std::make_unique<campaigns::CampaignWorker>(store->campaigns(), clock,
                                                                [this] { ++wakes; });
        made->reload(config, templates);
        return made;
    }

    std::int64_t start_run() {
        const auto& campaign = config->campaigns->campaigns.front();
        auto created = store->campaigns().create_run({"sale", "musubictl:1", "vip", campaign.send,
                                                      campaign.same_for_all, k_now, "musubictl"});
        BOOST_REQUIRE(created);
        return created->first;
    }

    std::int64_t count(const std::string& sql) {
        auto db = store::sqlite::Database::open(dir / "musubi.db");
        auto statement = db->prepare(sql);
        BOOST_REQUIRE(statement);
        BOOST_REQUIRE(*statement->step());
        return statement->column_int64(0);
    }
};

} // namespace

BOOST_AUTO_TEST_SUITE(campaign_worker)

BOOST_AUTO_TEST_CASE(a_run_is_written_in_pages_and_each_friend_once_across_a_restart) {
    World world(false);
    world.friends(1234, 7, 9);
    const auto run = world.start_run();
    {
        auto first = world.worker();
        auto pass = first->run_pass();
        BOOST_REQUIRE(pass);
        BOOST_TEST(pass->pages == 1U);
        BOOST_TEST(pass->more);
    } // "crash": a new worker goes on from the stored cursor
    auto second = world.worker();
    for (int i = 0; i < 5; ++i) {
        BOOST_REQUIRE(second->run_pass());
    }
    BOOST_TEST(world.count("SELECT pages FROM campaign_runs") == 3); // 500, 500, 234: the last
    BOOST_TEST(world.count("SELECT state = 'done' FROM campaign_runs") == 1);
    BOOST_TEST(world.count("SELECT count(DISTINCT friend_id) FROM campaign_recipients") == 1234);
    BOOST_TEST(world.count("SELECT count(*) FROM outbox WHERE scenario = 'campaign:sale'") == 1232);
    BOOST_TEST(world.count("SELECT count(*) FROM campaign_recipients WHERE friend_id = 7 AND "
                           "reason = 'friend has blocked the account'") == 1);
    BOOST_TEST(world.count("SELECT count(*) FROM campaign_recipients WHERE friend_id = 9 AND "
                           "reason = 'cap: 1 messages today (limits.per_friend_per_day: 1)'") == 1);
    const auto key = outbox::derive_retry_key(campaigns::friend_identity("sale", run, 42));
    BOOST_TEST(world.count("SELECT count(*) FROM outbox WHERE friend_id = 42 AND retry_key = '" +
                           key + "' AND payload = '[{\"text\":\"name42さん、セールです\"," +
                           "\"type\":\"text\"}]'") == 1);
    BOOST_TEST(world.wakes == 3);
    auto report = world.store->campaigns().report(run);
    BOOST_REQUIRE(report);
    BOOST_TEST(report->counts.at("pending") == 1232);
    BOOST_TEST(report->counts.at("skipped") == 2);
}

BOOST_AUTO_TEST_CASE(a_page_read_before_another_writer_went_on_is_refused) {
    World world(false);
    world.friends(10, 0, 1);
    const auto run_id = world.start_run();
    auto run = world.store->campaigns().run(run_id);
    BOOST_REQUIRE(run && *run);
    store::CampaignPage page;
    page.run_id = run_id;
    page.from_friend_id = 0;
    page.to_friend_id = 5;
    BOOST_REQUIRE(world.store->campaigns().write_page(page));
    auto stale = world.store->campaigns().write_page(page);
    BOOST_REQUIRE(!stale);
    BOOST_TEST(stale.error().message ==
               "campaign run " + std::to_string(run_id) + " has moved on since its page was read");
}

BOOST_AUTO_TEST_CASE(the_same_message_for_all_is_one_multicast_row_per_page) {
    World world(true);
    world.friends(1001, 3, 2);
    const auto run = world.start_run();
    auto worker = world.worker();
    for (int i = 0; i < 4; ++i) {
        BOOST_REQUIRE(worker->run_pass());
    }
    BOOST_TEST(world.count("SELECT count(*) FROM outbox WHERE kind = 'multicast'") == 3);
    const auto key =
        outbox::derive_retry_key(campaigns::page_identity("sale", run, 1) + "/group:0");
    BOOST_TEST(world.count("SELECT json_array_length(payload, '$.to') FROM outbox WHERE "
                           "retry_key = '" +
                           key + "'") == 500);
    BOOST_TEST(world.count("SELECT count(*) FROM campaign_recipients WHERE retry_key = '" + key +
                           "'") == 500);
    // The friend capped by a message today was counted; the blocked one was skipped.
    BOOST_TEST(world.count("SELECT count(*) FROM campaign_recipients WHERE outcome = 'skipped'") ==
               2);
    BOOST_TEST(world.count("SELECT json_array_length(payload, '$.to') FROM outbox WHERE "
                           "kind = 'multicast' ORDER BY id LIMIT 1") == 498);
}

BOOST_AUTO_TEST_CASE(the_schedule_makes_each_occurrence_once_and_skips_late_ones) {
    World world(true);
    world.friends(3, 0, 1);
    auto set = std::make_shared<campaigns::CampaignSet>(*world.config->campaigns);
    set->campaigns.front().at_ms = k_now - 30 * 60 * 1000; // half an hour ago: still sent
    auto late = set->campaigns.front();
    late.name = "late";
    late.at_ms = k_now - 2 * 60 * 60 * 1000; // two hours ago: missed
    set->campaigns.push_back(late);
    world.config->campaigns = set;
    auto worker = world.worker();
    auto pass = worker->run_pass();
    BOOST_REQUIRE(pass);
    BOOST_TEST(pass->runs_created == 1U);
    BOOST_REQUIRE(worker->run_pass());
    BOOST_TEST(world.count("SELECT count(*) FROM campaign_runs") == 1);
    BOOST_TEST(world.count("SELECT count(*) FROM campaign_runs WHERE campaign = 'sale' AND "
                           "occurrence = '2026-11-22 09:30' AND started_by = 'schedule'") == 1);
}

BOOST_AUTO_TEST_SUITE_END()
