// The daemon's HTTP server on a real loopback port: routes by exact path and method, 404 and
// 405 answers, a bound port when asked for port 0, a clear error when the port is taken, and
// requests in progress answered before stop() returns.

#include <atomic>
#include <sstream>
#include <thread>

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <boost/test/unit_test.hpp>

#include "daemon/http/web_server.hpp"

using namespace musubi;
using namespace std::chrono_literals;

namespace {

struct Answer {
    int status = 0;
    std::string body;
    std::string allow;
};

Answer call(int port, const std::string& method, const std::string& uri,
            const std::string& body = "") {
    Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
    Poco::Net::HTTPRequest request(method, uri, Poco::Net::HTTPMessage::HTTP_1_1);
    if (!body.empty()) {
        request.setContentLength64(static_cast<Poco::Int64>(body.size()));
    }
    session.sendRequest(request) << body;
    Poco::Net::HTTPResponse response;
    std::istream& in = session.receiveResponse(response);
    std::stringstream text;
    text << in.rdbuf();
    return {static_cast<int>(response.getStatus()), text.str(), response.get("Allow", "")};
}

void echo_path(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) {
    http::send(request, response, Poco::Net::HTTPResponse::HTTP_OK,
               request.getMethod() + " " + request.getURI(), "text/plain");
}

config::ListenAddress any_port() {
    return {"127.0.0.1", 0};
}

} // namespace

BOOST_AUTO_TEST_SUITE(web_server)

BOOST_AUTO_TEST_CASE(routes_by_exact_path_and_method_ignoring_the_query) {
    http::WebServer server(any_port(), "test");
    server.add("GET", "/link", echo_path);
    server.add("POST", "/link", echo_path);
    server.add("POST", "/webhook", echo_path);
    BOOST_REQUIRE(server.start().has_value());
    BOOST_TEST(server.port() > 0);
    BOOST_TEST(server.address().port == server.port());

    BOOST_TEST(call(server.port(), "GET", "/link?token=abc").body == "GET /link?token=abc");
    BOOST_TEST(call(server.port(), "POST", "/webhook", "{}").body == "POST /webhook");

    const auto unknown = call(server.port(), "GET", "/webhook/");
    BOOST_TEST(unknown.status == 404);
    BOOST_TEST(unknown.body == R"({"message":"Not found"})");

    const auto wrong_method = call(server.port(), "DELETE", "/link");
    BOOST_TEST(wrong_method.status == 405);
    BOOST_TEST(wrong_method.allow == "GET, POST");
    BOOST_TEST(call(server.port(), "GET", "/webhook").allow == "POST");
}

BOOST_AUTO_TEST_CASE(routes_cannot_be_added_once_started_nor_twice) {
    http::WebServer server(any_port(), "test");
    server.add("GET", "/a", echo_path);
    BOOST_CHECK_THROW(server.add("GET", "/a", echo_path), std::logic_error);
    BOOST_REQUIRE(server.start().has_value());
    BOOST_CHECK_THROW(server.add("GET", "/b", echo_path), std::logic_error);
}

BOOST_AUTO_TEST_CASE(a_taken_port_is_a_clear_error) {
    http::WebServer first(any_port(), "webhook");
    BOOST_REQUIRE(first.start().has_value());
    http::WebServer second({"127.0.0.1", first.port()}, "webhook");
    const auto started = second.start();
    BOOST_REQUIRE(!started.has_value());
    BOOST_TEST(started.error() == "cannot listen on 127.0.0.1:" + std::to_string(first.port()) +
                                      " for webhook: address already in use (another program, "
                                      "or another musubi, listens there)");
}

BOOST_AUTO_TEST_CASE(a_throwing_handler_answers_500_and_the_server_goes_on) {
    http::WebServer server(any_port(), "test");
    server.add("GET", "/boom", [](auto&, auto&) { throw std::runtime_error("boom"); });
    server.add("GET", "/ok", echo_path);
    BOOST_REQUIRE(server.start().has_value());
    BOOST_TEST(call(server.port(), "GET", "/boom").status == 500);
    BOOST_TEST(call(server.port(), "GET", "/ok").status == 200);
}

BOOST_AUTO_TEST_CASE(stop_waits_for_requests_in_progress) {
    http::WebServer server(any_port(), "test");
    std::atomic<bool> entered = false;
    std::atomic<bool> finished = false;
    server.add("GET", "/slow", [&](auto& request, auto& response) {
        entered = true;
        std::this_thread::sleep_for(300ms);
        finished = true;
        echo_path(request, response);
    });
    BOOST_REQUIRE(server.start().has_value());
    std::thread client([&] { call(server.port(), "GET", "/slow"); });
    while (!entered) {
        std::this_thread::sleep_for(5ms);
    }
    server.stop();
    BOOST_TEST(finished.load());
    client.join();
}

BOOST_AUTO_TEST_CASE(read_body_stops_at_the_limit) {
    http::WebServer server(any_port(), "test");
    server.add("POST", "/body", [](auto& request, auto& response) {
        auto body = http::read_body(request, 10, 5s);
        if (!body) {
            http::send(request, response, Poco::Net::HTTPResponse::HTTP_REQUEST_ENTITY_TOO_LARGE,
                       "", "text/plain", true);
            return;
        }
        http::send(request, response, Poco::Net::HTTPResponse::HTTP_OK, *body, "text/plain");
    });
    BOOST_REQUIRE(server.start().has_value());
    BOOST_TEST(call(server.port(), "POST", "/body", "0123456789").body == "0123456789");
    BOOST_TEST(call(server.port(), "POST", "/body", "0123456789A").status == 413);

    // Chunked: no Content-Length to refuse by, so the bytes are counted.
    Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(server.port()));
    Poco::Net::HTTPRequest request("POST", "/body", Poco::Net::HTTPMessage::HTTP_1_1);
    request.setChunkedTransferEncoding(true);
    session.sendRequest(request) << std::string(100, 'x');
    Poco::Net::HTTPResponse response;
    session.receiveResponse(response);
    BOOST_TEST(static_cast<int>(response.getStatus()) == 413);
}

BOOST_AUTO_TEST_SUITE_END()
