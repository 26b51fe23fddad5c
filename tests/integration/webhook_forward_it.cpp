// webhook.forward (issue 17, "Sharing the channel with other tools"): a real musubid passes
// every verified webhook body on to another tool on the same LINE channel. The other tool is a
// small HTTP server in this test that checks LINE's signature with the channel secret using
// its own HMAC (OpenSSL, not musubi's code) and records what it got. Each case compares that
// with the exact bytes musubi-sim signed and sent (its `raw_body`): the same bytes, in the order
// received, none missing — across a SIGKILL of musubid (the one body whose delivery was in
// flight at the kill may arrive twice, nothing else), and with the tool down for an hour of
// musubi's (the simulator's) clock. An event-type filter is respected, and a body the tool never
// takes is given up after webhook.forward_give_up_after.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <Poco/StreamCopier.h>
#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "support/musubid_process.hpp"
#include "support/sim_process.hpp"
#include "support/webhook_receiver.hpp"

using namespace musubi;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

constexpr const char* k_secret = test::k_receiver_secret;
using test::eventually;
using test::Received;
using Receiver = test::WebhookReceiver;

std::string user(int n) {
    char id[40];
    std::snprintf(id, sizeof id, "U%032x", n + 0xf0000);
    return id;
}

// musubid with the shipped scenarios and templates and `forward` as its webhook.forward list.
struct Daemon {
    test::SimProcess sim;
    test::MusubidProcess musubid{"webhook-forward"};
    test::MusubidConfig config;

    Daemon(const std::string& forward, const std::string& more_webhook_keys = {},
           const std::string& sim_clock = "")
        : sim(sim_clock + "line:\n  channel_secret: " + std::string(k_secret) + "\n") {
        musubid.copy_shipped("config/scenarios");
        musubid.copy_shipped("templates");
        config.channel_secret = k_secret;
        config.follow_clock = !sim_clock.empty();
        config.webhook_options =
            "forward: " + forward + (more_webhook_keys.empty() ? "" : ", " + more_webhook_keys);
        start();
    }
    void start() {
        musubid.start(sim, config);
        musubid.wait_ready();
        sim.control_post("/_sim/line/config", {{"webhook_url", musubid.webhook_url()}});
    }
    // A friend action; the raw body LINE sent when musubid answered it 200, else nothing.
    std::optional<std::string> act(const std::string& who, const std::string& action,
                                   const json& body = json::object()) {
        const json answer = sim.control_post("/_sim/line/friends/" + who + "/" + action, body);
        const auto& deliveries = answer.value("deliveries", json::array());
        if (deliveries.empty() || deliveries.back().value("status", 0) != 200) {
            return std::nullopt;
        }
        return answer.at("raw_body").get<std::string>();
    }
    std::string metrics() const { return admin_get("/metrics"); }
    std::string admin_get(const std::string& path) const {
        Poco::Net::HTTPClientSession session("127.0.0.1",
                                             static_cast<Poco::UInt16>(musubid.admin_port()));
        Poco::Net::HTTPRequest request("GET", path, Poco::Net::HTTPMessage::HTTP_1_1);
        request.set("Authorization", "Bearer " + config.admin_token);
        session.sendRequest(request);
        Poco::Net::HTTPResponse response;
        std::string text;
        Poco::StreamCopier::copyToString(session.receiveResponse(response), text);
        return text;
    }
    std::int64_t queued() const { return musubid.count("SELECT count(*) FROM webhook_forwards"); }
};

std::vector<std::string> bodies(const std::vector<Received>& received) {
    std::vector<std::string> out;
    for (const auto& got : received) {
        out.push_back(got.body);
    }
    return out;
}

void require_signed(const std::vector<Received>& received) {
    for (const auto& got : received) {
        BOOST_TEST(got.signature_ok);
        BOOST_TEST(got.content_type == "application/json; charset=utf-8");
    }
}

} // namespace

BOOST_AUTO_TEST_CASE(every_body_as_line_sent_it_with_the_event_filter) {
    Receiver all;
    Receiver chat;
    Daemon daemon("[{url: \"" + all.url() + "\"}, {url: \"" + chat.url("/line?tool=chat") +
                  "\", events: [message, postback]}]");

    std::vector<std::string> sent;     // every body musubid took, in order
    std::vector<std::string> for_chat; // those with a message or postback event
    const auto take = [&](std::optional<std::string> body, bool chat_event) {
        BOOST_REQUIRE(body);
        sent.push_back(*body);
        if (chat_event) {
            for_chat.push_back(*body);
        }
    };
    take(daemon.act(user(1), "follow", {{"displayName", "田中"}}), false);
    take(daemon.act(user(1), "text", {{"text", "こんにちは 🙂 \"quoted\" \\ back"}}), true);
    take(daemon.act(user(2), "follow"), false);
    take(daemon.act(user(2), "postback", {{"data", "action=coupon&id=7"}}), true);
    take(daemon.act(user(1), "unfollow"), false);

    // One body with a follow and a message: the chat tool gets it whole (the signature covers
    // the whole body), the follow included.
    const auto f =
        daemon.sim.control_post("/_sim/line/friends/" + user(3) + "/follow", {{"send", false}});
    const auto t = daemon.sim.control_post("/_sim/line/friends/" + user(3) + "/text",
                                           {{"text", "注文番号です"}, {"send", false}});
    const auto both =
        daemon.sim.control_post("/_sim/line/webhooks/send",
                                {{"webhookEventIds", {f["webhookEventId"], t["webhookEventId"]}}});
    BOOST_REQUIRE(both["deliveries"][0]["status"] == 200);
    take(both["raw_body"].get<std::string>(), true);

    // Not passed on: a forged body (401), LINE's connection check (no events), and a
    // redelivery of events musubid already has (their bodies went already).
    BOOST_TEST(!daemon.act(user(2), "text", {{"text", "forged"}, {"bad_signature", true}}));
    daemon.sim.control_post("/_sim/line/webhooks/verify");
    const auto again = daemon.sim.control_post(
        "/_sim/line/webhooks/" + t["webhookEventId"].get<std::string>() + "/redeliver");
    BOOST_REQUIRE(again["deliveries"][0]["status"] == 200);
    // A last body, so that "nothing more came" is known once it is there.
    take(daemon.act(user(2), "text", {{"text", "最後"}}), true);

    BOOST_REQUIRE(eventually([&] { return all.count() >= sent.size(); }));
    BOOST_REQUIRE(eventually([&] { return chat.count() >= for_chat.size(); }));
    BOOST_REQUIRE(eventually([&] { return daemon.queued() == 0; }));
    std::this_thread::sleep_for(300ms);
    BOOST_TEST(bodies(all.received()) == sent, boost::test_tools::per_element());
    BOOST_TEST(bodies(chat.received()) == for_chat, boost::test_tools::per_element());
    require_signed(all.received());
    require_signed(chat.received());

    const auto metrics = daemon.metrics();
    BOOST_TEST(metrics.find("musubi_webhook_forwarded_total{target=\"" + all.url() + "\"} " +
                            std::to_string(sent.size())) != std::string::npos);
    // The label leaves the query out (it may carry the other tool's token).
    BOOST_TEST(metrics.find("musubi_webhook_forwarded_total{target=\"" + chat.url("/line") +
                            "\"} " + std::to_string(for_chat.size())) != std::string::npos);
    BOOST_TEST(metrics.find("musubi_webhook_forward_queue{target=\"" + all.url() + "\"} 0") !=
               std::string::npos);
    // The status page's line per tool, and the same numbers in /status.json.
    const auto status = json::parse(daemon.admin_get("/status.json"));
    BOOST_REQUIRE(status.contains("forward"));
    BOOST_TEST(status["forward"][0]["target"] == all.url());
    BOOST_TEST(status["forward"][0]["forwarded"] == sent.size());
    BOOST_TEST(status["forward"][1]["forwarded"] == for_chat.size());
    BOOST_TEST(status["forward"][1]["queued"] == 0);
    const auto page = daemon.admin_get("/");
    BOOST_TEST(page.find("Webhook の転送") != std::string::npos);
    BOOST_TEST(page.find("data-metric=\"forward.forwarded\" data-key=\"" + all.url() + "\">" +
                         std::to_string(sent.size())) != std::string::npos);
    BOOST_TEST(daemon.musubid.stop() == 0);
}

BOOST_AUTO_TEST_CASE(across_a_sigkill_every_body_arrives_and_only_the_one_in_flight_twice) {
    Receiver tool;
    tool.hold_from(5); // the 6th body's answer is held: musubid is killed while it waits
    Daemon daemon("[{url: \"" + tool.url() + "\"}]");
    std::vector<std::string> sent;
    for (int i = 0; i < 30; ++i) {
        auto body =
            daemon.act(user(100 + i % 4), "text", {{"text", "メッセージ " + std::to_string(i)}});
        BOOST_REQUIRE(body);
        sent.push_back(*body);
    }
    BOOST_REQUIRE(eventually([&] { return tool.count() >= 6; }));
    daemon.musubid.kill();
    tool.release();
    std::this_thread::sleep_for(300ms);
    const std::size_t before_kill = tool.count();
    BOOST_TEST(before_kill == 6u);

    daemon.start();
    BOOST_REQUIRE(eventually([&] { return daemon.queued() == 0; }));
    std::this_thread::sleep_for(300ms);
    const auto got = bodies(tool.received());
    require_signed(tool.received());

    // Before the kill: the first bodies, in order.
    const std::vector<std::string> first(got.begin(), got.begin() + before_kill);
    BOOST_TEST(first == std::vector<std::string>(sent.begin(), sent.begin() + before_kill),
               boost::test_tools::per_element());
    // After it: the rest in order, starting again with the body that was in flight (the tool
    // had it, musubid had no 2xx for it) — the only body that may arrive twice — or after it.
    const std::vector<std::string> rest(got.begin() + before_kill, got.end());
    const std::vector<std::string> from_next(sent.begin() + before_kill, sent.end());
    const std::vector<std::string> from_last(sent.begin() + before_kill - 1, sent.end());
    BOOST_TEST((rest == from_next || rest == from_last));
    BOOST_TEST(rest == from_last); // here the 2xx never left the tool: it must come again
    BOOST_TEST(got.size() == sent.size() + 1);
    BOOST_TEST(daemon.musubid.stop() == 0);
}

BOOST_AUTO_TEST_CASE(a_tool_down_for_an_hour_gets_everything_in_order_when_back) {
    Receiver tool;
    tool.down();
    // 600× the simulator's clock: an hour of musubi's time in 6 s.
    Daemon daemon("[{url: \"" + tool.url() + "\"}]", "forward_retry_max: 5m",
                  "clock: {speed: 600}\n");
    const auto now = [&] { return daemon.sim.control_get("/_sim/clock")["epoch_ms"].get<long>(); };
    const auto down_since = now();
    std::vector<std::string> sent;
    while (now() - down_since < 3'600'000) {
        auto body = daemon.act(user(200 + static_cast<int>(sent.size() % 3)), "text",
                               {{"text", "停止中 " + std::to_string(sent.size())}});
        BOOST_REQUIRE(body);
        sent.push_back(*body);
        std::this_thread::sleep_for(400ms);
    }
    BOOST_TEST(tool.count() == 0u);
    BOOST_TEST(daemon.queued() == static_cast<std::int64_t>(sent.size()));
    const auto metrics = daemon.metrics();
    BOOST_TEST(metrics.find("musubi_webhook_forward_retrying{target=\"" + tool.url() + "\"} 1") !=
               std::string::npos);
    BOOST_TEST(metrics.find("musubi_webhook_forward_queue{target=\"" + tool.url() + "\"} " +
                            std::to_string(sent.size())) != std::string::npos);

    tool.up();
    BOOST_REQUIRE(eventually([&] { return daemon.queued() == 0; }));
    std::this_thread::sleep_for(300ms);
    BOOST_TEST(bodies(tool.received()) == sent, boost::test_tools::per_element());
    require_signed(tool.received());
    BOOST_TEST(daemon.musubid.log().find("event=webhook.forward_failed") != std::string::npos);
    BOOST_TEST(daemon.musubid.log().find("event=webhook.forward_given_up") == std::string::npos);
    BOOST_TEST(daemon.musubid.stop() == 0);
}

BOOST_AUTO_TEST_CASE(a_body_never_taken_is_given_up_logged_and_counted) {
    Receiver tool;
    tool.down();
    Daemon daemon("[{url: \"" + tool.url() + "\"}]", "forward_give_up_after: 10m",
                  "clock: {speed: 600}\n");
    BOOST_REQUIRE(daemon.act(user(300), "text", {{"text", "届かない"}}));
    BOOST_REQUIRE(daemon.act(user(300), "text", {{"text", "これも"}}));
    BOOST_REQUIRE(eventually([&] { return daemon.queued() == 0; }));
    BOOST_TEST(daemon.metrics().find("musubi_webhook_forward_given_up_total{target=\"" +
                                     tool.url() + "\"} 2") != std::string::npos);
    const auto log = daemon.musubid.log();
    BOOST_TEST(log.find("event=webhook.forward_given_up") != std::string::npos);
    BOOST_TEST(log.find("届かない") == std::string::npos); // never the body in a log line
    tool.up();
    std::this_thread::sleep_for(300ms);
    BOOST_TEST(tool.count() == 0u);
    BOOST_TEST(daemon.musubid.stop() == 0);
}
