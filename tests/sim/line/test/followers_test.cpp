// The account's existing friends: GET /v2/bot/followers/ids as messaging-api.yml describes it
// (limit default 300, max 1000, `start` continuation, only iOS/Android users, 403 for accounts
// that may not call it) and the profiles of those friends.

#include <set>

#include <boost/test/unit_test.hpp>

#include "support.hpp"

using namespace musubi::sim::line::test;
using nlohmann::json;

namespace {

musubi::sim::Response followers(Sim& sim, std::map<std::string, std::string> query = {}) {
    musubi::sim::Request request;
    request.method = "GET";
    request.path = "/v2/bot/followers/ids";
    request.query = std::move(query);
    request.listener = "api";
    request.headers["authorization"] = std::string("Bearer ") + k_token;
    return sim.dispatcher->dispatch(request);
}

// Every id the list returns, following `next` with the given limit.
std::vector<std::string> all_followers(Sim& sim, const std::string& limit) {
    std::vector<std::string> ids;
    std::string next;
    for (int pages = 0; pages < 100; ++pages) {
        std::map<std::string, std::string> query{{"limit", limit}};
        if (!next.empty()) {
            query["start"] = next;
        }
        auto response = followers(sim, query);
        BOOST_REQUIRE_MESSAGE(response.status == 200, response.body);
        auto body = body_of(response);
        for (const auto& id : body["userIds"]) {
            ids.push_back(id.get<std::string>());
        }
        if (!body.contains("next")) {
            return ids;
        }
        next = body["next"].get<std::string>();
    }
    BOOST_FAIL("the list did not end");
    return ids;
}

} // namespace

BOOST_AUTO_TEST_SUITE(line_followers)

BOOST_AUTO_TEST_CASE(default_limit_is_300_and_pages_cover_every_listed_friend_once) {
    Sim sim("line:\n  existing_friends: {count: 2500, unlisted_every: 10}\n");
    auto first = body_of(followers(sim));
    BOOST_TEST(first["userIds"].size() == 300u);
    BOOST_TEST(first.contains("next"));
    auto ids = all_followers(sim, "1000");
    BOOST_TEST(ids.size() == 2250u); // every 10th uses LINE on desktop only
    BOOST_TEST(std::set<std::string>(ids.begin(), ids.end()).size() == ids.size());
    auto ledger = sim.control("GET", "/ledger");
    auto friends = body_of(ledger)["friends"];
    BOOST_TEST(friends.size() == 2500u);
    long unlisted = 0;
    for (const auto& [id, entry] : friends.items()) {
        unlisted += entry["listed"] == false ? 1 : 0;
    }
    BOOST_TEST(unlisted == 250);
}

BOOST_AUTO_TEST_CASE(limit_outside_1_to_1000_is_a_400) {
    Sim sim("line:\n  existing_friends: 3\n");
    for (const char* limit : {"1001", "0", "abc"}) {
        auto response = followers(sim, {{"limit", limit}});
        BOOST_TEST(response.status == 400);
        BOOST_TEST(body_of(response)["details"][0]["property"] == "limit");
    }
    auto bad_start = followers(sim, {{"start", "not-a-token"}});
    BOOST_TEST(bad_start.status == 400);
    BOOST_TEST(body_of(followers(sim, {{"limit", "1000"}}))["userIds"].size() == 3u);
}

BOOST_AUTO_TEST_CASE(blocked_friends_leave_the_list_and_new_ones_do_not_shift_a_paged_read) {
    Sim sim("line:\n  webhook_url: http://127.0.0.1:9/\n  existing_friends: 10\n");
    auto page = body_of(followers(sim, {{"limit", "5"}}));
    BOOST_REQUIRE(page.contains("next"));
    const auto blocked = page["userIds"][0].get<std::string>();
    sim.control("POST", "/friends/" + blocked + "/unfollow");
    sim.control("POST", "/friends/existing", {{"count", 20}}); // 10 more, same seed
    auto rest = all_followers(sim, "1000");
    BOOST_TEST(rest.size() == 19u);
    BOOST_TEST((std::find(rest.begin(), rest.end(), blocked) == rest.end()));
    std::set<std::string> seen(page["userIds"].begin(), page["userIds"].end());
    std::string next = page["next"];
    auto second = body_of(followers(sim, {{"limit", "1000"}, {"start", next}}));
    for (const auto& id : second["userIds"]) {
        BOOST_TEST(!seen.contains(id.get<std::string>())); // nothing repeated
    }
}

BOOST_AUTO_TEST_CASE(forbidden_accounts_get_lines_403) {
    Sim sim("line:\n  existing_friends: 3\n  followers_api: forbidden\n");
    auto response = followers(sim);
    BOOST_TEST(response.status == 403);
    BOOST_TEST(body_of(response)["message"] ==
               "Access to this API is not available for your account");
    sim.control("POST", "/config", {{"followers_api", "available"}});
    BOOST_TEST(followers(sim).status == 200);
}

BOOST_AUTO_TEST_CASE(existing_friends_have_profiles_blocked_ones_404) {
    Sim sim("line:\n  webhook_url: http://127.0.0.1:9/\n  existing_friends: 2\n");
    auto ids = all_followers(sim, "1000");
    BOOST_REQUIRE(ids.size() == 2u);
    auto profile = sim.api("GET", "/v2/bot/profile/" + ids[0], nullptr);
    BOOST_TEST(profile.status == 200);
    BOOST_TEST(body_of(profile)["displayName"].get<std::string>().starts_with("既存の友だち"));
    sim.control("POST", "/friends/" + ids[1] + "/unfollow");
    BOOST_TEST(sim.api("GET", "/v2/bot/profile/" + ids[1], nullptr).status == 404);
    BOOST_TEST(
        sim.api("GET", "/v2/bot/profile/U00000000000000000000000000000000", nullptr).status == 404);
}

BOOST_AUTO_TEST_CASE(the_followers_bucket_holds_2000_a_second) {
    Sim sim("line:\n  existing_friends: 1\n");
    sim.clock.set_speed(0);
    int limited = 0;
    for (int i = 0; i < 2001; ++i) {
        limited += followers(sim).status == 429 ? 1 : 0;
    }
    BOOST_TEST(limited == 1);
}

BOOST_AUTO_TEST_CASE(bad_existing_friends_settings_name_the_place) {
    BOOST_CHECK_EXCEPTION(Sim("line:\n  existing_friends: {count: 3, listed: 2}\n"), std::exception,
                          [](const std::exception& error) {
                              return std::string(error.what()).find("unlisted_every") !=
                                     std::string::npos;
                          });
    auto sim = Sim();
    BOOST_TEST(sim.control("POST", "/friends/existing", {{"count", -1}}).status == 400);
}

BOOST_AUTO_TEST_SUITE_END()
