// Rich-menu provisioning against the real simulator: what LINE holds (menus, images, default,
// aliases) is read from the simulator's ledger after each pass; what musubi remembers is read
// from its store. The shipped richmenus.yaml and pictures are provisioned, from a copy so that
// a test can change a picture.

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "connectors/line/messaging_client.hpp"
#include "daemon/clock/manual_clock.hpp"
#include "daemon/richmenus/menu_config.hpp"
#include "daemon/richmenus/provisioner.hpp"
#include "daemon/store/sqlite/database.hpp"
#include "daemon/store/sqlite/schema_v3_richmenus.hpp"
#include "daemon/store/sqlite/sqlite_rich_menus.hpp"
#include "support/sim_process.hpp"
#include "support/temp_dir.hpp"

using nlohmann::json;
using namespace musubi;

namespace {

constexpr const char* k_tanaka = "U0123456789abcdef0123456789abcdef";

std::string scenario() {
    return "clock: {speed: 0}\n"
           "line:\n"
           "  channel_id: \"2000000000\"\n"
           "  channel_secret: 8c570fa6dd201bb328f1c1eac23a96d8\n"
           "  friends:\n"
           "    - {userId: " +
           std::string(k_tanaka) + ", displayName: 田中, language: ja}\n";
}

line::ClientSettings settings_for(const test::SimProcess& sim) {
    line::ClientSettings settings;
    settings.api_base_url = sim.api_url();
    settings.data_base_url = sim.data_url();
    settings.timeout = std::chrono::seconds(5);
    return settings;
}

// The simulator, a client, a store and a copy of the shipped menus.
struct World {
    test::SimProcess sim{scenario()};
    test::TempDir dir;
    line::MessagingClient client{settings_for(sim),
                                 line::AccessToken::long_lived("musubi-sim-token")};
    std::shared_ptr<clock::ManualClock> clock =
        std::make_shared<clock::ManualClock>(1'795'000'000'000);
    std::unique_ptr<store::sqlite::SqliteRichMenus> store;
    std::unique_ptr<richmenus::Provisioner> provisioner;

    World() {
        const char* source_dir = std::getenv("MUSUBI_SOURCE_DIR"); // set by CTest
        BOOST_REQUIRE_MESSAGE(source_dir != nullptr, "MUSUBI_SOURCE_DIR is not set");
        const std::filesystem::path source(source_dir);
        std::filesystem::create_directories(dir / "templates");
        std::filesystem::copy(source / "templates" / "richmenus", dir / "templates" / "richmenus");
        std::filesystem::copy_file(source / "config" / "richmenus.yaml", dir / "richmenus.yaml");
        auto db = store::sqlite::open_connection(dir / "musubi.db", std::chrono::seconds(1));
        BOOST_REQUIRE(db);
        BOOST_REQUIRE(db->exec(store::sqlite::k_schema_v3_richmenus));
        store = std::make_unique<store::sqlite::SqliteRichMenus>(std::move(*db));
        richmenus::ProvisionerSettings settings;
        settings.retry_initial = std::chrono::seconds(30);
        provisioner = std::make_unique<richmenus::Provisioner>(client, *store, clock, settings);
    }

    richmenus::RichMenuSet menus() const {
        auto loaded =
            richmenus::load_rich_menus(dir / "richmenus.yaml", "richmenus.yaml", dir / "templates");
        BOOST_REQUIRE_MESSAGE(loaded, (loaded ? "" : loaded.error().to_string()));
        return *loaded;
    }
    richmenus::ProvisionReport provision() { return provisioner->provision(menus()); }

    json ledger() const { return sim.control_get("/_sim/line/ledger"); }
    // The menus on LINE: richMenuId → name.
    std::map<std::string, std::string> menus_on_line() const {
        std::map<std::string, std::string> result;
        const json all = ledger(); // kept alive for the loop
        for (const auto& menu : all["rich_menus"]) {
            BOOST_TEST(menu["hasImage"] == true);
            result[menu["richMenuId"].get<std::string>()] = menu["name"].get<std::string>();
        }
        return result;
    }
    std::string current(const std::string& name) const {
        auto id = store->current_id(name);
        BOOST_REQUIRE(id && *id);
        return **id;
    }
    // The next `count` create (and delete) calls are answered 429.
    void refuse_creates(int count, const std::string& family = "richmenu_create") const {
        sim.control_post("/_sim/line/faults", {{"burst_429", count}, {"endpoints", {family}}});
    }
    void append_to(const std::string& file, const std::string& bytes) const {
        std::ofstream out(dir / "templates" / "richmenus" / file, std::ios::app | std::ios::binary);
        out << bytes;
    }
};

std::vector<std::string> sorted(std::vector<std::string> names) {
    std::sort(names.begin(), names.end());
    return names;
}

const std::vector<std::string> k_all = {"guest", "linked", "vip", "vip-shop"};

} // namespace

BOOST_AUTO_TEST_SUITE(richmenus_provisioning)

BOOST_AUTO_TEST_CASE(the_first_pass_creates_every_menu_with_its_image_default_and_aliases) {
    World world;
    auto report = world.provision();
    BOOST_TEST(report.complete(), report.stopped_because);
    BOOST_TEST(sorted(report.created) == k_all, boost::test_tools::per_element());
    BOOST_TEST(report.moves.empty());

    const auto on_line = world.menus_on_line();
    BOOST_REQUIRE_EQUAL(on_line.size(), 4u);
    for (const auto& name : k_all) {
        BOOST_TEST(on_line.at(world.current(name)) == name);
    }
    const json ledger = world.ledger();
    BOOST_TEST(ledger["default_rich_menu"] == world.current("guest"));
    BOOST_TEST(ledger["aliases"] ==
               json({{"vip", world.current("vip")}, {"vip-shop", world.current("vip-shop")}}));
    // A friend with no menu of their own sees the default.
    BOOST_TEST(ledger["friends"][k_tanaka]["rich_menu"]["effective"] == world.current("guest"));
}

BOOST_AUTO_TEST_CASE(an_unchanged_set_makes_no_create_call) {
    World world;
    BOOST_REQUIRE(world.provision().complete());
    const auto before = world.menus_on_line();
    world.refuse_creates(100); // any create now would stop the pass
    auto report = world.provision();
    BOOST_TEST(report.complete(), report.stopped_because);
    BOOST_TEST(report.created.empty());
    BOOST_TEST(sorted(report.reused) == k_all, boost::test_tools::per_element());
    BOOST_TEST(world.menus_on_line() == before);
}

BOOST_AUTO_TEST_CASE(a_changed_picture_makes_a_new_menu_and_the_old_one_goes_after_retire) {
    World world;
    BOOST_REQUIRE(world.provision().complete());
    const std::string old_guest = world.current("guest");
    const std::string vip = world.current("vip");

    world.append_to("guest.png", "a changed picture");
    auto report = world.provision();
    BOOST_TEST(report.complete(), report.stopped_because);
    BOOST_TEST(report.created == std::vector<std::string>{"guest"},
               boost::test_tools::per_element());
    const std::string new_guest = world.current("guest");
    BOOST_TEST(new_guest != old_guest);
    BOOST_REQUIRE_EQUAL(report.moves.size(), 1u);
    BOOST_TEST(report.moves[0].name == "guest");
    BOOST_TEST(report.moves[0].from_id == old_guest);
    BOOST_TEST(report.moves[0].to_id == new_guest);
    BOOST_TEST(world.current("vip") == vip); // untouched

    // Until retired, the old menu stays on LINE for the friends still linked to it.
    BOOST_REQUIRE(world.client.link_rich_menu(k_tanaka, old_guest));
    auto on_line = world.menus_on_line();
    BOOST_TEST(on_line.size() == 5u);
    BOOST_TEST(on_line.count(old_guest) == 1u);
    BOOST_TEST(world.ledger()["default_rich_menu"] == new_guest);
    // The moves are remembered until retire(), also by the next pass.
    BOOST_TEST(world.provision().moves.size() == 1u);

    BOOST_REQUIRE(world.client.link_rich_menu(k_tanaka, new_guest)); // the reconciler's part
    auto retired = world.provisioner->retire(old_guest);
    BOOST_REQUIRE_MESSAGE(retired, (retired ? "" : retired.error().message));
    on_line = world.menus_on_line();
    BOOST_TEST(on_line.size() == 4u);
    BOOST_TEST(on_line.count(old_guest) == 0u);
    BOOST_TEST(world.store->pending_moves()->empty());
    BOOST_TEST(world.ledger()["friends"][k_tanaka]["rich_menu"]["linked"] == new_guest);

    auto current = world.provisioner->retire(new_guest);
    BOOST_REQUIRE(!current);
    BOOST_TEST(current.error().message == "menu " + new_guest + " is current for 'guest'");
}

BOOST_AUTO_TEST_CASE(a_429_on_create_stops_the_pass_and_the_retry_creates_each_menu_once) {
    World world;
    BOOST_REQUIRE(world.provision().complete());
    const std::string old_vip = world.current("vip");
    world.append_to("vip.png", "new season");

    world.refuse_creates(1);
    auto report = world.provision();
    BOOST_TEST(!report.complete());
    BOOST_TEST(report.retry_after->count() == 30'000);
    BOOST_TEST(report.stopped_because ==
               "menu 'vip': creating the menu: rate_limited (The API rate limit has been exceeded. "
               "Try again later.)");
    BOOST_TEST(world.current("vip") == old_vip);
    BOOST_TEST(world.menus_on_line().size() == 4u);

    world.refuse_creates(1);
    BOOST_TEST(world.provision().retry_after->count() == 60'000); // backing off

    report = world.provision();
    BOOST_TEST(report.complete(), report.stopped_because);
    BOOST_TEST(report.created == std::vector<std::string>{"vip"}, boost::test_tools::per_element());
    const auto on_line = world.menus_on_line();
    BOOST_TEST(on_line.size() == 5u); // one new vip menu, not two
    BOOST_TEST(world.ledger()["aliases"]["vip"] == world.current("vip"));
}

BOOST_AUTO_TEST_CASE(an_interrupted_upload_resumes_without_a_second_create) {
    World world;
    world.refuse_creates(1, "image_upload");
    auto report = world.provision();
    BOOST_TEST(!report.complete());
    BOOST_TEST(world.ledger()["rich_menus"].size() == 1u); // created, no image yet

    report = world.provision();
    BOOST_TEST(report.complete(), report.stopped_because);
    BOOST_TEST(world.menus_on_line().size() == 4u);
    BOOST_TEST(world.ledger()["default_rich_menu"] == world.current("guest"));
}

// --- Aliases are read, not inferred from an update's answer (issue 17)
namespace {

// An alias call to the simulated LINE API as another tool on the channel would make it.
int alias_call(const World& world, const std::string& method, const std::string& alias,
               const std::string& body = "") {
    Poco::Net::HTTPClientSession session("127.0.0.1",
                                         static_cast<Poco::UInt16>(world.sim.api_port()));
    Poco::Net::HTTPRequest request(method, "/v2/bot/richmenu/alias/" + alias,
                                   Poco::Net::HTTPMessage::HTTP_1_1);
    request.set("Authorization", "Bearer musubi-sim-token");
    request.setContentType("application/json");
    request.setContentLength(static_cast<std::streamsize>(body.size()));
    session.sendRequest(request) << body;
    Poco::Net::HTTPResponse response;
    session.receiveResponse(response).ignore(1 << 20);
    return static_cast<int>(response.getStatus());
}

} // namespace

BOOST_AUTO_TEST_CASE(an_alias_deleted_on_line_is_created_again_and_one_made_elsewhere_updated) {
    World world;
    BOOST_REQUIRE(world.provision().complete());
    const std::string old_vip = world.current("vip");
    // Someone deletes the alias on LINE; musubi's store still remembers it.
    BOOST_TEST(alias_call(world, "DELETE", "vip") == 200);
    BOOST_TEST(alias_call(world, "POST", "vip", R"({"richMenuId":")" + old_vip + R"("})") ==
               400); // LINE's update of a missing alias: 400, not 404
    world.append_to("vip.png", "new season");
    auto report = world.provision();
    BOOST_TEST(report.complete(), report.stopped_because);
    BOOST_TEST(world.current("vip") != old_vip);
    BOOST_TEST(world.ledger()["aliases"]["vip"] == world.current("vip"));

    // Another tool points the alias elsewhere after musubi forgot it: musubi reads it and
    // re-points it with an update.
    world.append_to("vip.png", "and again");
    BOOST_TEST(alias_call(world, "POST", "vip",
                          R"({"richMenuId":")" + world.current("guest") + R"("})") == 200);
    report = world.provision();
    BOOST_TEST(report.complete(), report.stopped_because);
    BOOST_TEST(world.ledger()["aliases"]["vip"] == world.current("vip"));
}

BOOST_AUTO_TEST_SUITE_END()
