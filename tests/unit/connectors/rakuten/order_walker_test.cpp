#include <functional>
#include <string>

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/StreamCopier.h>
#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "connectors/rakuten/order_walker.hpp"

using namespace musubi::rakuten;
using namespace std::chrono;
using nlohmann::json;

namespace {

TimePoint at(const char* text) {
    return parse_rms_datetime(text).value();
}

// Answers every request with what `answer(body)` returns: an RMS that writes broken JSON,
// which musubi-sim never does.
using Answer = std::function<std::string(const std::string& body)>;

class FakeRms {
public:
    explicit FakeRms(Answer answer)
        : m_socket(Poco::Net::SocketAddress("127.0.0.1", 0))
        , m_server(new Factory(std::move(answer)), m_socket, new Poco::Net::HTTPServerParams) {
        m_server.start();
    }
    ~FakeRms() { m_server.stopAll(true); }
    FakeRms(const FakeRms&) = delete;
    FakeRms& operator=(const FakeRms&) = delete;

    std::string url() const {
        return "http://127.0.0.1:" + std::to_string(m_socket.address().port());
    }

private:
    class Handler : public Poco::Net::HTTPRequestHandler {
    public:
        explicit Handler(const Answer& answer)
            : m_answer(answer) {}
        void handleRequest(Poco::Net::HTTPServerRequest& request,
                           Poco::Net::HTTPServerResponse& response) override {
            std::string body;
            Poco::StreamCopier::copyToString(request.stream(), body);
            const std::string text = m_answer(body);
            response.setContentType("application/json");
            response.setContentLength(static_cast<std::streamsize>(text.size()));
            response.send() << text;
        }

    private:
        const Answer& m_answer;
    };
    class Factory : public Poco::Net::HTTPRequestHandlerFactory {
    public:
        explicit Factory(Answer answer)
            : m_answer(std::move(answer)) {}
        Poco::Net::HTTPRequestHandler*
        createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
            return new Handler(m_answer);
        }

    private:
        Answer m_answer;
    };

    Poco::Net::ServerSocket m_socket;
    Poco::Net::HTTPServer m_server;
};

std::string order_number(int sequence) {
    std::string digits = std::to_string(sequence);
    return "123456-20261122-" + std::string(10 - digits.size(), '0') + digits;
}

json order_model(const std::string& number) {
    return {{"orderNumber", number},
            {"orderProgress", 300},
            {"orderDatetime", "2026-11-22T10:00:00+0900"},
            {"totalPrice", 3000}};
}

} // namespace

BOOST_AUTO_TEST_SUITE(rakuten_order_walker)

BOOST_AUTO_TEST_CASE(a_short_range_is_one_window) {
    const auto windows =
        split_into_windows(at("2026-11-01T00:00:00+0900"), at("2026-11-22T10:00:00+0900"));
    BOOST_REQUIRE(windows.size() == 1u);
    BOOST_TEST(format_rms_datetime(windows[0].first) == "2026-11-01T00:00:00+0900");
    BOOST_TEST(format_rms_datetime(windows[0].second) == "2026-11-22T10:00:00+0900");
}

BOOST_AUTO_TEST_CASE(long_ranges_are_cut_into_62_day_windows_that_touch) {
    const TimePoint from = at("2026-01-01T00:00:00+0900");
    const TimePoint to = at("2026-11-22T10:00:00+0900");
    const auto windows = split_into_windows(from, to);
    // 325 days and 10 hours: five whole windows of 62 days (a day's margin on RMS's 63) and a
    // sixth with the rest.
    BOOST_REQUIRE(windows.size() == 6u);
    BOOST_TEST(format_rms_datetime(windows[0].second) == "2026-03-03T23:59:59+0900");
    BOOST_TEST(format_rms_datetime(windows[1].first) == "2026-03-04T00:00:00+0900");
    BOOST_TEST(windows.front().first.time_since_epoch().count() == from.time_since_epoch().count());
    BOOST_TEST(windows.back().second.time_since_epoch().count() == to.time_since_epoch().count());
    for (std::size_t i = 0; i < windows.size(); ++i) {
        BOOST_TEST((windows[i].second - windows[i].first <= days{62}));
        if (i > 0) {
            BOOST_TEST((windows[i].first - windows[i - 1].second == seconds{1}));
        }
    }
}

BOOST_AUTO_TEST_CASE(a_single_instant_is_one_window) {
    const TimePoint when = at("2026-11-22T10:00:00+0900");
    const auto windows = split_into_windows(when, when);
    BOOST_REQUIRE(windows.size() == 1u);
    BOOST_TEST(windows[0].first.time_since_epoch().count() == when.time_since_epoch().count());
}

BOOST_AUTO_TEST_CASE(an_unreadable_batch_becomes_problems_of_its_orders_only) {
    FakeRms rms([](const std::string& body) -> std::string {
        const json request = json::parse(body);
        if (request["orderNumberList"][0] == order_number(1)) {
            return R"({"OrderModelList": [{"orderNumber": )";
        }
        json models = json::array();
        for (const auto& number : request["orderNumberList"]) {
            models.push_back(order_model(number.get<std::string>()));
        }
        return json{{"MessageModelList", json::array()}, {"OrderModelList", models}}.dump();
    });
    RmsClient client({rms.url(), 2000ms, 0ms, {1, 0ms, 0ms}}, {"secret", "key"});
    std::vector<std::string> numbers;
    for (int i = 1; i <= 150; ++i) {
        numbers.push_back(order_number(i));
    }
    auto result = get_orders(client, numbers);
    BOOST_REQUIRE_MESSAGE(result.has_value(), result.error().message);
    BOOST_TEST(client.requests_sent() == 2);
    BOOST_REQUIRE(result->orders.size() == 50u);
    BOOST_TEST(result->orders.front().order_number == order_number(101));
    BOOST_TEST(result->orders.back().total_price.value_or(-1) == 3000);
    BOOST_REQUIRE(result->problems.size() == 100u);
    BOOST_TEST(result->problems[0].order_number == order_number(1));
    BOOST_TEST(result->problems[0].message ==
               "order 123456-20261122-0000000001: RMS getOrder answered 200 with a body that is "
               "not JSON (broken at byte 37)");
    BOOST_TEST(result->problems[99].order_number == order_number(100));
}

// A search answer: `total` hits, of which this page lists `listed` (numbers from `first`).
std::string search_answer(std::int64_t total, int first, int listed, int page) {
    json numbers = json::array();
    for (int i = 0; i < listed; ++i) {
        numbers.push_back(order_number(first + i));
    }
    return json{{"orderNumberList", numbers},
                {"MessageModelList", json::array()},
                {"PaginationResponseModel",
                 {{"totalRecordsAmount", total},
                  {"totalPages", (total + 999) / 1000},
                  {"requestPage", page}}}}
        .dump();
}

BOOST_AUTO_TEST_CASE(a_second_with_15000_hits_or_more_is_read_to_the_cap_and_reported) {
    // Every window reports 15,001 hits; each page lists 1000 numbers of its own.
    FakeRms rms([](const std::string& body) -> std::string {
        const int page = json::parse(body)["PaginationRequestModel"]["requestPage"].get<int>();
        return search_answer(15001, (page - 1) * 1000 + 1, 1000, page);
    });
    RmsClient client({rms.url(), 2000ms, 0ms, {1, 0ms, 0ms}}, {"secret", "key"});
    const TimePoint when = at("2026-11-22T10:00:00+0900");
    auto numbers = fetch_order_numbers(client, {DateType::order, when, when + 3s, {}, when});
    BOOST_REQUIRE_MESSAGE(numbers.has_value(), numbers.error().message);
    // [0,3] → [0,1] → [0,0] (read: 15 pages, never the refused 16th) → [1,1] (15 pages)
    // → [2,3] → [2,2], [3,3]: each of the four seconds is read to the cap and reported.
    BOOST_TEST(numbers->splits == 3);
    BOOST_TEST(numbers->windows == 4);
    BOOST_TEST(client.requests_sent() == 3 + 4 * 15);
    BOOST_TEST(numbers->order_numbers.size() == 15000u); // the same 15,000 numbers each time
    BOOST_REQUIRE(numbers->problems.size() == 4u);
    BOOST_TEST(numbers->problems[0] ==
               "RMS searchOrder (dateType 1) reports 15001 orders at 2026-11-22T10:00:00+0900 "
               "alone; it lists at most 15,000 for one query and a second cannot be split, so "
               "the first 15,000 were read and any beyond them are missing");
}

BOOST_AUTO_TEST_CASE(a_total_of_exactly_15000_is_split) {
    // RMS may stop counting at 15,000: such a window is split, its halves read.
    FakeRms rms([](const std::string& body) -> std::string {
        const json request = json::parse(body);
        const bool whole = request["startDatetime"] == "2026-11-22T10:00:00+0900" &&
                           request["endDatetime"] == "2026-11-22T10:00:10+0900";
        return whole ? search_answer(15000, 1, 1000, 1) : search_answer(2, 1, 2, 1);
    });
    RmsClient client({rms.url(), 2000ms, 0ms, {1, 0ms, 0ms}}, {"secret", "key"});
    const TimePoint when = at("2026-11-22T10:00:00+0900");
    auto numbers = fetch_order_numbers(client, {DateType::order, when, when + 10s, {}, when});
    BOOST_REQUIRE_MESSAGE(numbers.has_value(), numbers.error().message);
    BOOST_TEST(numbers->splits == 1);
    BOOST_TEST(numbers->windows == 2);
    BOOST_TEST(numbers->problems.empty());
    BOOST_TEST(client.requests_sent() == 3);
}

BOOST_AUTO_TEST_SUITE_END()
