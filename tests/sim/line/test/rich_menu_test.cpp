// Rich menus: create, image on the data host, default, per-user and bulk links, aliases.

#include <thread>

#include <boost/test/unit_test.hpp>

#include "support.hpp"

using namespace musubi::sim::line::test;
using nlohmann::json;

namespace {

json menu(const std::string& chat_bar = "メニュー") {
    return {
        {"size", {{"width", 2500}, {"height", 843}}},
        {"selected", true},
        {"name", "linked"},
        {"chatBarText", chat_bar},
        {"areas",
         {{{"bounds", {{"x", 0}, {"y", 0}, {"width", 1250}, {"height", 843}}},
           {"action",
            {{"type", "richmenuswitch"}, {"richMenuAliasId", "vip"}, {"data", "switch=vip"}}}}}}};
}

std::string create(Sim& sim) {
    auto response = sim.api("POST", "/v2/bot/richmenu", menu());
    BOOST_REQUIRE(response.status == 200);
    return body_of(response)["richMenuId"].get<std::string>();
}

musubi::sim::Response upload(Sim& sim, const std::string& id, const std::string& image,
                             const std::string& type = "image/png",
                             const std::string& listener = "data") {
    return sim.call("POST", "/v2/bot/richmenu/" + id + "/content", image,
                    {{"Authorization", std::string("Bearer ") + k_token}, {"Content-Type", type}},
                    listener);
}

Sim with_friends() {
    return Sim(std::string("line:\n  bulk_delay: 20ms\n  friends:\n    - {userId: ") + k_user +
               "}\n    - {userId: " + k_other + "}\n");
}

} // namespace

BOOST_AUTO_TEST_SUITE(line_rich_menus)

BOOST_AUTO_TEST_CASE(create_checks_the_object) {
    Sim sim;
    auto response = sim.api("POST", "/v2/bot/richmenu", menu("十五文字を超えるチャットバーの文言"));
    BOOST_TEST(response.status == 400);
    BOOST_TEST(
        body_of(response) ==
        json({{"message", "The request body has 1 error(s)"},
              {"details",
               {{{"message", "Length must be between 0 and 14"}, {"property", "chatBarText"}}}}}));
    auto narrow = menu();
    narrow["size"] = {{"width", 1000}, {"height", 1000}};
    BOOST_TEST(body_of(sim.api("POST", "/v2/bot/richmenu", narrow))["details"][0]["property"] ==
               "size");
    auto id = create(sim);
    BOOST_TEST(id.starts_with("richmenu-"));
    auto fetched = body_of(sim.api("GET", "/v2/bot/richmenu/" + id, nullptr));
    BOOST_TEST(fetched["richMenuId"] == id);
    BOOST_TEST(fetched["chatBarText"] == "メニュー");
}

BOOST_AUTO_TEST_CASE(image_goes_to_the_data_host_once) {
    Sim sim;
    auto id = create(sim);
    BOOST_TEST(upload(sim, id, png(2500, 843), "image/png", "api").status == 404);
    auto wrong_type = upload(sim, id, png(2500, 843), "image/gif");
    BOOST_TEST(wrong_type.status == 415);
    auto too_small = upload(sim, id, png(700, 400));
    BOOST_TEST(too_small.status == 400);
    auto too_big = upload(sim, id, png(2500, 843) + std::string(1024 * 1024, 'x'));
    BOOST_TEST(too_big.status == 413);
    BOOST_TEST(upload(sim, id, png(2500, 843)).status == 200);
    auto again = upload(sim, id, png(2500, 843));
    BOOST_TEST(again.status == 400);
    BOOST_TEST(body_of(again) ==
               json({{"message", "An image has already been uploaded to the richmenu"}}));
    auto download = sim.call("GET", "/v2/bot/richmenu/" + id + "/content", "",
                             {{"Authorization", std::string("Bearer ") + k_token}}, "data");
    BOOST_TEST(download.status == 200);
    BOOST_TEST(download.content_type == "image/png");
    BOOST_TEST(download.body == png(2500, 843));
    BOOST_TEST(upload(sim, "richmenu-00000000000000000000000000000000", png(2500, 843)).status ==
               404);
}

BOOST_AUTO_TEST_CASE(per_user_link_needs_an_image_and_shows_in_the_ledger) {
    auto sim = with_friends();
    auto id = create(sim);
    auto link_path = std::string("/v2/bot/user/") + k_user + "/richmenu/" + id;
    auto early = sim.api("POST", link_path, nullptr);
    BOOST_TEST(early.status == 400);
    BOOST_TEST(body_of(early) ==
               json({{"message", "must upload richmenu image before applying it to user"}}));
    upload(sim, id, png(2500, 843));
    BOOST_TEST(sim.api("POST", link_path, nullptr).status == 200);
    BOOST_TEST(body_of(sim.api("GET", std::string("/v2/bot/user/") + k_user + "/richmenu",
                               nullptr)) == json({{"richMenuId", id}}));
    BOOST_TEST(sim.ledger(k_user)["rich_menu"]["linked"] == id);
    BOOST_TEST(
        sim.api("DELETE", std::string("/v2/bot/user/") + k_user + "/richmenu", nullptr).status ==
        200);
    BOOST_TEST(
        sim.api("GET", std::string("/v2/bot/user/") + k_user + "/richmenu", nullptr).status == 404);
    BOOST_TEST(sim.ledger(k_user)["rich_menu"]["linked"].is_null());
    BOOST_TEST(sim.api("POST",
                       std::string("/v2/bot/user/") + k_user +
                           "/richmenu/richmenu-00000000000000000000000000000000",
                       nullptr)
                   .status == 404);
}

BOOST_AUTO_TEST_CASE(default_menu_is_the_effective_one_without_a_link) {
    auto sim = with_friends();
    auto id = create(sim);
    BOOST_TEST(sim.api("POST", "/v2/bot/user/all/richmenu/" + id, nullptr).status == 400);
    upload(sim, id, png(2500, 843));
    BOOST_TEST(sim.api("POST", "/v2/bot/user/all/richmenu/" + id, nullptr).status == 200);
    BOOST_TEST(body_of(sim.api("GET", "/v2/bot/user/all/richmenu", nullptr)) ==
               json({{"richMenuId", id}}));
    BOOST_TEST(sim.ledger(k_user)["rich_menu"]["effective"] == id);
    BOOST_TEST(sim.ledger(k_user)["rich_menu"]["linked"].is_null());
}

BOOST_AUTO_TEST_CASE(bulk_link_is_202_and_applies_a_moment_later) {
    auto sim = with_friends();
    auto id = create(sim);
    upload(sim, id, png(2500, 843));
    auto response = sim.api("POST", "/v2/bot/richmenu/bulk/link",
                            {{"richMenuId", id}, {"userIds", {k_user, k_other}}});
    BOOST_TEST(response.status == 202);
    BOOST_TEST(response.body == "{}");
    sim.service->tick();
    BOOST_TEST(sim.ledger(k_user)["rich_menu"]["linked"].is_null());
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    sim.service->tick();
    BOOST_TEST(sim.ledger(k_user)["rich_menu"]["linked"] == id);
    BOOST_TEST(sim.ledger(k_other)["rich_menu"]["linked"] == id);
    BOOST_TEST(sim.api("POST", "/v2/bot/richmenu/bulk/unlink", {{"userIds", {k_user}}}).status ==
               202);
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    sim.service->tick();
    BOOST_TEST(sim.ledger(k_user)["rich_menu"]["linked"].is_null());
    BOOST_TEST(sim.ledger(k_other)["rich_menu"]["linked"] == id);
    auto empty = sim.api("POST", "/v2/bot/richmenu/bulk/unlink", {{"userIds", json::array()}});
    BOOST_TEST(empty.status == 400);
    BOOST_TEST(body_of(empty)["details"][0] ==
               json({{"message", "Size must be between 1 and 500"}, {"property", "userIds"}}));
}

BOOST_AUTO_TEST_CASE(aliases_create_repoint_and_conflict) {
    Sim sim;
    auto first = create(sim);
    auto second = create(sim);
    upload(sim, first, png(2500, 843));
    upload(sim, second, png(2500, 843));
    BOOST_TEST(sim.api("POST", "/v2/bot/richmenu/alias",
                       {{"richMenuAliasId", "vip"}, {"richMenuId", first}})
                   .status == 200);
    auto conflict = sim.api("POST", "/v2/bot/richmenu/alias",
                            {{"richMenuAliasId", "vip"}, {"richMenuId", second}});
    BOOST_TEST(conflict.status == 400);
    BOOST_TEST(body_of(conflict) == json({{"message", "conflict richmenu alias id"}}));
    BOOST_TEST(sim.api("POST", "/v2/bot/richmenu/alias",
                       {{"richMenuAliasId", "VIP!"}, {"richMenuId", first}})
                   .status == 400);
    BOOST_TEST(sim.api("POST", "/v2/bot/richmenu/alias/vip", {{"richMenuId", second}}).status ==
               200);
    BOOST_TEST(body_of(sim.api("GET", "/v2/bot/richmenu/alias/vip", nullptr)) ==
               json({{"richMenuAliasId", "vip"}, {"richMenuId", second}}));
    BOOST_TEST(sim.api("DELETE", "/v2/bot/richmenu/" + second, nullptr).status == 200);
    BOOST_TEST(sim.api("GET", "/v2/bot/richmenu/alias/vip", nullptr).status == 404);
}

BOOST_AUTO_TEST_SUITE_END()
