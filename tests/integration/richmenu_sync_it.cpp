// Rich-menu switching end to end: a real musubid (segments, rich menus, the reconciler) follows
// musubi-sim's frozen clock. Friends follow, link in chat, order, tap a postback, block and come
// back on the simulated LINE; orders are made on the simulated RMS. Each case asserts the menu
// LINE holds for the friend (the simulator's per-user link) and what musubi recorded
// (friend_rich_menus, rich_menu_changes, rich_menus).
//
// Segments here (tests' own segments.yaml): vip (5 orders) → vip, fan (tag from a postback) →
// vip-shop, dormant (linked, no order for 90 days) → the default, linked → linked, guest → the
// default. The default (guest) is never linked per user: those friends are unlinked.

#include <thread>

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "connectors/line/messaging_client.hpp"
#include "support/musubid_process.hpp"
#include "support/sim_process.hpp"

using namespace musubi;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

constexpr const char* k_secret = "8c570fa6dd201bb328f1c1eac23a96d8";
constexpr const char* k_tanaka = "U0123456789abcdef0123456789abcdef";
constexpr const char* k_tanaka_phone = "090-1111-2201";

std::string sim_scenario() {
    return std::string("clock: {start: \"2026-11-24T10:00:00+0900\", speed: 0}\n"
                       "line:\n  channel_secret: ") +
           k_secret + "\n  friends:\n    - {userId: " + k_tanaka +
           ", displayName: 田中, language: ja}\n";
}

constexpr const char* k_segments = R"(segments:
  - name: vip
    when:
      orders.count: {gte: 5}
  - name: fan
    when:
      friend.tags: {contains: fan}
  - name: dormant
    when:
      friend.linked: true
      orders.days_since_last: {gte: 90}
  - name: linked
    when:
      friend.linked: true
  - name: guest
)";

constexpr const char* k_richmenus = R"(richmenus:
  - name: guest
    definition: richmenus/guest.json
    image: richmenus/guest.png
  - name: linked
    definition: richmenus/linked.json
    image: richmenus/linked.png
  - name: vip
    definition: richmenus/vip.json
    image: richmenus/vip.png
    alias: vip
  - name: vip-shop
    definition: richmenus/vip-shop.json
    image: richmenus/vip-shop.png
    alias: vip-shop
default: guest
segments:
  vip: vip
  fan: vip-shop
  dormant: guest
  linked: linked
  guest: guest
)";

// A postback button that tags the friend a fan (no message).
constexpr const char* k_fan_scenario = R"(scenario: fan-button
description: the menu's fan button
trigger: friend.postback
postback: action=fan
reentry: always
steps:
  - add_tags: [fan]
)";

// Starts musubid on its own folder with the segments, rich menus and postback scenario above;
// RMS and the clock at the simulator. Waits for its first RMS poll.
void start_musubid(test::MusubidProcess& musubid, const test::SimProcess& sim) {
    const auto& home = musubid.home();
    std::filesystem::create_directories(home / "config" / "scenarios");
    musubid.copy_shipped("config/carriers.yaml");
    musubid.copy_shipped("templates");
    home.write("config/segments.yaml", k_segments);
    home.write("config/richmenus.yaml", k_richmenus);
    home.write("config/scenarios/fan-button.yaml", k_fan_scenario);
    test::MusubidConfig config;
    config.channel_secret = k_secret;
    config.rakuten = true;
    config.follow_clock = true;
    config.extra = "segments: segments.yaml\n"
                   "richmenus: richmenus.yaml\n"
                   "richmenu_sync: {interval: 1s, spot_check_interval: 1h, "
                   "spot_check_size: 100}\n";
    musubid.start(sim, config);
    musubid.wait_ready();
    musubid.wait_for_log("event=poll.done");
}

class Shop {
public:
    Shop()
        : sim(sim_scenario()) {
        const auto past = sim.control_post(
            "/_sim/rakuten/orders",
            {{"buyer",
              {{"phone", k_tanaka_phone}, {"familyName", "田中"}, {"firstName", "はなこ"}}},
             {"orderDatetime", "2026-11-14T10:00:00+0900"},
             {"progress", 700}});
        past_order = past["orderNumber"];
        start_musubid(musubid, sim);
        sim.control_post("/_sim/line/config", {{"webhook_url", musubid.webhook_url()}});
        // Provisioned at start: every menu current, guest the default for all.
        wait_for("SELECT count(*) FROM rich_menus WHERE state = 'current'", "4");
    }

    void act(const std::string& action, const json& body = json::object()) {
        const auto answer =
            sim.control_post("/_sim/line/friends/" + std::string(k_tanaka) + "/" + action, body);
        for (const auto& delivery : answer["deliveries"]) {
            BOOST_REQUIRE_MESSAGE(delivery["status"] == 200, "webhook answered " << delivery);
        }
    }
    void set_clock(const std::string& jst) {
        sim.control_post("/_sim/clock", {{"set", jst}});
        std::this_thread::sleep_for(250ms); // musubid reads the clock at most 200 ms late
    }

    void wait_for(const std::string& sql, const std::string& expected) {
        std::string got;
        BOOST_REQUIRE_MESSAGE(musubid.wait_for_value(sql, expected, 20s, got),
                              sql << " answered " << got << ", expected " << expected
                                  << "; musubid log:\n"
                                  << musubid.log());
    }

    std::string current_id(const std::string& menu) {
        const auto ids = musubid.column("SELECT rich_menu_id FROM rich_menus WHERE name = '" +
                                        menu + "' AND state = 'current'");
        BOOST_REQUIRE_EQUAL(ids.size(), 1U);
        return ids[0];
    }
    // The per-user menu LINE holds for Tanaka ("" for none).
    std::string linked_on_line() {
        const auto ledger = sim.control_get("/_sim/line/ledger/" + std::string(k_tanaka));
        const auto& linked = ledger["rich_menu"]["linked"];
        return linked.is_null() ? std::string() : linked.get<std::string>();
    }
    // Waits until LINE holds `expected` for Tanaka (bulk calls apply within a moment).
    void wait_on_line(const std::string& expected) {
        std::string got;
        for (int i = 0; i < 800; ++i) {
            got = linked_on_line();
            if (got == expected) {
                return;
            }
            std::this_thread::sleep_for(25ms);
        }
        BOOST_FAIL("LINE holds '" << got << "' for the friend, expected '" << expected
                                  << "'; musubid log:\n"
                                  << musubid.log());
    }
    // The last change musubi recorded for the friend: "from|to|why" (empty for none/default).
    std::string last_change() {
        const auto rows = musubid.column(
            "SELECT coalesce(from_menu, '') || '|' || coalesce(to_menu, '') || '|' || why FROM "
            "rich_menu_changes ORDER BY id DESC LIMIT 1");
        return rows.empty() ? std::string() : rows[0];
    }

    void follow_and_link() {
        act("follow");
        wait_for("SELECT segment FROM friend_segments", "guest");
        act("text", {{"text", "注文番号は " + past_order + " です"}});
        wait_for("SELECT count(*) FROM webhook_events WHERE processed_at IS NULL", "0");
        act("text", {{"text", "2201"}});
        wait_for("SELECT count(*) FROM links WHERE unlinked_at IS NULL", "1");
    }
    void order() {
        sim.control_post(
            "/_sim/rakuten/orders",
            {{"buyer", {{"phone", k_tanaka_phone}}}, {"totalPrice", 3800}, {"progress", 300}});
    }

    // The sim's own API, as another tool (or LINE itself) would change a user's menu.
    line::MessagingClient line_api() {
        line::ClientSettings settings;
        settings.api_base_url = sim.api_url();
        settings.data_base_url = sim.data_url();
        return line::MessagingClient(settings, line::AccessToken::long_lived("musubi-sim-token"));
    }

    test::SimProcess sim;
    test::MusubidProcess musubid{"richmenu-sync"};
    std::string past_order;
};

} // namespace

BOOST_AUTO_TEST_CASE(a_guest_who_links_moves_to_linked_and_back_to_the_default_after_90_days) {
    Shop shop;
    shop.act("follow");
    shop.wait_for("SELECT segment FROM friend_segments", "guest");
    // A guest sees LINE's default menu: no per-user link at all.
    const auto ledger = shop.sim.control_get("/_sim/line/ledger");
    BOOST_TEST(ledger["default_rich_menu"] == shop.current_id("guest"));
    BOOST_TEST(shop.linked_on_line() == "");

    shop.follow_and_link();
    shop.wait_on_line(shop.current_id("linked"));
    shop.wait_for("SELECT menu FROM friend_rich_menus", "linked");
    BOOST_TEST(shop.last_change() == "|linked|segment linked");

    // The past order was on 2026-11-14: 90 days later, with no new fact, dormant → default.
    shop.set_clock("2027-02-13T10:00:00+0900");
    shop.wait_for("SELECT segment FROM friend_segments", "dormant");
    shop.wait_on_line("");
    shop.wait_for("SELECT count(*) FROM rich_menu_changes", "2");
    BOOST_TEST(shop.last_change() == "linked||segment dormant");
}

BOOST_AUTO_TEST_CASE(a_fifth_order_moves_a_friend_to_vip) {
    Shop shop;
    shop.follow_and_link();
    shop.wait_on_line(shop.current_id("linked"));
    for (int i = 0; i < 3; ++i) {
        shop.order();
    }
    shop.wait_for("SELECT count(*) FROM orders", "4");
    shop.wait_for("SELECT segment FROM friend_segments", "linked");
    shop.order(); // the fifth
    shop.wait_for("SELECT segment FROM friend_segments", "vip");
    shop.wait_on_line(shop.current_id("vip"));
    shop.wait_for("SELECT menu FROM friend_rich_menus", "vip");
    BOOST_TEST(shop.last_change() == "linked|vip|segment vip");
}

BOOST_AUTO_TEST_CASE(a_tag_from_a_postback_moves_a_friend) {
    Shop shop;
    shop.act("follow");
    shop.act("postback", {{"data", "action=fan"}});
    shop.wait_for("SELECT segment FROM friend_segments", "fan");
    shop.wait_on_line(shop.current_id("vip-shop"));
    shop.wait_for("SELECT menu FROM friend_rich_menus", "vip-shop");
    BOOST_TEST(shop.last_change() == "|vip-shop|segment fan");
}

BOOST_AUTO_TEST_CASE(a_changed_image_makes_a_new_menu_moves_everyone_and_deletes_the_old_one) {
    Shop shop;
    shop.follow_and_link();
    const auto old_id = shop.current_id("linked");
    shop.wait_on_line(old_id);

    std::filesystem::copy_file(shop.musubid.home().path() / "templates" / "richmenus" / "vip.png",
                               shop.musubid.home().path() / "templates" / "richmenus" /
                                   "linked.png",
                               std::filesystem::copy_options::overwrite_existing);
    shop.musubid.reload();
    shop.wait_for("SELECT state FROM rich_menus WHERE rich_menu_id = '" + old_id + "'", "retired");
    const auto new_id = shop.current_id("linked");
    BOOST_TEST(new_id != old_id);
    shop.wait_on_line(new_id);
    BOOST_TEST(shop.last_change() == "linked|linked|menu linked replaced");
    // Gone from LINE.
    const auto ledger = shop.sim.control_get("/_sim/line/ledger");
    for (const auto& menu : ledger["rich_menus"]) {
        BOOST_TEST(menu["richMenuId"] != old_id);
    }
}

BOOST_AUTO_TEST_CASE(unblock_re_links_and_the_spot_check_repairs_drift) {
    Shop shop;
    shop.follow_and_link();
    const auto linked = shop.current_id("linked");
    shop.wait_on_line(linked);

    // Blocked: LINE dropped the per-user menu meanwhile. Back again: musubi links it again.
    shop.act("unfollow");
    shop.wait_for("SELECT stale FROM friend_rich_menus", "1");
    auto api = shop.line_api();
    BOOST_REQUIRE(api.unlink_rich_menu(k_tanaka).has_value());
    shop.act("follow");
    shop.wait_on_line(linked);
    shop.wait_for("SELECT stale FROM friend_rich_menus", "0");
    BOOST_TEST(shop.last_change() == "linked|linked|followed again");

    // Someone links the vip menu by hand: not reachable from `linked` by its tabs, so drift.
    BOOST_REQUIRE(api.link_rich_menu(k_tanaka, shop.current_id("vip")).has_value());
    shop.set_clock("2026-11-24T11:05:00+0900"); // the spot check is due every hour
    shop.wait_on_line(linked);
    shop.wait_for("SELECT why FROM rich_menu_changes ORDER BY id DESC LIMIT 1", "drift");
    BOOST_TEST(shop.last_change() == "vip|linked|drift");
}
