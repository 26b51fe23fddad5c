// The generic EC feed end to end: a shop site served over real HTTP on loopback from inside
// the test (Poco's HTTPServer), read into a real SQLite file. Checks what the database holds:
// each fact once across re-reads and overlapping pages, a restart resuming from the stored
// cursor, 503s and timeouts ridden through, bad lines skipped with their reason logged, the
// drop folder's done/ and rejected/, and a review that came before its order.

#include <chrono>
#include <deque>
#include <mutex>
#include <sstream>
#include <thread>

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/URI.h>
#include <boost/test/unit_test.hpp>
#include <spdlog/sinks/ostream_sink.h>

#include "daemon/ecfeed/feed_worker.hpp"
#include "daemon/store/sqlite/database.hpp"
#include "daemon/store/sqlite/sqlite_store.hpp"
#include "support/temp_dir.hpp"

using namespace musubi;
using namespace musubi::ecfeed_worker;
using musubi::test::TempDir;

namespace {

// The shop site: pages by `since` ("" for the first request), and replies queued to be
// served before them (a 503, a reply slower than the client's timeout).
class FeedSite {
public:
    struct Reply {
        int status = 200;
        std::string body;
        std::chrono::milliseconds delay{0};
    };

    FeedSite()
        : m_socket(Poco::Net::SocketAddress("127.0.0.1", 0)) {
        auto* params = new Poco::Net::HTTPServerParams;
        params->setMaxThreads(4);
        params->setKeepAlive(true);
        m_server = std::make_unique<Poco::Net::HTTPServer>(new Factory(*this), m_socket, params);
        m_server->start();
    }
    ~FeedSite() { m_server->stopAll(true); }

    std::string url() const {
        return "http://127.0.0.1:" + std::to_string(m_socket.address().port()) + "/musubi/feed";
    }
    void page(const std::string& since, const std::string& body) {
        std::lock_guard lock(m_mutex);
        m_pages[since] = body;
    }
    void queue(Reply reply) {
        std::lock_guard lock(m_mutex);
        m_queued.push_back(std::move(reply));
    }
    // The `since` of each request so far ("-" when there was none).
    std::vector<std::string> requests() const {
        std::lock_guard lock(m_mutex);
        return m_requests;
    }
    std::string last_authorization() const {
        std::lock_guard lock(m_mutex);
        return m_authorization;
    }

private:
    Reply answer(const Poco::Net::HTTPServerRequest& request) {
        std::string since = "-";
        for (const auto& [key, value] : Poco::URI(request.getURI()).getQueryParameters()) {
            if (key == "since") {
                since = value;
            }
        }
        std::lock_guard lock(m_mutex);
        m_requests.push_back(since);
        m_authorization = request.get("Authorization", "");
        if (!m_queued.empty()) {
            Reply reply = m_queued.front();
            m_queued.pop_front();
            return reply;
        }
        const auto page = m_pages.find(since == "-" ? "" : since);
        return page == m_pages.end() ? Reply{404, "no such page\n"} : Reply{200, page->second};
    }

    class Handler : public Poco::Net::HTTPRequestHandler {
    public:
        explicit Handler(FeedSite& site)
            : m_site(site) {}
        void handleRequest(Poco::Net::HTTPServerRequest& request,
                           Poco::Net::HTTPServerResponse& response) override {
            const Reply reply = m_site.answer(request);
            std::this_thread::sleep_for(reply.delay);
            try {
                response.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(reply.status));
                response.setContentType("application/x-ndjson");
                response.setContentLength(static_cast<std::streamsize>(reply.body.size()));
                response.send() << reply.body;
            } catch (const Poco::Exception&) {
                // The client gave up waiting: that is what a slow reply tests.
            }
        }

    private:
        FeedSite& m_site;
    };
    class Factory : public Poco::Net::HTTPRequestHandlerFactory {
    public:
        explicit Factory(FeedSite& site)
            : m_site(site) {}
        Poco::Net::HTTPRequestHandler*
        createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
            return new Handler(m_site);
        }

    private:
        FeedSite& m_site;
    };

    Poco::Net::ServerSocket m_socket;
    std::unique_ptr<Poco::Net::HTTPServer> m_server;
    mutable std::mutex m_mutex;
    std::map<std::string, std::string> m_pages;
    std::deque<Reply> m_queued;
    std::vector<std::string> m_requests;
    std::string m_authorization;
};

// 2026-11-22T12:00:00+09:00: "now" for every poll; the horizon is two days before.
constexpr std::int64_t k_now = 1795316400000;

std::string order(const std::string& number, const std::string& at = "2026-11-22T10:00:00+09:00") {
    return R"({"type":"order","order_number":")" + number + R"(","ordered_at":")" + at +
           R"(","total":3600,"items":[{"sku":"s-1","name":"煎茶","units":2,"price":1800}],)"
           R"("buyer":{"email":"hanako@example.jp","phone":"090-1234-5678","given_name":"花子"}})"
           "\n";
}
std::string shipment(const std::string& number) {
    return R"({"type":"shipment","order_number":")" + number +
           R"(","shipped_at":"2026-11-22T11:00:00+09:00","carrier":"ヤマト運輸",)"
           R"("tracking_number":"1234","tracking_url":"https://example.jp/t/1234"})"
           "\n";
}
std::string cancellation(const std::string& number) {
    return R"({"type":"cancellation","order_number":")" + number +
           R"(","cancelled_at":"2026-11-22T11:30:00+09:00"})"
           "\n";
}
std::string review(const std::string& number) {
    return R"({"type":"review","order_number":")" + number +
           R"(","about":"shop","rating":5,"posted_at":"2026-11-22T11:45:00+09:00"})"
           "\n";
}
std::string cursor(const std::string& next, bool more = false) {
    return R"({"type":"cursor","next":")" + next + R"(","more":)" + (more ? "true" : "false") +
           "}\n";
}

struct Fixture {
    TempDir dir;
    FeedSite site;
    std::unique_ptr<store::sqlite::SqliteStore> store;
    WorkerOptions options;
    log::Logger logger{"ecfeed"};

    Fixture() {
        reopen();
        options.ecfeed.url = site.url();
        options.ecfeed.timeout = std::chrono::milliseconds(300);
        options.ecfeed.poll_interval = std::chrono::milliseconds(50);
        options.ecfeed.backfill_horizon = std::chrono::hours(48);
        options.hashing_key = "0123456789abcdef0123456789abcdef-it";
        options.retry = {4, std::chrono::milliseconds(5), std::chrono::milliseconds(20)};
        options.settle = std::chrono::milliseconds(0);
    }

    // Closes the store (as a stopped daemon does) and opens the same file again.
    void reopen() {
        store.reset();
        auto opened =
            store::sqlite::SqliteStore::open(dir / "m.db", std::chrono::milliseconds(5000));
        BOOST_REQUIRE_MESSAGE(opened, (opened ? "" : opened.error().to_string()));
        store = std::move(*opened);
    }

    tl::expected<PollCounts, PollError> poll() {
        ecfeed::FeedClient client({*options.ecfeed.url, options.ecfeed.token.reveal(),
                                   options.ecfeed.timeout, options.retry},
                                  std::stop_token());
        FeedSync sync(*store, options, logger);
        return sync.poll(client, k_now);
    }

    PollCounts poll_ok() {
        auto result = poll();
        BOOST_REQUIRE_MESSAGE(result.has_value(), (result ? "" : result.error().message));
        return *result;
    }

    std::string query(const std::string& sql) {
        auto db = store::sqlite::Database::open(dir / "m.db");
        BOOST_REQUIRE(db);
        auto value = db->pragma_text(sql);
        BOOST_REQUIRE_MESSAGE(value.has_value(), (value ? "" : value.error().message));
        return *value;
    }
    std::string facts() {
        return query("SELECT coalesce(group_concat(natural_key, ' '), '') FROM "
                     "(SELECT natural_key FROM facts ORDER BY natural_key)");
    }
};

// Log lines of the test's own while it lives.
struct CapturedLog {
    std::ostringstream lines;
    CapturedLog() {
        config::LogConfig settings;
        settings.timestamps = config::Timestamps::never;
        settings.level = config::LogLevel::debug;
        log::setup(settings, {std::make_shared<spdlog::sinks::ostream_sink_mt>(lines)});
    }
    ~CapturedLog() { log::setup(config::LogConfig{}); }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(ecfeed_it, Fixture)

BOOST_AUTO_TEST_CASE(each_fact_is_recorded_once_across_rereads_and_overlapping_pages) {
    site.page("", order("W-1") + order("W-2") + cursor("c1", true));
    // The second page overlaps the first (W-2 again) and ships W-1.
    site.page("c1",
              order("W-2") + shipment("W-1") + order("W-3") + cancellation("W-3") + cursor("c2"));
    site.page("c2", order("W-3") + shipment("W-1") + cursor("c2"));
    const auto first = poll_ok();
    BOOST_TEST(first.pages == 2);
    BOOST_TEST(first.applied.placed == 3);
    BOOST_TEST(first.applied.shipped == 1);
    BOOST_TEST(first.applied.cancelled == 1);
    const auto second = poll_ok();
    BOOST_TEST(second.applied.recorded() == 0);
    BOOST_TEST(facts() == "ecfeed:order:W-1:placed ecfeed:order:W-1:shipped "
                          "ecfeed:order:W-2:placed ecfeed:order:W-3:cancelled "
                          "ecfeed:order:W-3:placed");
    BOOST_TEST(query("SELECT value FROM cursors WHERE name = 'ecfeed:since'") == "c2");
    BOOST_TEST(site.requests() == (std::vector<std::string>{"-", "c1", "c2"}));
    // The buyer is one row of hashes, without the e-mail or the phone number.
    BOOST_TEST(query("SELECT count(*) FROM buyers") == "1");
    BOOST_TEST(query("SELECT count(*) FROM buyers WHERE email_hash LIKE '%example%'") == "0");
}

BOOST_AUTO_TEST_CASE(a_restart_resumes_from_the_stored_cursor_without_losing_or_repeating) {
    site.page("", order("W-1") + cursor("c1"));
    poll_ok();
    reopen(); // the daemon stopped and started again
    site.page("c1", shipment("W-1") + order("W-2") + cursor("c2"));
    const auto resumed = poll_ok();
    BOOST_TEST(resumed.applied.shipped == 1);
    BOOST_TEST(resumed.applied.placed == 1);
    BOOST_TEST(site.requests() == (std::vector<std::string>{"-", "c1"}));
    // Killed after the page was stored but before its cursor was: the page comes again and
    // records nothing twice.
    BOOST_REQUIRE(store->set_cursor(k_cursor_since, "c1"));
    reopen();
    const auto again = poll_ok();
    BOOST_TEST(again.applied.recorded() == 0);
    BOOST_TEST(facts() == "ecfeed:order:W-1:placed ecfeed:order:W-1:shipped "
                          "ecfeed:order:W-2:placed");
}

BOOST_AUTO_TEST_CASE(server_errors_and_timeouts_are_retried_with_backoff) {
    site.page("", order("W-1") + cursor("c1"));
    site.queue({503, "busy\n"});
    site.queue({200, order("W-1") + cursor("c1"), std::chrono::milliseconds(1000)});
    site.queue({502, ""});
    const auto counts = poll_ok();
    BOOST_TEST(counts.applied.placed == 1);
    BOOST_TEST(site.requests().size() == 4u);
    BOOST_TEST(facts() == "ecfeed:order:W-1:placed");
}

BOOST_AUTO_TEST_CASE(a_feed_that_keeps_failing_leaves_the_cursor_where_it_was) {
    site.page("", order("W-1") + cursor("c1"));
    poll_ok();
    for (int i = 0; i < 4; ++i) {
        site.queue({503, ""});
    }
    auto failed = poll();
    BOOST_REQUIRE(!failed.has_value());
    BOOST_TEST(failed.error().message == "the feed answered HTTP 503");
    BOOST_TEST(!failed.error().refused);
    BOOST_TEST(query("SELECT value FROM cursors WHERE name = 'ecfeed:since'") == "c1");
    // A 401 is not retried: asking again would get the same.
    site.queue({401, ""});
    auto refused = poll();
    BOOST_REQUIRE(!refused.has_value());
    BOOST_TEST(refused.error().refused);
    BOOST_TEST(site.requests().size() == 6u);
}

BOOST_AUTO_TEST_CASE(a_page_cut_short_does_not_move_the_cursor) {
    site.page("", order("W-1") + order("W-2").substr(0, 30));
    const auto counts = poll_ok();
    BOOST_TEST(counts.applied.placed == 1);
    BOOST_TEST(query("SELECT count(*) FROM cursors WHERE name = 'ecfeed:since'") == "0");
}

BOOST_AUTO_TEST_CASE(bad_lines_are_skipped_and_logged_with_line_order_and_reason) {
    CapturedLog captured;
    const log::Logger test_logger("ecfeed");
    site.page("", order("W-1") + "{\"type\":\"order\",\"order_number\":\"W-2\",\"total\":1}\n" +
                      "this is not json, hanako@example.jp\n" + order("W-3") + cursor("c1"));
    ecfeed::FeedClient client({*options.ecfeed.url, "", options.ecfeed.timeout, options.retry},
                              std::stop_token());
    FeedSync sync(*store, options, test_logger);
    auto result = sync.poll(client, k_now);
    BOOST_REQUIRE(result.has_value());
    BOOST_TEST(result->applied.placed == 2);
    BOOST_TEST(result->applied.skipped == 2);
    const std::string log = captured.lines.str();
    BOOST_TEST(log.find("event=line.skipped from=\"page since=(start)\" line=2 order=W-2 "
                        "reason=\"missing 'ordered_at'\"") != std::string::npos,
               log);
    BOOST_TEST(log.find("line=3 order=\"\" reason=\"not JSON (syntax error at byte 2)\"") !=
                   std::string::npos,
               log);
    BOOST_TEST(log.find("hanako") == std::string::npos);
    BOOST_TEST(log.find("090") == std::string::npos);
    BOOST_TEST(facts() == "ecfeed:order:W-1:placed ecfeed:order:W-3:placed");
}

BOOST_AUTO_TEST_CASE(a_review_before_its_order_is_kept_and_joined) {
    site.page("", review("W-7") + cursor("c1"));
    const auto first = poll_ok();
    BOOST_TEST(first.applied.reviews == 1);
    BOOST_TEST(query("SELECT count(*) FROM orders") == "0");
    // The order comes at the next poll.
    site.page("c1", order("W-7") + review("W-7") + cursor("c2"));
    const auto second = poll_ok();
    BOOST_TEST(second.applied.placed == 1);
    BOOST_TEST(second.applied.reviews == 0);
    BOOST_TEST(query("SELECT o.source || ' ' || r.rating FROM reviews r JOIN orders o ON "
                     "o.order_number = r.order_number") == "ecfeed 5");
    BOOST_TEST(query("SELECT subject || ' ' || (processed_at IS NULL) FROM facts WHERE kind = "
                     "'review.posted'") == "W-7 1");
}

BOOST_AUTO_TEST_CASE(a_first_start_does_not_message_old_customers) {
    site.page("", order("OLD", "2026-11-01T10:00:00+09:00") + order("NEW") + cursor("c1"));
    const auto counts = poll_ok();
    BOOST_TEST(counts.applied.backfilled == 1);
    BOOST_TEST(query("SELECT group_concat(subject, ' ') FROM facts WHERE processed_at IS NULL") ==
               "NEW");
}

BOOST_AUTO_TEST_CASE(drop_folder_files_go_to_done_or_rejected_with_a_reason) {
    const auto drop = dir / "drop";
    dir.write("drop/a-orders.jsonl",
              order("D-1") + shipment("D-1") + "{broken\n" + shipment("D-404") + review("D-1"));
    dir.write("drop/b-empty.jsonl", "\n\n");
    dir.write("drop/c-garbage.jsonl", "id,name\n1,hanako\n");
    dir.write("drop/notes.txt", "left alone");
    FeedSync sync(*store, options, logger);
    const auto scanned = sync.scan(drop, k_now);
    BOOST_TEST(scanned.done == 1);
    BOOST_TEST(scanned.rejected == 2);
    BOOST_TEST(facts() == "ecfeed:order:D-1:placed ecfeed:order:D-1:shipped "
                          "rakuten:review:D-1:shop");
    BOOST_TEST(std::filesystem::exists(drop / "done/a-orders.jsonl"));
    BOOST_TEST(test::read_file(drop / "done/a-orders.jsonl.rejected.txt") ==
               "# 取り込めなかった行 / lines not imported: a-orders.jsonl\n"
               "# 他の行は取り込み済みです / the other lines were imported\n"
               "line 3: not JSON (syntax error at byte 2)\n"
               "line 4: order D-404: the order is not known yet: its order line must come "
               "first (in this or an earlier page or file)\n");
    BOOST_TEST(std::filesystem::exists(drop / "rejected/b-empty.jsonl"));
    BOOST_TEST(test::read_file(drop / "rejected/b-empty.jsonl.reason")
                   .find("Reason: the file is "
                         "empty") != std::string::npos);
    BOOST_TEST(test::read_file(drop / "rejected/c-garbage.jsonl.reason")
                   .find("Reason: no line could be read (first problem: line 1: not JSON") !=
               std::string::npos);
    BOOST_TEST(std::filesystem::exists(drop / "notes.txt"));
    // The same file again (a second export) records nothing new.
    dir.write("drop/a-orders.jsonl", order("D-1") + shipment("D-1") + review("D-1"));
    const auto again = sync.scan(drop, k_now);
    BOOST_TEST(again.done == 1);
    BOOST_TEST(again.applied.recorded() == 0);
    BOOST_TEST(std::filesystem::exists(drop / "done/a-orders-2.jsonl"));
}

BOOST_AUTO_TEST_CASE(the_worker_thread_polls_sends_the_token_and_stops) {
    site.page("", order("T-1") + cursor("c1"));
    site.page("c1", shipment("T-1") + cursor("c1"));
    options.ecfeed.token = config::Secret("feed-token-123", "inline");
    int woken = 0;
    std::mutex woken_mutex;
    FeedWorker worker(*store, "ecfeed", [&] {
        std::lock_guard lock(woken_mutex);
        ++woken;
    });
    worker.reload(options, std::make_shared<clock::SystemClock>());
    for (int i = 0; i < 500 && facts().find(":shipped") == std::string::npos; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    worker.stop();
    BOOST_TEST(facts() == "ecfeed:order:T-1:placed ecfeed:order:T-1:shipped");
    BOOST_TEST(site.last_authorization() == "Bearer feed-token-123");
    std::lock_guard lock(woken_mutex);
    BOOST_TEST(woken >= 1);
}

BOOST_AUTO_TEST_SUITE_END()
