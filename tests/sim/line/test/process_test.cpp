// The real musubi-sim process on port 0: HTTP, keep-alive, the data listener, dropped
// connections, and friends whose signed webhooks reach a receiver in this test.

#include <mutex>

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/StreamCopier.h>
#include <boost/test/unit_test.hpp>

#include "line/ids.hpp"
#include "support.hpp"

using namespace musubi::sim::line;
using namespace musubi::sim::line::test;
using nlohmann::json;

namespace {

constexpr const char* k_secret = "8c570fa6dd201bb328f1c1eac23a96d8";

struct Received {
    std::string body;
    std::string signature;
};

// Plays musubi's webhook endpoint: records what arrives and answers 200.
class Receiver {
public:
    Receiver()
        : m_server(new Factory(*this),
                   Poco::Net::ServerSocket(Poco::Net::SocketAddress("127.0.0.1", 0)),
                   new Poco::Net::HTTPServerParams) {
        m_server.start();
    }
    ~Receiver() { m_server.stopAll(true); }

    std::string url() const {
        return "http://127.0.0.1:" + std::to_string(m_server.port()) + "/webhook";
    }
    std::vector<Received> received() {
        std::lock_guard lock(m_mutex);
        return m_received;
    }

private:
    class Handler : public Poco::Net::HTTPRequestHandler {
    public:
        explicit Handler(Receiver& owner)
            : m_owner(owner) {}
        void handleRequest(Poco::Net::HTTPServerRequest& request,
                           Poco::Net::HTTPServerResponse& response) override {
            Received got;
            Poco::StreamCopier::copyToString(request.stream(), got.body);
            got.signature = request.get("x-line-signature", "");
            {
                std::lock_guard lock(m_owner.m_mutex);
                m_owner.m_received.push_back(got);
            }
            response.setContentType("application/json");
            response.send() << "{}";
        }

    private:
        Receiver& m_owner;
    };
    class Factory : public Poco::Net::HTTPRequestHandlerFactory {
    public:
        explicit Factory(Receiver& owner)
            : m_owner(owner) {}
        Poco::Net::HTTPRequestHandler*
        createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
            return new Handler(m_owner);
        }

    private:
        Receiver& m_owner;
    };

    std::mutex m_mutex;
    std::vector<Received> m_received;
    Poco::Net::HTTPServer m_server;
};

Headers auth() {
    return {{"Authorization", std::string("Bearer ") + k_token},
            {"Content-Type", "application/json"}};
}

std::string scenario(const std::string& webhook_url) {
    return "line:\n  webhook_url: " + webhook_url + "\n  friends:\n    - {userId: " + k_user +
           ", displayName: 田中}\n";
}

json event_of(const Received& received) {
    return json::parse(received.body)["events"][0];
}

} // namespace

BOOST_AUTO_TEST_SUITE(sim_process)

BOOST_AUTO_TEST_CASE(listens_on_port_zero_and_reports_the_port) {
    SimProcess sim;
    BOOST_TEST(sim.api_port() > 0);
    BOOST_TEST(sim.data_port() > 0);
    BOOST_TEST(sim.first_line().starts_with("musubi-sim listening on http://127.0.0.1:" +
                                            std::to_string(sim.api_port())));
    auto health = sim.request("GET", "/_sim/health");
    BOOST_TEST(health.status == 200);
    BOOST_TEST(json::parse(health.body)["ports"]["data"] == sim.data_port());
}

BOOST_AUTO_TEST_CASE(keep_alive_serves_many_requests_on_one_connection) {
    SimProcess sim(scenario("http://127.0.0.1:9/"));
    Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(sim.api_port()));
    session.setKeepAlive(true);
    for (int i = 0; i < 3; ++i) {
        auto body = json{{"to", k_user}, {"messages", {text("m" + std::to_string(i))}}}.dump();
        Poco::Net::HTTPRequest request("POST", "/v2/bot/message/push",
                                       Poco::Net::HTTPMessage::HTTP_1_1);
        request.setKeepAlive(true);
        request.set("Authorization", std::string("Bearer ") + k_token);
        request.setContentType("application/json");
        request.setContentLength64(static_cast<Poco::Int64>(body.size()));
        session.sendRequest(request) << body;
        Poco::Net::HTTPResponse response;
        std::string answer;
        Poco::StreamCopier::copyToString(session.receiveResponse(response), answer);
        BOOST_TEST(static_cast<int>(response.getStatus()) == 200);
        BOOST_TEST(response.getKeepAlive());
        BOOST_TEST(json::parse(answer)["sentMessages"].size() == 1u);
    }
    auto ledger = json::parse(sim.request("GET", std::string("/_sim/line/ledger/") + k_user).body);
    BOOST_TEST(ledger["deliveries"].size() == 3u);
}

BOOST_AUTO_TEST_CASE(push_over_http_then_409_on_the_same_key) {
    SimProcess sim(scenario("http://127.0.0.1:9/"));
    auto headers = auth();
    headers["X-Line-Retry-Key"] = "0e5d3c58-3c7f-4a0b-9a55-4c1f0ea3d2b1";
    auto body = json{{"to", k_user}, {"messages", {text("発送しました")}}}.dump();
    auto first = sim.request("POST", "/v2/bot/message/push", body, headers);
    BOOST_TEST(first.status == 200);
    auto second = sim.request("POST", "/v2/bot/message/push", body, headers);
    BOOST_TEST(second.status == 409);
    BOOST_TEST(second.headers["x-line-accepted-request-id"] == first.headers["x-line-request-id"]);
    auto ledger = json::parse(sim.request("GET", std::string("/_sim/line/ledger/") + k_user).body);
    BOOST_TEST(ledger["deliveries"].size() == 1u);
}

BOOST_AUTO_TEST_CASE(image_upload_goes_to_the_data_port) {
    SimProcess sim;
    json menu = {{"size", {{"width", 2500}, {"height", 843}}},
                 {"selected", false},
                 {"name", "n"},
                 {"chatBarText", "メニュー"},
                 {"areas", json::array()}};
    auto created = sim.request("POST", "/v2/bot/richmenu", menu.dump(), auth());
    auto id = json::parse(created.body)["richMenuId"].get<std::string>();
    Headers image_headers{{"Authorization", std::string("Bearer ") + k_token},
                          {"Content-Type", "image/png"}};
    auto path = "/v2/bot/richmenu/" + id + "/content";
    BOOST_TEST(sim.request("POST", path, png(2500, 843), image_headers).status == 404);
    BOOST_TEST(sim.request("POST", path, png(2500, 843), image_headers, true).status == 200);
}

BOOST_AUTO_TEST_CASE(dropped_connection_fault_closes_without_an_answer) {
    SimProcess sim(scenario("http://127.0.0.1:9/"));
    sim.request("POST", "/_sim/line/faults",
                R"({"rate_timeout": 1.0, "timeout_ms": 10, "drop": true})");
    auto body = json{{"to", k_user}, {"messages", {text("a")}}}.dump();
    BOOST_CHECK_THROW(sim.request("POST", "/v2/bot/message/push", body, auth()), Poco::Exception);
    sim.request("DELETE", "/_sim/line/faults");
    BOOST_TEST(sim.request("POST", "/v2/bot/message/push", body, auth()).status == 200);
}

BOOST_AUTO_TEST_CASE(slow_fault_outlasts_a_client_timeout) {
    SimProcess sim(scenario("http://127.0.0.1:9/"));
    sim.request("POST", "/_sim/line/faults", R"({"rate_timeout": 1.0, "timeout_ms": 1500})");
    auto body = json{{"to", k_user}, {"messages", {text("a")}}}.dump();
    BOOST_CHECK_THROW(sim.request("POST", "/v2/bot/message/push", body, auth(), false,
                                  std::chrono::milliseconds(300)),
                      Poco::TimeoutException);
}

BOOST_AUTO_TEST_CASE(friends_send_signed_webhooks) {
    Receiver receiver;
    SimProcess sim(scenario(receiver.url()));
    auto follow = sim.request("POST", std::string("/_sim/line/friends/") + k_other + "/follow",
                              R"({"displayName": "佐藤"})");
    BOOST_TEST(follow.status == 200);
    auto answer = json::parse(follow.body);
    BOOST_TEST(answer["deliveries"][0]["status"] == 200);
    auto got = receiver.received();
    BOOST_REQUIRE(got.size() == 1u);
    BOOST_TEST(got[0].signature == sign_body(k_secret, got[0].body));
    auto body = json::parse(got[0].body);
    BOOST_TEST(body["destination"] == "U8e742f61d673b39c7fff3cecb7536ef0");
    auto event = body["events"][0];
    BOOST_TEST(event["type"] == "follow");
    BOOST_TEST(event["mode"] == "active");
    BOOST_TEST(event["source"] == json({{"type", "user"}, {"userId", k_other}}));
    BOOST_TEST(event["follow"]["isUnblocked"] == false);
    BOOST_TEST(event["deliveryContext"]["isRedelivery"] == false);
    BOOST_TEST(event["webhookEventId"].get<std::string>().size() == 26u);
    BOOST_TEST(event["replyToken"] == answer["event"]["replyToken"]);

    // The friend sends an order number, then the phone digits; the reply token works once.
    sim.request("POST", std::string("/_sim/line/friends/") + k_other + "/text",
                R"({"text": "123456-20261122-0000000001"})");
    sim.request("POST", std::string("/_sim/line/friends/") + k_other + "/text",
                R"({"text": "5678"})");
    got = receiver.received();
    BOOST_REQUIRE(got.size() == 3u);
    BOOST_TEST(event_of(got[1])["message"]["text"] == "123456-20261122-0000000001");
    BOOST_TEST(event_of(got[2])["message"]["type"] == "text");
    auto reply =
        json{{"replyToken", event_of(got[2])["replyToken"]}, {"messages", {text("連携しました")}}};
    BOOST_TEST(sim.request("POST", "/v2/bot/message/reply", reply.dump(), auth()).status == 200);
    BOOST_TEST(sim.request("POST", "/v2/bot/message/reply", reply.dump(), auth()).status == 400);

    // Block, then unblock.
    sim.request("POST", std::string("/_sim/line/friends/") + k_other + "/unfollow");
    sim.request("POST", std::string("/_sim/line/friends/") + k_other + "/follow");
    got = receiver.received();
    BOOST_REQUIRE(got.size() == 5u);
    BOOST_TEST(event_of(got[3])["type"] == "unfollow");
    BOOST_TEST(!event_of(got[3]).contains("replyToken"));
    BOOST_TEST(event_of(got[4])["follow"]["isUnblocked"] == true);
}

BOOST_AUTO_TEST_CASE(redelivery_duplicates_out_of_order_and_bad_signatures) {
    Receiver receiver;
    SimProcess sim(scenario(receiver.url()));
    auto sent =
        json::parse(sim.request("POST", std::string("/_sim/line/friends/") + k_user + "/postback",
                                R"({"data": "action=coupon", "duplicates": 1})")
                        .body);
    auto id = sent["webhookEventId"].get<std::string>();
    BOOST_TEST(sent["deliveries"].size() == 2u);
    auto redelivered = sim.request("POST", "/_sim/line/webhooks/" + id + "/redeliver");
    BOOST_TEST(redelivered.status == 200);
    auto got = receiver.received();
    BOOST_REQUIRE(got.size() == 3u);
    BOOST_TEST(got[0].body == got[1].body);
    BOOST_TEST(event_of(got[2])["webhookEventId"] == id);
    BOOST_TEST(event_of(got[2])["deliveryContext"]["isRedelivery"] == true);
    BOOST_TEST(event_of(got[2])["postback"]["data"] == "action=coupon");

    auto earlier =
        json::parse(sim.request("POST", std::string("/_sim/line/friends/") + k_user + "/text",
                                R"({"text": "late", "timestamp_offset_ms": -60000})")
                        .body);
    BOOST_TEST(earlier["event"]["timestamp"].get<long long>() <
               event_of(got[0])["timestamp"].get<long long>());

    sim.request("POST", std::string("/_sim/line/friends/") + k_user + "/text",
                R"({"text": "forged", "bad_signature": true})");
    got = receiver.received();
    BOOST_TEST(got.back().signature != sign_body(k_secret, got.back().body));

    auto held =
        json::parse(sim.request("POST", std::string("/_sim/line/friends/") + k_user + "/text",
                                R"({"text": "held", "send": false})")
                        .body);
    BOOST_TEST(!held.contains("deliveries"));
    auto count = receiver.received().size();
    auto batch = json{{"webhookEventIds", {held["webhookEventId"], id}}};
    BOOST_TEST(sim.request("POST", "/_sim/line/webhooks/send", batch.dump()).status == 200);
    got = receiver.received();
    BOOST_REQUIRE(got.size() == count + 1);
    BOOST_TEST(json::parse(got.back().body)["events"].size() == 2u);
}

BOOST_AUTO_TEST_CASE(account_link_event_carries_the_nonce) {
    Receiver receiver;
    SimProcess sim(scenario(receiver.url()));
    auto token = json::parse(
        sim.request("POST", std::string("/v2/bot/user/") + k_user + "/linkToken", "", auth())
            .body)["linkToken"];
    auto link = json{{"linkToken", token}, {"nonce", "bm9uY2Utbm9uY2Utbm9uY2U="}};
    sim.request("POST", std::string("/_sim/line/friends/") + k_user + "/account_link", link.dump());
    sim.request("POST", std::string("/_sim/line/friends/") + k_user + "/account_link", link.dump());
    auto got = receiver.received();
    BOOST_REQUIRE(got.size() == 2u);
    BOOST_TEST(event_of(got[0])["type"] == "accountLink");
    BOOST_TEST(event_of(got[0])["link"] ==
               json({{"result", "ok"}, {"nonce", "bm9uY2Utbm9uY2Utbm9uY2U="}}));
    // A link token is single use.
    BOOST_TEST(event_of(got[1])["link"]["result"] == "failed");
}

BOOST_AUTO_TEST_CASE(webhook_without_a_url_is_a_clear_error) {
    SimProcess sim;
    auto response = sim.request("POST", std::string("/_sim/line/friends/") + k_user + "/follow");
    BOOST_TEST(response.status == 409);
    BOOST_TEST(
        json::parse(response.body)["message"].get<std::string>().starts_with("no webhook_url"));
}

// --- Another destination, for musubi's destination check (issue 17)
BOOST_AUTO_TEST_CASE(a_body_can_name_another_bot_as_its_destination) {
    Receiver receiver;
    SimProcess sim(scenario(receiver.url()));
    sim.request("POST", std::string("/_sim/line/friends/") + k_user + "/text",
                json{{"text", "x"}, {"destination", "U00000000000000000000000000000000"}}.dump());
    sim.request("POST", std::string("/_sim/line/friends/") + k_user + "/text",
                json{{"text", "y"}}.dump());
    auto got = receiver.received();
    BOOST_REQUIRE(got.size() == 2u);
    BOOST_TEST(json::parse(got[0].body)["destination"] == "U00000000000000000000000000000000");
    BOOST_TEST(json::parse(got[1].body)["destination"] == "U8e742f61d673b39c7fff3cecb7536ef0");
}

BOOST_AUTO_TEST_SUITE_END()
