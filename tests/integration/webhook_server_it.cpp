// musubid's webhook server as LINE sees it: musubi-sim plays friends who follow, write and
// get their events redelivered or duplicated, and sends them to a real musubid process. The
// test checks what the simulator recorded for each delivery (status per attempt) and what the
// daemon's SQLite file holds (each event once), and that a taken port stops musubid with a
// clear error.

#include <set>

#include <Poco/Net/ServerSocket.h>
#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "support/musubid_process.hpp"
#include "support/sim_process.hpp"

using namespace musubi;
using nlohmann::json;

namespace {

constexpr const char* k_secret = "8c570fa6dd201bb328f1c1eac23a96d8";
constexpr const char* k_tanaka = "U0123456789abcdef0123456789abcdef";
constexpr const char* k_sato = "U1123456789abcdef0123456789abcdef";

std::string scenario() {
    return std::string("line:\n  channel_secret: ") + k_secret +
           "\n  friends:\n    - {userId: " + k_tanaka + ", displayName: 田中, language: ja}\n";
}

// A musubid with its own configuration, store and log (kept as webhook_server-*.log),
// listening for webhooks on a port the system picks (or the one given).
void start(test::MusubidProcess& musubid, const test::SimProcess& sim,
           const std::string& listen = "127.0.0.1:0") {
    musubid.copy_shipped("config/scenarios");
    musubid.copy_shipped("templates");
    test::MusubidConfig config;
    config.log_level = "debug";
    config.channel_secret = k_secret;
    config.webhook_listen = listen;
    musubid.start(sim, config);
}

std::vector<int> statuses(const json& answer) {
    std::vector<int> found;
    for (const auto& delivery : answer["deliveries"]) {
        found.push_back(delivery["status"].get<int>());
    }
    return found;
}

} // namespace

BOOST_AUTO_TEST_SUITE(webhook_server)

BOOST_AUTO_TEST_CASE(friends_events_are_answered_200_and_stored_once) {
    test::SimProcess sim(scenario());
    test::MusubidProcess musubid("webhook_server");
    start(musubid, sim);
    musubid.wait_ready();
    BOOST_TEST(musubid.log().find("path=/webhook/line") != std::string::npos);
    sim.control_post("/_sim/line/config", {{"webhook_url", musubid.webhook_url()}});

    // LINE's connection check.
    BOOST_TEST(statuses(sim.control_post("/_sim/line/webhooks/verify")) == std::vector<int>{200});

    const auto follow = sim.control_post(std::string("/_sim/line/friends/") + k_sato + "/follow",
                                         {{"displayName", "佐藤"}});
    BOOST_TEST(statuses(follow) == std::vector<int>{200});
    const auto text = sim.control_post(std::string("/_sim/line/friends/") + k_tanaka + "/text",
                                       {{"text", "123456-20261122-0000000001 です"}});
    BOOST_TEST(statuses(text) == std::vector<int>{200});
    // The identical body three times, and the follow redelivered.
    const auto duplicated =
        sim.control_post(std::string("/_sim/line/friends/") + k_tanaka + "/text",
                         {{"text", "2"}, {"duplicates", 2}});
    BOOST_TEST(statuses(duplicated) == (std::vector<int>{200, 200, 200}));
    const std::string follow_id = follow["webhookEventId"];
    const auto redelivered =
        sim.control_post("/_sim/line/webhooks/" + follow_id + "/redeliver", json::object());
    BOOST_TEST(statuses(redelivered) == std::vector<int>{200});
    // Two events written earlier, out of order, sent together in one body.
    const auto later = sim.control_post(std::string("/_sim/line/friends/") + k_tanaka + "/text",
                                        {{"text", "later"}, {"send", false}});
    const auto earlier = sim.control_post(
        std::string("/_sim/line/friends/") + k_sato + "/postback",
        {{"data", "action=menu"}, {"timestamp_offset_ms", -60000}, {"send", false}});
    const std::string later_id = later["webhookEventId"];
    const std::string earlier_id = earlier["webhookEventId"];
    BOOST_TEST(statuses(sim.control_post("/_sim/line/webhooks/send",
                                         {{"webhookEventIds", {later_id, earlier_id}}})) ==
               std::vector<int>{200});
    // Signed with another secret: refused, never stored.
    const auto forged = sim.control_post(std::string("/_sim/line/friends/") + k_tanaka + "/text",
                                         {{"text", "forged"}, {"bad_signature", true}});
    BOOST_TEST(statuses(forged) == std::vector<int>{401});
    BOOST_TEST(forged["deliveries"][0]["body"] == R"({"message":"invalid signature"})");
    const std::string forged_id = forged["webhookEventId"];

    // The simulator's record: every attempt of every event, as LINE would show it.
    std::set<std::string> accepted;
    const json recorded = sim.control_get("/_sim/line/webhooks"); // kept: no dangling range
    for (const auto& webhook : recorded["webhooks"]) {
        const std::string id = webhook["event"]["webhookEventId"];
        for (const auto& attempt : webhook["attempts"]) {
            BOOST_TEST(attempt["status"].get<int>() == (id == forged_id ? 401 : 200),
                       id << " attempt answered " << attempt["status"]);
        }
        if (id != forged_id) {
            accepted.insert(id);
        }
    }
    BOOST_TEST(accepted.size() == 5u);

    // The store: each accepted event exactly once, with its own timestamp; nothing forged.
    const auto rows = musubid.column("SELECT event_id FROM webhook_events ORDER BY event_id");
    BOOST_TEST(std::set<std::string>(rows.begin(), rows.end()) == accepted);
    BOOST_TEST(rows.size() == accepted.size());
    BOOST_TEST(
        musubid
            .column("SELECT occurred_at FROM webhook_events WHERE event_id = '" + earlier_id + "'")
            .at(0) == std::to_string(earlier["event"]["timestamp"].get<std::int64_t>()));
    const auto body = json::parse(
        musubid.column("SELECT body FROM webhook_events WHERE event_id = '" + follow_id + "'")
            .at(0));
    BOOST_TEST(body["type"] == "follow");
    BOOST_TEST(body["deliveryContext"]["isRedelivery"] == false); // the first copy is kept

    BOOST_TEST(musubid.stop() == 0);
    const auto log = musubid.log();
    BOOST_TEST(log.find("event=webhook.signature_refused refused=1") != std::string::npos);
    BOOST_TEST(log.find("event=webhook.received events=2 new=2 duplicates=0") != std::string::npos);
    // No message text in the log, and not the secret.
    BOOST_TEST(log.find("0000000001") == std::string::npos);
    BOOST_TEST(log.find("forged") == std::string::npos);
    BOOST_TEST(log.find(k_secret) == std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_taken_webhook_port_stops_musubid_with_a_clear_error) {
    test::SimProcess sim(scenario());
    Poco::Net::ServerSocket taken(Poco::Net::SocketAddress("127.0.0.1", 0));
    const auto address = "127.0.0.1:" + std::to_string(taken.address().port());
    test::MusubidProcess musubid("webhook_server");
    start(musubid, sim, address);
    BOOST_TEST(musubid.wait_exit() == 1);
    const auto log = musubid.log();
    BOOST_TEST(log.find("error=\"cannot listen on " + address +
                        " for webhook: address already in use (another program, or another "
                        "musubi, listens there); stop what listens there, or set another "
                        "host:port in webhook.listen") != std::string::npos,
               log);
    BOOST_TEST(log.find("event=ready") == std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
