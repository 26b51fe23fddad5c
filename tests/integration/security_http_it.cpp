// The web server under slow and hostile clients (issue 9, "Security"): a WebServer with few
// threads and short deadlines, so that what would take minutes with the defaults shows in
// a second. Slow-loris clients must hold no thread (a normal client is answered while they
// trickle) and must be cut off once their deadline passes; a body that never ends is 408;
// an enormous head is 431; a kept-alive connection gets no more time than a new one.

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <boost/test/unit_test.hpp>

#include "daemon/http/web_server.hpp"
#include "security_http_support.hpp"

using namespace musubi;
using namespace std::chrono_literals;

namespace {

using Poco::Net::HTTPResponse;

http::ServerLimits tight_limits() {
    http::ServerLimits limits;
    limits.max_threads = 2;
    limits.max_queued = 2;
    limits.io_timeout = 5s;
    limits.keep_alive_timeout = 5s;
    limits.body_deadline = 500ms;
    limits.request_deadline = 500ms;
    limits.max_waiting = 64;
    return limits;
}

// GET /ping → "pong"; POST /echo reads the body (1 MB at most) and answers its size, or the
// status read_body()'s error calls for.
struct Server {
    explicit Server(http::ServerLimits limits = tight_limits())
        : web({"127.0.0.1", 0}, "security", limits) {
        web.add("GET", "/ping", [](auto& request, auto& response) {
            http::send(request, response, HTTPResponse::HTTP_OK, "pong", "text/plain");
        });
        web.add("POST", "/echo", [limits](auto& request, auto& response) {
            const auto body = http::read_body(request, 1'000'000, limits.body_deadline);
            if (body) {
                http::send(request, response, HTTPResponse::HTTP_OK, std::to_string(body->size()),
                           "text/plain");
                return;
            }
            const auto status = body.error() == http::BodyError::too_large
                                    ? HTTPResponse::HTTP_REQUEST_ENTITY_TOO_LARGE
                                : body.error() == http::BodyError::timed_out
                                    ? HTTPResponse::HTTP_REQUEST_TIMEOUT
                                    : HTTPResponse::HTTP_BAD_REQUEST;
            http::send(request, response, status, "refused", "text/plain", true);
        });
        const auto started = web.start();
        BOOST_REQUIRE_MESSAGE(started, (started ? "" : started.error()));
    }
    std::string ping() {
        return test::exchange(web.port(), "GET /ping HTTP/1.1\r\nHost: t\r\nConnection: "
                                          "close\r\n\r\n");
    }

    http::WebServer web;
};

// Waits (at most `patience`) until `done` holds; the tests assert what happened, not when.
template <class Done>
bool eventually(Done done, std::chrono::seconds patience = 20s) {
    const auto give_up = std::chrono::steady_clock::now() + patience;
    while (!done()) {
        if (std::chrono::steady_clock::now() > give_up) {
            return false;
        }
        std::this_thread::sleep_for(20ms);
    }
    return true;
}

} // namespace

BOOST_AUTO_TEST_SUITE(security_http)

BOOST_AUTO_TEST_CASE(trickling_heads_hold_no_thread_and_are_cut_off_unanswered) {
    Server server;
    // Ten times the threads and queue together, each sending a header a byte at a time.
    test::SlowClients slow(server.web.port(), 40, "GET /ping HTTP/1.1\r\nHost: t\r\n",
                           "X-Slow: 1\r\n");
    // Answered while every slow client is still trickling.
    const auto answer = server.ping();
    BOOST_TEST(test::status_of(answer) == 200);
    BOOST_TEST(test::body_of(answer) == "pong");
    // Each is closed once its deadline has passed, without an answer.
    BOOST_TEST(eventually([&] { return slow.closed() == slow.count(); }));
    BOOST_TEST(!slow.answered());
    BOOST_TEST(eventually([&] { return server.web.cut_off() >= slow.count(); }));
    BOOST_TEST(test::status_of(server.ping()) == 200);
}

BOOST_AUTO_TEST_CASE(a_small_body_that_never_ends_holds_no_thread_and_is_cut_off) {
    Server server;
    test::SlowClients slow(server.web.port(), 40,
                           "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\n", "a");
    BOOST_TEST(test::status_of(server.ping()) == 200);
    BOOST_TEST(eventually([&] { return slow.closed() == slow.count(); }));
    BOOST_TEST(!slow.answered());
}

BOOST_AUTO_TEST_CASE(a_large_body_that_never_ends_is_408_after_its_deadline) {
    Server server;
    // Larger than the gate waits for: a worker reads it, and read_body() stops it.
    const auto answer =
        test::exchange(server.web.port(), "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: "
                                          "200000\r\n\r\n" +
                                              std::string(70'000, 'a'));
    BOOST_TEST(test::status_of(answer) == 408);
    BOOST_TEST(test::body_of(answer) == "refused");
    // A whole body of that size is read.
    const auto whole =
        test::exchange(server.web.port(), "POST /echo HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
                                          "Content-Length: 200000\r\n\r\n" +
                                              std::string(200'000, 'a'));
    BOOST_TEST(test::status_of(whole) == 200);
    BOOST_TEST(test::body_of(whole) == "200000");
}

BOOST_AUTO_TEST_CASE(a_large_body_trickling_in_is_408_however_often_bytes_arrive) {
    Server server;
    // Each byte arrives well within io_timeout, so only the overall deadline stops it.
    test::SlowClients slow(server.web.port(), 1,
                           "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 200000\r\n\r\n" +
                               std::string(70'000, 'a'),
                           "a", 10ms);
    BOOST_TEST(eventually([&] { return slow.closed() == 1; }));
    BOOST_TEST(slow.answered()); // the 408
    BOOST_TEST(test::status_of(server.ping()) == 200);
}

BOOST_AUTO_TEST_CASE(a_head_over_16_KiB_is_431) {
    Server server;
    const auto answer =
        test::exchange(server.web.port(), "GET /ping HTTP/1.1\r\nHost: t\r\n"
                                          "X-Big: " +
                                              std::string(17'000, 'b') + "\r\n\r\n");
    BOOST_TEST(test::status_of(answer) == 431);
    BOOST_TEST(test::body_of(answer) == R"({"message":"Request Header Fields Too Large"})");
}

BOOST_AUTO_TEST_CASE(broken_requests_are_refused_and_the_server_goes_on) {
    Server server;
    // A chunk size that is no number ends the body there (Poco reads it as the last chunk):
    // what the handler gets is not the body that was sent, which a signature check refuses.
    const auto broken = test::exchange(server.web.port(),
                                       "POST /echo HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
                                       "Transfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n");
    BOOST_TEST(test::body_of(broken) != "3");
    const auto chunked =
        test::exchange(server.web.port(), "POST /echo HTTP/1.1\r\nHost: t\r\nConnection: "
                                          "close\r\nTransfer-Encoding: chunked\r\n\r\n"
                                          "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n");
    BOOST_TEST(test::status_of(chunked) == 200);
    BOOST_TEST(test::body_of(chunked) == "5");
    // A header name over Poco's limit (256 characters) is no HTTP it reads.
    BOOST_TEST(test::status_of(test::exchange(server.web.port(), "GET /ping HTTP/1.1\r\n" +
                                                                     std::string(300, 'X') +
                                                                     ": v\r\n\r\n")) == 400);
    BOOST_TEST(test::status_of(server.ping()) == 200);
}

BOOST_AUTO_TEST_CASE(a_kept_alive_connection_gets_no_more_time_for_its_next_request) {
    Server server;
    // One quick request on each connection, then the next one a byte at a time.
    test::SlowClients slow(server.web.port(), 10, "GET /ping HTTP/1.1\r\nHost: t\r\n\r\n",
                           "GET /ping HTTP/1.1\r\nHost: t\r\n", 50ms, true);
    BOOST_TEST(test::status_of(server.ping()) == 200);
    BOOST_TEST(eventually([&] { return slow.closed() == slow.count(); }));
    BOOST_TEST(slow.answered()); // the first requests
    // Cut off by the gate (not closed for another reason), counted once the gate is done.
    BOOST_TEST(eventually([&] { return server.web.cut_off() >= slow.count(); }));
}

BOOST_AUTO_TEST_CASE(when_too_many_wait_the_longest_waiting_gives_way) {
    auto limits = tight_limits();
    limits.request_deadline = 60s; // only the count limit can free a place here
    limits.max_waiting = 8;
    Server server(limits);
    test::SlowClients slow(server.web.port(), 30, "GET /ping HTTP/1.1\r\n", "X");
    BOOST_TEST(test::status_of(server.ping()) == 200);
    BOOST_TEST(eventually([&] { return slow.closed() >= slow.count() - 8; }));
}

BOOST_AUTO_TEST_SUITE_END()
