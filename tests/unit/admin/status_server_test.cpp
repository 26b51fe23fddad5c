// The admin address serving the status page on a real loopback port: the admin token as a
// bearer token or as a browser's Basic-auth password, a Basic challenge without it, the page
// and its JSON, and /metrics unchanged (bearer only).

#include <sstream>

#include <Poco/Base64Encoder.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "daemon/admin/admin_server.hpp"

using namespace musubi;

namespace {

struct Answer {
    int status = 0;
    std::string body;
    std::string content_type;
    std::string challenge;
};

Answer get(int port, const std::string& uri, const std::string& authorization = "") {
    Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
    Poco::Net::HTTPRequest request("GET", uri, Poco::Net::HTTPMessage::HTTP_1_1);
    if (!authorization.empty()) {
        request.set("Authorization", authorization);
    }
    session.sendRequest(request);
    Poco::Net::HTTPResponse response;
    std::istream& in = session.receiveResponse(response);
    std::stringstream text;
    text << in.rdbuf();
    return {static_cast<int>(response.getStatus()), text.str(), response.getContentType(),
            response.get("WWW-Authenticate", "")};
}

std::string basic(const std::string& user, const std::string& password) {
    std::ostringstream out;
    Poco::Base64Encoder encoder(out);
    encoder << user << ":" << password;
    encoder.close();
    return "Basic " + out.str();
}

struct Server {
    admin::AdminServer server;
    int status_reads = 0;

    explicit Server(bool with_status = true)
        : server(
              config::AdminConfig{{"127.0.0.1", 0}, config::Secret("s3cret", "inline")},
              [] { return admin::MetricsSnapshot{}; },
              with_status ? admin::AdminServer::StatusSource([this] {
                  ++status_reads;
                  admin::StatusSnapshot s;
                  s.shop_name = "むすび堂";
                  s.report.outbox.pending = 5;
                  return s;
              })
                          : admin::AdminServer::StatusSource()) {
        BOOST_REQUIRE(server.start());
    }
    ~Server() { server.stop(); }
    int port() const { return server.port(); }
};

} // namespace

BOOST_AUTO_TEST_SUITE(status_server)

BOOST_AUTO_TEST_CASE(without_the_token_a_browser_is_asked_for_it) {
    Server s;
    for (const char* path : {"/", "/status", "/status.json"}) {
        const auto answer = get(s.port(), path);
        BOOST_TEST(answer.status == 401, path);
        BOOST_TEST(answer.challenge.starts_with("Basic realm=\"musubi\""), path);
        BOOST_TEST(answer.body.find("pending") == std::string::npos);
    }
    BOOST_TEST(get(s.port(), "/", basic("admin", "wrong")).status == 401);
    BOOST_TEST(get(s.port(), "/", "Bearer wrong").status == 401);
    BOOST_TEST(get(s.port(), "/", "Basic %%%not-base64").status == 401);
    BOOST_TEST(s.status_reads == 0);
}

BOOST_AUTO_TEST_CASE(the_token_as_basic_password_or_bearer_opens_the_page) {
    Server s;
    const auto page = get(s.port(), "/", basic("anyone", "s3cret"));
    BOOST_TEST(page.status == 200);
    BOOST_TEST(page.content_type == "text/html; charset=utf-8");
    BOOST_TEST(page.body.find("稼働状況 — むすび堂") != std::string::npos);
    BOOST_TEST(page.body.find("data-metric=\"outbox.pending\">5<") != std::string::npos);
    BOOST_TEST(get(s.port(), "/status", "Bearer s3cret").status == 200);
    const auto json = get(s.port(), "/status.json", "Bearer s3cret");
    BOOST_TEST(json.status == 200);
    BOOST_TEST(nlohmann::json::parse(json.body)["outbox"]["pending"] == 5);
}

BOOST_AUTO_TEST_CASE(metrics_still_take_only_the_bearer_token) {
    Server s;
    BOOST_TEST(get(s.port(), "/metrics", "Bearer s3cret").status == 200);
    const auto basic_answer = get(s.port(), "/metrics", basic("admin", "s3cret"));
    BOOST_TEST(basic_answer.status == 401);
    BOOST_TEST(basic_answer.challenge == "Bearer");
    BOOST_TEST(get(s.port(), "/healthz").status == 200);
}

BOOST_AUTO_TEST_CASE(without_a_status_source_the_page_is_not_served) {
    Server s(false);
    BOOST_TEST(get(s.port(), "/", "Bearer s3cret").status == 404);
    BOOST_TEST(get(s.port(), "/metrics", "Bearer s3cret").status == 200);
}

BOOST_AUTO_TEST_SUITE_END()
