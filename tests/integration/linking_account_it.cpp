// Own-site member linking end to end against musubi-sim: the shop's site calls musubi's
// POST /account-link over HTTP, musubi gets a real link token from the simulated LINE, the
// simulator's accountLink event (made with that token and the nonce) is handed to the
// AccountLinker, and the store must hold the link. Replayed nonces, LINE's "failed" and a
// wrong bearer token must link nothing.

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "connectors/http/http_client.hpp"
#include "connectors/line/messaging_client.hpp"
#include "daemon/http/web_server.hpp"
#include "daemon/linking/account_linker.hpp"
#include "daemon/store/sqlite/sqlite_store.hpp"
#include "support/sim_process.hpp"
#include "support/temp_dir.hpp"

using nlohmann::json;
using namespace musubi;

namespace {

constexpr const char* k_tanaka = "U0123456789abcdef0123456789abcdef";
constexpr const char* k_sato = "U1123456789abcdef0123456789abcdef";
constexpr const char* k_site_token = "site-token-for-the-shops-own-site-0001";

std::string scenario() {
    return std::string("line:\n"
                       "  channel_id: \"2000000000\"\n"
                       "  channel_secret: 8c570fa6dd201bb328f1c1eac23a96d8\n"
                       "  friends:\n"
                       "    - {userId: ") +
           k_tanaka + ", displayName: 田中, language: ja}\n    - {userId: " + k_sato +
           ", displayName: 佐藤, language: ja}\n";
}

// musubid's side of the flow: a store with the two friends, the endpoint on a WebServer, the
// linker for the events; the clock follows the simulator's, as with `clock.follow`.
struct Musubi {
    explicit Musubi(const test::SimProcess& sim)
        : clock(clock::make_clock(sim.api_url()))
        , client(line::ClientSettings{sim.api_url(), sim.data_url(), std::chrono::seconds(5), 2},
                 line::AccessToken::long_lived("musubi-sim-token"))
        , server({"127.0.0.1", 0}, "webhook") {
        auto opened = store::sqlite::SqliteStore::open(dir / "musubi.db",
                                                       std::chrono::milliseconds(2000), clock);
        BOOST_REQUIRE_MESSAGE(opened, (opened ? "" : opened.error().to_string()));
        store = std::move(*opened);
        auto db = store::sqlite::Database::open(dir / "musubi.db");
        BOOST_REQUIRE(db);
        BOOST_REQUIRE(db->exec(std::string("INSERT INTO friends (id, line_user_id, created_at, "
                                           "updated_at) VALUES (1, '") +
                               k_tanaka + "', 1, 1), (2, '" + k_sato + "', 1, 1)"));
        settings.hashing_key = "integration-hashing-key-0123456789abcdef";
        settings.site_token = k_site_token;
        endpoint.emplace(store->links(), settings, linking::link_token_issuer(client), clock);
        linker.emplace(store->links(), settings);
        server.add("POST", "/account-link",
                   [this](auto& request, auto& response) { endpoint->post(request, response); });
        auto started = server.start();
        BOOST_REQUIRE_MESSAGE(started, (started ? "" : started.error()));
    }

    http::Response call(const std::string& authorization, const json& body) {
        http::Client site("http://127.0.0.1:" + std::to_string(server.port()),
                          std::chrono::seconds(5));
        auto response = site.send({"POST",
                                   "/account-link",
                                   {{"Authorization", authorization}},
                                   "application/json",
                                   body.dump()});
        BOOST_REQUIRE(response);
        return *response;
    }

    std::int64_t count(const std::string& sql) {
        auto db = store::sqlite::Database::open(dir / "musubi.db");
        BOOST_REQUIRE(db);
        auto value = db->pragma_text(sql);
        BOOST_REQUIRE(value);
        return std::stoll(*value);
    }

    test::TempDir dir;
    std::shared_ptr<clock::Clock> clock;
    line::MessagingClient client;
    std::unique_ptr<store::sqlite::SqliteStore> store;
    linking::Settings settings;
    std::optional<linking::AccountLinkEndpoint> endpoint;
    std::optional<linking::AccountLinker> linker;
    http::WebServer server;
};

json account_link_event(const test::SimProcess& sim, const std::string& user, const json& body) {
    return sim.control_post("/_sim/line/friends/" + user + "/account_link", body)["event"];
}

} // namespace

BOOST_AUTO_TEST_SUITE(linking_account)

BOOST_AUTO_TEST_CASE(a_member_links_through_lines_account_link_flow_once) {
    test::SimProcess sim(scenario());
    Musubi musubi(sim);
    const auto started = musubi.call(std::string("Bearer ") + k_site_token,
                                     {{"line_user_id", k_tanaka}, {"member_id", "member-1001"}});
    BOOST_REQUIRE_MESSAGE(started.status == 200, started.body);
    const auto answer = json::parse(started.body);
    const auto link_token = answer["linkToken"].get<std::string>();
    const auto nonce = answer["nonce"].get<std::string>();
    BOOST_TEST(answer["url"] == "https://access.line.me/dialog/bot/accountLink?linkToken=" +
                                    link_token + "&nonce=" + nonce);

    const auto event = account_link_event(
        sim, k_tanaka, {{"nonce", nonce}, {"linkToken", link_token}, {"send", false}});
    BOOST_REQUIRE(event["link"]["result"] == "ok");
    auto linked = musubi.linker->on_account_link(
        1, event["webhookEventId"].get<std::string>(), event["link"]["nonce"].get<std::string>(),
        event["link"]["result"].get<std::string>(), event["timestamp"].get<std::int64_t>());
    BOOST_REQUIRE(linked);
    BOOST_TEST((*linked == linking::AccountLinkResult::linked));
    BOOST_TEST(musubi.count("SELECT count(*) FROM links WHERE friend_id = 1 AND method = "
                            "'account_link' AND unlinked_at IS NULL") == 1);
    BOOST_TEST(musubi.count("SELECT count(*) FROM facts WHERE kind = 'friend.linked' AND "
                            "friend_id = 1") == 1);

    // The same nonce again (a replayed event, or another friend presenting it) links nothing.
    auto replayed =
        musubi.linker->on_account_link(2, "replayed", nonce, "ok", musubi.clock->now_ms());
    BOOST_REQUIRE(replayed);
    BOOST_TEST((*replayed == linking::AccountLinkResult::refused_nonce));
    BOOST_TEST(musubi.count("SELECT count(*) FROM links") == 1);
}

BOOST_AUTO_TEST_CASE(a_token_used_by_another_user_fails_and_links_nothing) {
    test::SimProcess sim(scenario());
    Musubi musubi(sim);
    const auto started = musubi.call(std::string("Bearer ") + k_site_token,
                                     {{"line_user_id", k_tanaka}, {"member_id", "member-1001"}});
    BOOST_REQUIRE(started.status == 200);
    const auto answer = json::parse(started.body);
    // Sato presents Tanaka's link token: LINE answers "failed".
    const auto event = account_link_event(
        sim, k_sato,
        {{"nonce", answer["nonce"]}, {"linkToken", answer["linkToken"]}, {"send", false}});
    BOOST_REQUIRE(event["link"]["result"] == "failed");
    auto refused = musubi.linker->on_account_link(
        2, event["webhookEventId"].get<std::string>(), event["link"]["nonce"].get<std::string>(),
        event["link"]["result"].get<std::string>(), event["timestamp"].get<std::int64_t>());
    BOOST_REQUIRE(refused);
    BOOST_TEST((*refused == linking::AccountLinkResult::refused_failed));
    BOOST_TEST(musubi.count("SELECT count(*) FROM links") == 0);
}

BOOST_AUTO_TEST_CASE(the_site_must_present_its_bearer_token) {
    test::SimProcess sim(scenario());
    Musubi musubi(sim);
    const json body{{"line_user_id", k_tanaka}, {"member_id", "member-1001"}};
    BOOST_TEST(musubi.call("Bearer not-the-site-token", body).status == 401);
    BOOST_TEST(musubi.call("", body).status == 401);
    BOOST_TEST(musubi.count("SELECT count(*) FROM account_link_nonces") == 0);
}

BOOST_AUTO_TEST_SUITE_END()
