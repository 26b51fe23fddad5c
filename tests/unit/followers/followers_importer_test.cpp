// The followers importer step by step, against a scripted LINE (musubi's own web server on a
// loopback port answering what each case needs) and a real SQLite store with a manual clock:
// pages followed by `next` with limit=1000, a run resumed from its saved token, the interval,
// 403 told once, a refused token starting over, profiles read after the import and a 404
// marking the friend gone.

#include <algorithm>
#include <cstdio>
#include <mutex>
#include <set>
#include <vector>

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/URI.h>
#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "daemon/followers/followers_importer.hpp"
#include "daemon/http/web_server.hpp"
#include "daemon/store/sqlite/sqlite_store.hpp"
#include "support/manual_clock.hpp"
#include "support/store_query.hpp"
#include "support/temp_dir.hpp"

using namespace musubi;
using nlohmann::json;

namespace {

std::string user(int n) {
    char text[34];
    std::snprintf(text, sizeof text, "U%032x", n);
    return text;
}

// A LINE with `friends` followers, `page` ids a page (tokens "p1", "p2", ...); 403 when
// forbidden. Profiles of the users in `gone` answer 404.
struct FakeLine {
    std::vector<std::string> friends;
    std::size_t page = 2;
    bool forbidden = false;
    std::set<std::string> gone;
    std::mutex mutex;
    std::vector<std::string> calls; // request URIs
    http::WebServer server{config::ListenAddress{"127.0.0.1", 0}, "fake-line"};

    explicit FakeLine(int count) {
        for (int i = 1; i <= count; ++i) {
            friends.push_back(user(i));
        }
        server.add("GET", "/v2/bot/followers/ids",
                   [this](auto& request, auto& response) { list(request, response); });
        for (int i = 1; i <= count + 5; ++i) {
            server.add("GET", "/v2/bot/profile/" + user(i),
                       [this, id = user(i)](auto& request, auto& response) {
                           profile(request, response, id);
                       });
        }
        BOOST_REQUIRE(server.start());
    }

    void list(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) {
        std::lock_guard lock(mutex);
        calls.push_back(request.getURI());
        if (forbidden) {
            http::send(request, response, Poco::Net::HTTPResponse::HTTP_FORBIDDEN,
                       http::message_json("Access to this API is not available for your account"));
            return;
        }
        std::size_t start = 0;
        for (const auto& [key, value] : Poco::URI(request.getURI()).getQueryParameters()) {
            if (key == "start") {
                if (value.size() < 2 || value[0] != 'p') {
                    http::send(request, response, Poco::Net::HTTPResponse::HTTP_BAD_REQUEST,
                               http::message_json("Invalid start value"));
                    return;
                }
                start = std::stoul(value.substr(1)) * page;
            }
        }
        json ids = json::array();
        for (std::size_t i = start; i < friends.size() && i < start + page; ++i) {
            ids.push_back(friends[i]);
        }
        json body = {{"userIds", ids}};
        if (start + page < friends.size()) {
            body["next"] = "p" + std::to_string(start / page + 1);
        }
        http::send(request, response, Poco::Net::HTTPResponse::HTTP_OK, body.dump());
    }

    void profile(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response,
                 const std::string& id) {
        std::lock_guard lock(mutex);
        calls.push_back(request.getURI());
        if (gone.contains(id)) {
            http::send(request, response, Poco::Net::HTTPResponse::HTTP_NOT_FOUND,
                       http::message_json("Not found"));
            return;
        }
        http::send(request, response, Poco::Net::HTTPResponse::HTTP_OK,
                   json{{"userId", id}, {"displayName", "名前" + id.substr(29)}}.dump());
    }

    std::string url() const { return "http://127.0.0.1:" + std::to_string(server.address().port); }
    std::size_t list_calls() {
        std::lock_guard lock(mutex);
        return static_cast<std::size_t>(std::count_if(calls.begin(), calls.end(), [](auto& uri) {
            return uri.starts_with("/v2/bot/followers/ids");
        }));
    }
};

struct World {
    test::TempDir dir;
    std::shared_ptr<test::ManualClock> clock =
        std::make_shared<test::ManualClock>(test::jst(0, 10));
    std::unique_ptr<store::sqlite::SqliteStore> store;
    std::unique_ptr<followers::FollowersImporter> importer;
    FakeLine line;
    followers::ImporterOptions options;
    int woken = 0;

    explicit World(int friends)
        : line(friends) {
        auto opened = store::sqlite::SqliteStore::open(dir / "musubi.db",
                                                       std::chrono::milliseconds(2000), clock);
        BOOST_REQUIRE_MESSAGE(opened, (opened ? "" : opened.error().message));
        store = std::move(*opened);
        importer = std::make_unique<followers::FollowersImporter>(store->followers_import(), clock,
                                                                  [this] { ++woken; });
        line::ClientSettings settings;
        settings.api_base_url = line.url();
        options.client = std::make_shared<line::MessagingClient>(
            settings, line::AccessToken::long_lived("token"));
        options.settings.enabled = true;
        options.settings.interval = std::chrono::hours(24);
        options.settings.profiles_per_second = 1000;
    }
    std::string query(const std::string& sql) {
        auto values = test::column(dir / "musubi.db", sql);
        return values.empty() ? "no row" : values.at(0);
    }
    followers::Step step() { return importer->step(options, 10); }
};

} // namespace

BOOST_AUTO_TEST_SUITE(followers_importer)

BOOST_AUTO_TEST_CASE(a_run_reads_every_page_with_limit_1000_then_waits_for_the_interval) {
    World world(5);
    BOOST_TEST((world.step() == followers::Step::page));
    BOOST_TEST((world.step() == followers::Step::page));
    BOOST_TEST((world.step() == followers::Step::finished));
    BOOST_TEST(world.line.calls[0] == "/v2/bot/followers/ids?limit=1000");
    BOOST_TEST(world.line.calls[1] == "/v2/bot/followers/ids?limit=1000&start=p1");
    BOOST_TEST(world.query("SELECT count(*) FROM facts WHERE kind = 'friend.imported'") == "5");
    BOOST_TEST(world.woken == 3);
    // Next: profiles, then nothing until a day has passed.
    BOOST_TEST((world.step() == followers::Step::profiles));
    BOOST_TEST(world.query("SELECT count(*) FROM friends WHERE display_name IS NULL") == "0");
    BOOST_TEST((world.step() == followers::Step::idle));
    world.clock->advance(test::k_day - 1);
    BOOST_TEST((world.step() == followers::Step::idle));
    world.line.friends.push_back(user(6));
    world.clock->advance(1);
    while (world.step() == followers::Step::page) {
    }
    BOOST_TEST(world.query("SELECT count(*) FROM followers_imports") == "2");
    BOOST_TEST(world.query("SELECT imported FROM followers_imports WHERE id = 2") == "1");
    BOOST_TEST(world.query("SELECT count(*) FROM friends") == "6");
}

BOOST_AUTO_TEST_CASE(a_new_importer_resumes_the_run_from_its_saved_token) {
    World world(5);
    BOOST_TEST((world.step() == followers::Step::page));
    world.importer = std::make_unique<followers::FollowersImporter>(world.store->followers_import(),
                                                                    world.clock, [] {});
    BOOST_TEST((world.step() == followers::Step::page));
    BOOST_TEST(world.line.calls.back() == "/v2/bot/followers/ids?limit=1000&start=p1");
    BOOST_TEST((world.step() == followers::Step::finished));
    BOOST_TEST(world.query("SELECT count(*) FROM followers_imports") == "1");
    BOOST_TEST(world.query("SELECT count(*) FROM friends") == "5");
}

BOOST_AUTO_TEST_CASE(a_refused_token_starts_the_list_again_without_duplicates) {
    World world(5);
    BOOST_TEST((world.step() == followers::Step::page));
    BOOST_REQUIRE(world.query("UPDATE followers_imports SET next_token = 'stale' RETURNING id") ==
                  "1");
    BOOST_TEST((world.step() == followers::Step::page)); // abandoned, a new run begun
    while (world.step() == followers::Step::page) {
    }
    BOOST_TEST(world.query("SELECT group_concat(coalesce(outcome, '-')) FROM followers_imports") ==
               "abandoned,done");
    BOOST_TEST(world.query("SELECT count(*) FROM facts WHERE kind = 'friend.imported'") == "5");
}

BOOST_AUTO_TEST_CASE(forbidden_is_recorded_and_asked_again_only_after_the_interval) {
    World world(3);
    world.line.forbidden = true;
    BOOST_TEST((world.step() == followers::Step::forbidden));
    BOOST_TEST(world.query("SELECT outcome FROM followers_imports") == "forbidden");
    BOOST_TEST((world.step() == followers::Step::idle));
    BOOST_TEST(world.line.list_calls() == 1u);
    world.line.forbidden = false;
    world.clock->advance(test::k_day);
    while (world.step() == followers::Step::page) {
    }
    BOOST_TEST(world.query("SELECT count(*) FROM friends") == "3");
}

BOOST_AUTO_TEST_CASE(a_profile_404_marks_the_friend_gone_absence_from_the_list_does_not) {
    World world(3);
    while (world.step() == followers::Step::page) {
    }
    world.line.gone.insert(user(2));
    BOOST_TEST((world.step() == followers::Step::profiles));
    BOOST_TEST(world.query("SELECT group_concat(state) FROM (SELECT state FROM friends ORDER BY "
                           "id)") == "following,blocked,following");
    BOOST_TEST(world.query("SELECT count(*) FROM facts WHERE kind = 'friend.unfollowed'") == "1");
    // A day later user 3 is missing from the list (desktop only, say): still a friend.
    world.line.friends.pop_back();
    world.clock->advance(test::k_day);
    while (world.step() == followers::Step::page) {
    }
    BOOST_TEST(world.query("SELECT state FROM friends WHERE line_user_id = '" + user(3) + "'") ==
               "following");
}

BOOST_AUTO_TEST_CASE(disabled_does_nothing) {
    World world(3);
    world.options.settings.enabled = false;
    BOOST_TEST((world.step() == followers::Step::idle));
    BOOST_TEST(world.line.list_calls() == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
