// The account's existing friends, end to end: a real musubid reads musubi-sim's followers list
// (GET /v2/bot/followers/ids) and what LINE's ledger and musubi's store then hold.
// - 2,500 existing friends, every 10th on LINE for desktop only (not listed): every listed one
//   is a friend exactly once with one friend.imported fact, gets no greeting, gets its name
//   from the profile API, and a segment campaign reaches each exactly once; the unlisted one
//   becomes a friend when they act, and is greeted on follow.
// - SIGKILL in the middle of an import, then a start: the run resumes (one run, no duplicate);
//   a restart starts no new run; a day later (the simulator's clock) the daily run adds only
//   the new friends.
// - An account that may not read the list (403): one log line, the status page's note, and
//   the rest works (a new friend is greeted).

#include <algorithm>
#include <set>
#include <sstream>
#include <thread>

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "support/musubid_process.hpp"
#include "support/sim_process.hpp"

using namespace musubi;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

constexpr const char* k_admin_token = "it-admin-token-0123";
constexpr const char* k_newcomer = "U0123456789abcdef0123456789abcdef";

std::string sim_scenario(const std::string& line_keys, double speed = 0) {
    std::ostringstream text;
    text << "clock: {start: \"2026-11-24T10:00:00+0900\", speed: " << speed << "}\n"
         << "line:\n"
         << line_keys;
    return text.str();
}

test::MusubidConfig config_for(const std::string& followers_import) {
    test::MusubidConfig config;
    config.follow_clock = true;
    config.followers_import = followers_import;
    return config;
}

void prepare_home(test::MusubidProcess& musubid, bool with_campaign) {
    musubid.copy_shipped("templates");
    musubid.copy_shipped("config/scenarios");
    if (with_campaign) {
        musubid.home().write("templates/campaign_hello.txt", "{{shop.name}} からのお知らせです\n");
        musubid.home().write("config/segments.yaml", "segments:\n  - name: everyone\n");
        musubid.home().write("config/campaigns.yaml", "campaigns:\n"
                                                      "  - name: hello\n"
                                                      "    segment: everyone\n"
                                                      "    send: campaign_hello\n"
                                                      "    same_for_all: true\n");
    }
}

// Every listed (following, not desktop-only) friend of the simulator, and every unlisted one.
std::pair<std::set<std::string>, std::set<std::string>> sim_friends(const test::SimProcess& sim) {
    std::set<std::string> listed;
    std::set<std::string> unlisted;
    const auto ledger = sim.control_get("/_sim/line/ledger");
    for (const auto& [id, entry] : ledger["friends"].items()) {
        if (entry["state"] != "friend") {
            continue;
        }
        (entry["listed"] == true ? listed : unlisted).insert(id);
    }
    return {listed, unlisted};
}

std::set<std::string> as_set(const std::vector<std::string>& values) {
    return {values.begin(), values.end()};
}

void wait_until(const test::MusubidProcess& musubid, const std::string& sql,
                const std::string& expected, std::chrono::milliseconds patience = 60s) {
    std::string last;
    BOOST_REQUIRE_MESSAGE(musubid.wait_for_value(sql, expected, patience, last),
                          sql << ": wanted " << expected << ", last " << last << "\n"
                              << musubid.log());
}

std::string admin_get(const test::MusubidProcess& musubid, const std::string& path) {
    Poco::Net::HTTPClientSession session("127.0.0.1",
                                         static_cast<Poco::UInt16>(musubid.admin_port()));
    Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, path,
                                   Poco::Net::HTTPMessage::HTTP_1_1);
    request.set("Authorization", std::string("Bearer ") + k_admin_token);
    session.sendRequest(request);
    Poco::Net::HTTPResponse response;
    auto& body = session.receiveResponse(response);
    std::string text;
    Poco::StreamCopier::copyToString(body, text);
    return text;
}

std::size_t count_of(const std::string& text, const std::string& part) {
    std::size_t count = 0;
    for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) {
        ++count;
    }
    return count;
}

int run_musubictl(const test::MusubidProcess& musubid, const std::string& arguments) {
    const char* binary = std::getenv("MUSUBICTL");
    BOOST_REQUIRE(binary != nullptr);
    const std::string command = std::string(binary) + " --config " +
                                musubid.config_path().string() + " " + arguments +
                                " >/dev/null 2>&1";
    return std::system(command.c_str());
}

} // namespace

BOOST_AUTO_TEST_SUITE(followers_import)

BOOST_AUTO_TEST_CASE(existing_friends_become_friends_once_without_greeting_and_get_a_campaign) {
    // The simulator's clock runs (its rate-limit buckets refill): 2,250 profiles are more than
    // one second's 2,000.
    test::SimProcess sim(
        sim_scenario("  existing_friends: {count: 2500, unlisted_every: 10}\n", 1));
    const auto [listed, unlisted] = sim_friends(sim);
    BOOST_REQUIRE(listed.size() == 2250u);
    test::MusubidProcess musubid("followers-import");
    prepare_home(musubid, true);
    auto config = config_for("{enabled: true, interval: 1d, profiles_per_second: 1000}");
    config.extra = "segments: segments.yaml\ncampaigns: campaigns.yaml\n";
    musubid.start(sim, config);
    musubid.wait_ready();
    sim.control_post("/_sim/line/config", {{"webhook_url", musubid.webhook_url()}});
    BOOST_REQUIRE(musubid.wait_for_log("event=followers.import_finished"));

    // Every listed follower is a friend, exactly once, with exactly one friend.imported fact.
    const auto stored = as_set(musubid.column("SELECT line_user_id FROM friends"));
    BOOST_TEST((stored == listed), stored.size()
                                       << " friends stored, " << listed.size() << " listed");
    BOOST_TEST(musubid.count("SELECT count(*) FROM facts WHERE kind = 'friend.imported'") == 2250);
    BOOST_TEST(musubid.count("SELECT count(DISTINCT friend_id) FROM facts WHERE kind = "
                             "'friend.imported'") == 2250);
    // Their names arrive from the profile API in the background; all are read in the end.
    wait_until(musubid, "SELECT count(*) FROM friend_profiles_due", "0");
    BOOST_TEST(musubid.count("SELECT count(*) FROM friends WHERE display_name LIKE "
                             "'既存の友だち%'") == 2250);
    // Every fact handled, and no greeting for any of them.
    wait_until(musubid, "SELECT count(*) FROM facts WHERE processed_at IS NULL", "0");
    BOOST_TEST(musubid.count("SELECT count(*) FROM outbox") == 0);
    BOOST_TEST(sim.control_get("/_sim/line/ledger")["counters"]["deliveries"] == 0);

    // The campaign reaches each of them exactly once.
    BOOST_REQUIRE(run_musubictl(musubid, "campaign start hello") == 0);
    wait_until(musubid, "SELECT state FROM campaign_runs WHERE campaign = 'hello'", "done");
    wait_until(musubid, "SELECT count(*) FROM outbox WHERE state IN ('pending', 'sending')", "0");
    const auto ledger = sim.control_get("/_sim/line/ledger");
    BOOST_TEST(ledger["counters"]["duplicate_deliveries"] == 0);
    long reached = 0;
    for (const auto& id : listed) {
        const auto& deliveries = ledger["friends"][id]["deliveries"];
        reached += deliveries.size() == 1 && deliveries[0]["endpoint"] == "multicast" ? 1 : 0;
    }
    BOOST_TEST(reached == 2250);

    // A friend the list did not show becomes known when they act; a new friend is greeted.
    const auto desktop_user = *unlisted.begin();
    sim.control_post("/_sim/line/friends/" + desktop_user + "/text", {{"text", "こんにちは"}});
    wait_until(musubid, "SELECT count(*) FROM friends WHERE line_user_id = '" + desktop_user + "'",
               "1");
    sim.control_post("/_sim/line/friends/" + std::string(k_newcomer) + "/follow",
                     {{"displayName", "新しい友だち"}});
    wait_until(musubid,
               "SELECT count(*) FROM outbox o JOIN friends f ON f.id = o.friend_id WHERE "
               "f.line_user_id = '" +
                   std::string(k_newcomer) + "' AND o.state = 'sent'",
               "1");
    BOOST_TEST(musubid.stop() == 0);
}

BOOST_AUTO_TEST_CASE(a_crash_mid_import_resumes_and_the_daily_run_adds_only_new_friends) {
    // 2 pages a second on the simulator's (real-speed) clock: the import takes seconds.
    test::SimProcess sim(sim_scenario("  existing_friends: 6000\n"
                                      "  rate_limits: {followers: 2/s}\n",
                                      1));
    test::MusubidProcess musubid("followers-crash");
    prepare_home(musubid, false);
    const auto config = config_for("{enabled: true, interval: 1d, profiles_per_second: 1}");
    musubid.start(sim, config);
    musubid.wait_ready();
    wait_until(musubid, "SELECT pages >= 2 AND finished_at IS NULL FROM followers_imports", "1");
    musubid.kill();
    const auto before = musubid.count("SELECT count(*) FROM friends");
    BOOST_TEST(before >= 2000);
    BOOST_TEST(before < 6000);

    musubid.start(sim, config);
    musubid.wait_ready();
    wait_until(musubid, "SELECT outcome FROM followers_imports", "done");
    BOOST_TEST(musubid.count("SELECT count(*) FROM friends") == 6000);
    BOOST_TEST(musubid.count("SELECT count(*) FROM facts WHERE kind = 'friend.imported'") == 6000);
    BOOST_TEST(musubid.count("SELECT count(DISTINCT line_user_id) FROM friends") == 6000);
    BOOST_TEST(musubid.count("SELECT count(*) FROM followers_imports") == 1); // resumed
    BOOST_TEST(musubid.count("SELECT imported FROM followers_imports") == 6000);

    // A restart within the day reads nothing again.
    BOOST_TEST(musubid.stop() == 0);
    musubid.start(sim, config);
    musubid.wait_ready();
    std::this_thread::sleep_for(1500ms);
    BOOST_TEST(musubid.count("SELECT count(*) FROM followers_imports") == 1);

    // 150 more friends, then a day passes: the daily run adds exactly those.
    sim.control_post("/_sim/line/friends/existing", {{"count", 6150}});
    sim.control_post("/_sim/clock", {{"advance", "1d"}});
    wait_until(musubid, "SELECT count(*) FROM followers_imports WHERE outcome = 'done'", "2");
    BOOST_TEST(musubid.count("SELECT imported FROM followers_imports ORDER BY id DESC LIMIT 1") ==
               150);
    BOOST_TEST(musubid.count("SELECT count(*) FROM friends") == 6150);
    BOOST_TEST(musubid.count("SELECT count(*) FROM facts WHERE kind = 'friend.imported'") == 6150);
    BOOST_TEST(musubid.stop() == 0);
}

BOOST_AUTO_TEST_CASE(an_account_that_may_not_read_the_list_is_told_once_and_works_on) {
    test::SimProcess sim(sim_scenario("  existing_friends: 20\n  followers_api: forbidden\n"));
    test::MusubidProcess musubid("followers-forbidden");
    prepare_home(musubid, false);
    musubid.start(sim, config_for("{enabled: true}"));
    musubid.wait_ready();
    sim.control_post("/_sim/line/config", {{"webhook_url", musubid.webhook_url()}});
    BOOST_REQUIRE(musubid.wait_for_log("event=line.followers_unavailable"));
    wait_until(musubid, "SELECT outcome FROM followers_imports", "forbidden");
    BOOST_TEST(count_of(musubid.log(), "event=line.followers_unavailable") == 1u);
    BOOST_TEST(musubid.log().find("verified") != std::string::npos);
    BOOST_TEST(musubid.count("SELECT count(*) FROM friends") == 0);

    const auto status = json::parse(admin_get(musubid, "/status.json"));
    BOOST_TEST(status["followers"]["unavailable"] == true);
    const auto page = admin_get(musubid, "/");
    BOOST_TEST(page.find("data-metric=\"followers.unavailable\"") != std::string::npos);
    BOOST_TEST(page.find("認証済アカウント") != std::string::npos);

    // Nothing else is affected: a friend who follows now is greeted.
    sim.control_post("/_sim/line/friends/" + std::string(k_newcomer) + "/follow",
                     {{"displayName", "新しい友だち"}});
    wait_until(musubid, "SELECT state FROM outbox", "sent");
    BOOST_TEST(
        sim.control_get("/_sim/line/ledger/" + std::string(k_newcomer))["deliveries"].size() == 1u);
    BOOST_TEST(musubid.stop() == 0);
}

BOOST_AUTO_TEST_SUITE_END()
