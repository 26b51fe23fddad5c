// musubid under attack (issue 9, "Security"), as a real process against musubi-sim: forged
// and replayed webhooks, oversized and malformed bodies, slow-loris clients on the webhook
// and admin ports, the admin API without its token, tampered and expired link-page tokens,
// brute force on chat linking, and SQL injection through every field a friend, a shop feed
// or an operator can fill. Each case checks what a user relies on: the status and text
// answered, what the simulated LINE delivered (its ledger), and what the database holds.

#include <cstdlib>
#include <fstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "connectors/line/webhook_signature.hpp"
#include "daemon/linking/page_token.hpp"
#include "daemon/store/sqlite/database.hpp"
#include "security_http_support.hpp"
#include "support/musubid_process.hpp"
#include "support/sim_process.hpp"

using namespace musubi;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

constexpr const char* k_secret = "8c570fa6dd201bb328f1c1eac23a96d8";
constexpr const char* k_hashing_key = "security-hashing-key-0123456789abcdef0123456789";
constexpr const char* k_admin_token = "security-admin-token-7f3a9c01d2e4";
constexpr const char* k_tanaka = "U0123456789abcdef0123456789abcdef";
constexpr const char* k_sato = "U1123456789abcdef0123456789abcdef";
constexpr const char* k_path = "/webhook/line";
// The order the tests link to, and the last four digits of its buyer's phone.
constexpr const char* k_order = "123456-20261122-0000000001";
constexpr const char* k_digits = "5678";

std::string scenario() {
    return std::string("line:\n  channel_secret: ") + k_secret +
           "\n  friends:\n    - {userId: " + k_tanaka +
           ", displayName: 田中, language: ja}\n    - {userId: " + k_sato +
           ", displayName: 佐藤, language: ja}\n";
}

template <class Done>
bool eventually(Done done, std::chrono::seconds patience = 30s) {
    const auto give_up = std::chrono::steady_clock::now() + patience;
    while (!done()) {
        if (std::chrono::steady_clock::now() > give_up) {
            return false;
        }
        std::this_thread::sleep_for(50ms);
    }
    return true;
}

struct Run {
    int exit_code = -1;
    std::string output;
};

// Runs a program with exactly these arguments (no shell: quotes stay quotes).
Run run(const std::vector<std::string>& args) {
    int pipe_fds[2];
    BOOST_REQUIRE(::pipe(pipe_fds) == 0);
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::dup2(pipe_fds[1], 1);
        ::dup2(pipe_fds[1], 2);
        ::close(pipe_fds[0]);
        std::vector<char*> argv;
        for (const auto& arg : args) {
            argv.push_back(const_cast<char*>(arg.c_str()));
        }
        argv.push_back(nullptr);
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    ::close(pipe_fds[1]);
    Run result;
    char buffer[4096];
    for (ssize_t got; (got = ::read(pipe_fds[0], buffer, sizeof buffer)) > 0;) {
        result.output.append(buffer, static_cast<std::size_t>(got));
    }
    ::close(pipe_fds[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return result;
}

// A musubid process with its own configuration, store and log; both listeners on ports the
// system picks. Chat and web linking are on (3 attempts per hour), and the shop's own-site
// feed is read from a drop folder.
class Musubid : public test::MusubidProcess {
public:
    explicit Musubid(const test::SimProcess& sim)
        : MusubidProcess("security") {
        copy_shipped("config/scenarios");
        copy_shipped("templates");
        std::filesystem::create_directories(home() / "ecfeed");
        test::MusubidConfig config;
        config.shop_id = "security-shop";
        config.log_level = "debug";
        config.hashing_key = k_hashing_key;
        config.channel_secret = k_secret;
        config.webhook_options = "max_body_bytes: 4096";
        config.admin_token = k_admin_token;
        config.follow_clock = true;
        config.extra = "linking: {page_url: \"http://127.0.0.1/link\", max_attempts: 3, "
                       "attempt_window: 1h}\n"
                       "ecfeed: {drop_dir: " +
                       (home() / "ecfeed").string() + ", poll_interval: 1s}\n";
        start(sim, config);
        wait_ready();
        sim.control_post("/_sim/line/config", {{"webhook_url", webhook_url()}});
    }

    std::int64_t friend_id(const std::string& user_id) const {
        std::vector<std::string> ids;
        BOOST_REQUIRE(eventually([&] {
            ids = column("SELECT id FROM friends WHERE line_user_id = '" + user_id + "'");
            return !ids.empty();
        }));
        return std::stoll(ids.at(0));
    }

    // Chat and web linking look orders up among Rakuten's (link_rules.cpp), so the feed's
    // order is made one once it is stored: the tests need one order a friend can link to.
    void make_rakuten_order(const std::string& order_number) const {
        auto db = store::sqlite::Database::open(db_path());
        BOOST_REQUIRE(db);
        BOOST_REQUIRE(db->exec("UPDATE orders SET source = 'rakuten' WHERE order_number = '" +
                               order_number + "'"));
    }

    // Puts one feed file into the drop folder, old enough to be read at the next scan.
    void drop_feed(const std::string& name, const std::string& lines) {
        const auto file = home().write("ecfeed/" + name + ".part", lines);
        std::filesystem::last_write_time(file, std::filesystem::file_time_type::clock::now() - 1h);
        std::filesystem::rename(file, home() / "ecfeed" / (name + ".jsonl"));
    }

    // musubictl with this configuration and exactly these arguments.
    Run ctl(std::vector<std::string> args) const {
        const char* binary = std::getenv("MUSUBICTL");
        BOOST_REQUIRE(binary != nullptr);
        args.insert(args.begin(), {binary, "--config", config_path().string()});
        return run(args);
    }

    // A signed POST to the webhook path, written out as it goes on the wire.
    std::string post_webhook(const std::string& body,
                             const std::string& content_type = "application/json",
                             const std::string& extra_headers = "") const {
        return test::exchange(
            webhook_port(),
            std::string("POST ") + k_path + " HTTP/1.1\r\nHost: t\r\nConnection: close\r\n" +
                (content_type.empty() ? "" : "Content-Type: " + content_type + "\r\n") +
                "x-line-signature: " + line::webhook_signature(k_secret, body) + "\r\n" +
                extra_headers + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
                body);
    }
};

std::vector<int> statuses(const json& answer) {
    std::vector<int> found;
    for (const auto& delivery : answer["deliveries"]) {
        found.push_back(delivery["status"].get<int>());
    }
    return found;
}

json friend_action(const test::SimProcess& sim, const std::string& user_id,
                   const std::string& action, const json& body) {
    return sim.control_post("/_sim/line/friends/" + user_id + "/" + action, body);
}

// The texts LINE delivered to a friend, in order.
std::vector<std::string> delivered_texts(const test::SimProcess& sim, const std::string& user_id) {
    std::vector<std::string> texts;
    const json ledger = sim.control_get("/_sim/line/ledger");
    const auto entry = ledger["friends"].find(user_id);
    if (entry == ledger["friends"].end()) {
        return texts;
    }
    for (const auto& delivery : (*entry)["deliveries"]) {
        texts.push_back(delivery["message"].value("text", delivery["message"].dump()));
    }
    return texts;
}

std::size_t count_containing(const std::vector<std::string>& texts, std::string_view part) {
    return static_cast<std::size_t>(std::count_if(texts.begin(), texts.end(), [&](const auto& t) {
        return t.find(part) != std::string::npos;
    }));
}

constexpr std::string_view k_keyword_reply = "お問い合わせありがとうございます";
constexpr std::string_view k_ask_phone_part = "下4桁";
constexpr std::string_view k_failed_part = "確認できませんでした";
constexpr std::string_view k_cooldown_part = "連携の受付を止めています";

// The buyer of k_order (phone ending in k_digits), from the shop's own-site feed.
std::string linkable_order_line() {
    return json{{"type", "order"},
                {"order_number", k_order},
                {"ordered_at", "2026-11-20T10:15:00+09:00"},
                {"total", 1800},
                {"items", json::array({{{"sku", "sencha-100"},
                                        {"name", "静岡煎茶 100g"},
                                        {"units", 1},
                                        {"price", 1800}}})},
                {"buyer",
                 {{"email", "security-buyer@example.jp"},
                  {"phone", std::string("090-4321-") + k_digits},
                  {"given_name", "花子"}}}}
               .dump() +
           "\n";
}

std::int64_t sim_now_ms(const test::SimProcess& sim) {
    return sim.control_get("/_sim/line/ledger")["epoch_ms"].get<std::int64_t>();
}

std::string url_encode(std::string_view text) {
    std::string out;
    for (const unsigned char c : text) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out += static_cast<char>(c);
        } else {
            char hex[4];
            std::snprintf(hex, sizeof hex, "%%%02X", c);
            out += hex;
        }
    }
    return out;
}

std::string get_link_page(const Musubid& musubid, const std::string& token) {
    return test::exchange(musubid.webhook_port(), "GET /link?t=" + url_encode(token) +
                                                      " HTTP/1.1\r\nHost: t\r\nConnection: "
                                                      "close\r\n\r\n");
}

std::string post_link_page(const Musubid& musubid, const std::string& token,
                           const std::string& order, const std::string& digits) {
    const std::string form =
        "t=" + url_encode(token) + "&order=" + url_encode(order) + "&digits=" + url_encode(digits);
    return test::exchange(musubid.webhook_port(),
                          "POST /link HTTP/1.1\r\nHost: t\r\nConnection: close\r\nContent-Type: "
                          "application/x-www-form-urlencoded\r\nContent-Length: " +
                              std::to_string(form.size()) + "\r\n\r\n" + form);
}

std::string get_admin(const Musubid& musubid, const std::string& path,
                      const std::string& authorization) {
    return test::exchange(
        musubid.admin_port(),
        "GET " + path + " HTTP/1.1\r\nHost: t\r\nConnection: close\r\n" +
            (authorization.empty() ? "" : "Authorization: " + authorization + "\r\n") + "\r\n");
}

} // namespace

BOOST_AUTO_TEST_SUITE(security_daemon)

BOOST_AUTO_TEST_CASE(forged_and_replayed_webhooks_store_and_send_nothing_more) {
    test::SimProcess sim(scenario());
    Musubid musubid(sim);

    BOOST_TEST(statuses(friend_action(sim, k_tanaka, "follow", json::object())) ==
               std::vector<int>{200});
    // The same body three times, then LINE's redelivery of it twice.
    const auto asked = friend_action(sim, k_tanaka, "text", {{"text", "送料"}, {"duplicates", 2}});
    BOOST_TEST(statuses(asked) == (std::vector<int>{200, 200, 200}));
    const std::string asked_id = asked["webhookEventId"];
    BOOST_TEST(statuses(sim.control_post("/_sim/line/webhooks/" + asked_id + "/redeliver",
                                         {{"duplicates", 1}})) == (std::vector<int>{200, 200}));
    // Signed with another secret, and not signed at all: 401, never stored, never answered.
    const auto forged =
        friend_action(sim, k_tanaka, "text", {{"text", "営業時間"}, {"bad_signature", true}});
    BOOST_TEST(statuses(forged) == std::vector<int>{401});
    BOOST_TEST(forged["deliveries"][0]["body"] == R"({"message":"invalid signature"})");
    const std::string forged_id = forged["webhookEventId"];
    const std::string unsigned_body =
        R"({"destination":"U8e742f61d673b39c7fff3cecb7536ef0","events":[{"type":"message","mode":"active","timestamp":1,)"
        R"("source":{"type":"user","userId":")" +
        std::string(k_tanaka) +
        R"("},"webhookEventId":"01UNSIGNEDUNSIGNEDUNSIGNED","replyToken":"r",)"
        R"("deliveryContext":{"isRedelivery":false},"message":{"type":"text","id":"1","text":"送料"}}]})";
    const auto unsigned_answer = test::exchange(
        musubid.webhook_port(),
        std::string("POST ") + k_path +
            " HTTP/1.1\r\nHost: t\r\nConnection: close\r\nContent-Type: application/json\r\n"
            "Content-Length: " +
            std::to_string(unsigned_body.size()) + "\r\n\r\n" + unsigned_body);
    BOOST_TEST(test::status_of(unsigned_answer) == 401);
    BOOST_TEST(test::body_of(unsigned_answer) == R"({"message":"invalid signature"})");
    // A later question: once it is answered, everything before it has been handled.
    BOOST_TEST(statuses(friend_action(sim, k_tanaka, "text", {{"text", "問い合わせ"}})) ==
               std::vector<int>{200});

    BOOST_TEST(eventually(
        [&] { return count_containing(delivered_texts(sim, k_tanaka), k_keyword_reply) >= 2; }));
    // One answer per question: none for the replays, the forgery or the unsigned body.
    BOOST_TEST(count_containing(delivered_texts(sim, k_tanaka), k_keyword_reply) == 2u);
    BOOST_TEST(musubid.count("SELECT count(*) FROM webhook_events WHERE event_id = '" + asked_id +
                             "'") == 1);
    BOOST_TEST(musubid.count("SELECT count(*) FROM webhook_events WHERE event_id IN ('" +
                             forged_id + "', '01UNSIGNEDUNSIGNEDUNSIGNED')") == 0);
    BOOST_TEST(musubid.count("SELECT count(*) FROM webhook_events") == 3); // follow, 2 questions
}

BOOST_AUTO_TEST_CASE(oversized_and_malformed_bodies_are_refused_and_store_nothing) {
    test::SimProcess sim(scenario());
    Musubid musubid(sim);
    const auto event = [](const std::string& id) {
        return R"({"type":"unfollow","mode":"active","timestamp":1700000000000,)"
               R"("source":{"type":"user","userId":"U2123456789abcdef0123456789abcdef"},)"
               R"("webhookEventId":")" +
               id + R"(","deliveryContext":{"isRedelivery":false}})";
    };

    // Over webhook.max_body_bytes (4096): by its Content-Length, and chunked without one.
    const std::string big =
        R"({"destination":"U8e742f61d673b39c7fff3cecb7536ef0","events":[],"pad":")" +
        std::string(5000, 'x') + "\"}";
    const auto too_large = musubid.post_webhook(big);
    BOOST_TEST(test::status_of(too_large) == 413);
    BOOST_TEST(test::body_of(too_large) == R"({"message":"Request Entity Too Large"})");
    std::string chunked;
    for (std::size_t at = 0; at < big.size(); at += 1000) {
        const auto piece = big.substr(at, 1000);
        char size[16];
        std::snprintf(size, sizeof size, "%zx", piece.size());
        chunked += std::string(size) + "\r\n" + piece + "\r\n";
    }
    chunked += "0\r\n\r\n";
    const auto chunked_answer = test::exchange(
        musubid.webhook_port(),
        std::string("POST ") + k_path +
            " HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nx-line-signature: " +
            line::webhook_signature(k_secret, big) + "\r\nTransfer-Encoding: chunked\r\n\r\n" +
            chunked);
    BOOST_TEST(test::status_of(chunked_answer) == 413);
    // A chunk size that is no number: the body ends there, and its signature fails.
    const std::string valid_verify =
        R"({"destination":"U8e742f61d673b39c7fff3cecb7536ef0","events":[]})";
    const auto broken_chunks = test::exchange(
        musubid.webhook_port(),
        std::string("POST ") + k_path +
            " HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nx-line-signature: " +
            line::webhook_signature(k_secret, valid_verify) +
            "\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n" + valid_verify + "\r\n0\r\n\r\n");
    BOOST_TEST(test::status_of(broken_chunks) == 401);
    BOOST_TEST(test::body_of(broken_chunks) == R"({"message":"invalid signature"})");
    // Signed, but not JSON, or not LINE's shape, or not declared as JSON.
    const auto not_json = musubid.post_webhook(R"({"events":[)");
    BOOST_TEST(test::status_of(not_json) == 400);
    BOOST_TEST(test::body_of(not_json) == R"({"message":"the body is not valid JSON"})");
    const auto no_events = musubid.post_webhook(R"({"events":{"a":1}})");
    BOOST_TEST(test::status_of(no_events) == 400);
    BOOST_TEST(test::body_of(no_events) == R"({"message":"'events' is missing or not an array"})");
    const auto no_id = musubid.post_webhook(R"({"events":[{"type":"unfollow","timestamp":1}]})");
    BOOST_TEST(test::body_of(no_id) == R"({"message":"events[0] has no webhookEventId"})");
    const std::string valid = R"({"destination":"U8e742f61d673b39c7fff3cecb7536ef0","events":[)" +
                              event("01VALIDCHUNKED0000000000") + "]}";
    for (const std::string type : {"text/plain", "application/x-www-form-urlencoded", ""}) {
        const auto answer = musubid.post_webhook(valid, type);
        BOOST_TEST(test::status_of(answer) == 415, type);
        BOOST_TEST(test::body_of(answer) ==
                   R"({"message":"Content-Type must be application/json"})");
    }
    BOOST_TEST(musubid.count("SELECT count(*) FROM webhook_events") == 0);

    // The same body, correctly chunked: accepted and stored once.
    const auto accepted = test::exchange(
        musubid.webhook_port(),
        std::string("POST ") + k_path +
            " HTTP/1.1\r\nHost: t\r\nConnection: close\r\nContent-Type: application/json; "
            "charset=utf-8\r\nx-line-signature: " +
            line::webhook_signature(k_secret, valid) + "\r\nTransfer-Encoding: chunked\r\n\r\n" +
            [&] {
                char size[16];
                std::snprintf(size, sizeof size, "%zx", valid.size());
                return std::string(size) + "\r\n" + valid + "\r\n0\r\n\r\n";
            }());
    BOOST_TEST(test::status_of(accepted) == 200);
    BOOST_TEST(musubid.column("SELECT event_id FROM webhook_events") ==
               std::vector<std::string>{"01VALIDCHUNKED0000000000"});
}

BOOST_AUTO_TEST_CASE(slow_clients_do_not_stop_the_webhook_or_admin_port) {
    test::SimProcess sim(scenario());
    Musubid musubid(sim);
    // Far more than either server has threads and queue places (16 and 64), each sending its
    // head a byte at a time.
    test::SlowClients slow_webhook(musubid.webhook_port(), 120,
                                   std::string("POST ") + k_path + " HTTP/1.1\r\nHost: t\r\n",
                                   "X-Slow: 1\r\n");
    test::SlowClients slow_admin(musubid.admin_port(), 120, "GET /healthz HTTP/1.1\r\nHost: t\r\n",
                                 "X-Slow: 1\r\n");
    test::SlowClients slow_bodies(musubid.webhook_port(), 40,
                                  std::string("POST ") + k_path +
                                      " HTTP/1.1\r\nHost: t\r\nContent-Length: 3000\r\n\r\n",
                                  "{");

    const auto health = get_admin(musubid, "/healthz", "");
    BOOST_TEST(test::status_of(health) == 200);
    BOOST_TEST(test::body_of(health) == "ok\n");
    BOOST_TEST(statuses(friend_action(sim, k_tanaka, "follow", json::object())) ==
               std::vector<int>{200});
    BOOST_TEST(statuses(sim.control_post("/_sim/line/webhooks/verify")) == std::vector<int>{200});
    BOOST_TEST(!slow_webhook.answered());
    BOOST_TEST(!slow_admin.answered());
    BOOST_TEST(!slow_bodies.answered());
    BOOST_TEST(musubid.count("SELECT count(*) FROM webhook_events") == 1);
}

BOOST_AUTO_TEST_CASE(the_admin_api_answers_only_with_its_token) {
    test::SimProcess sim(scenario());
    Musubid musubid(sim);
    const std::string token = k_admin_token;
    const std::string metrics_refusal =
        R"x({"message":"missing or wrong bearer token (admin.token)"})x";
    const std::string status_refusal =
        R"x({"message":"the status page needs the admin token (admin.token): as a bearer token, )x"
        R"(or as the password of the browser's login prompt"})";
    const std::vector<std::string> wrong = {
        "",
        "Bearer wrong",
        "Bearer " + token.substr(0, token.size() - 1),
        "Bearer " + token + "x",
        "Bearer  " + token,
        "bearer" + token,
        "Token " + token,
        "Basic " + std::string("dXNlcjp3cm9uZw=="), // user:wrong
        "Basic not-base64!",
    };
    for (const std::string path : {"/metrics", "/status", "/status.json", "/"}) {
        for (const auto& authorization : wrong) {
            const auto answer = get_admin(musubid, path, authorization);
            BOOST_TEST(test::status_of(answer) == 401, path << " with '" << authorization << "'");
            BOOST_TEST(test::body_of(answer) ==
                           (path == "/metrics" ? metrics_refusal : status_refusal),
                       path);
            BOOST_TEST(answer.find("# TYPE") == std::string::npos);
        }
        BOOST_TEST(test::status_of(get_admin(musubid, path, "Bearer " + token)) == 200, path);
    }
    BOOST_TEST(test::body_of(get_admin(musubid, "/metrics", "Bearer " + token)).find("# TYPE") !=
               std::string::npos);
    // The probe needs nothing.
    BOOST_TEST(test::status_of(get_admin(musubid, "/healthz", "")) == 200);
}

BOOST_AUTO_TEST_CASE(changed_expired_and_foreign_link_tokens_are_refused_and_link_nothing) {
    test::SimProcess sim(scenario());
    Musubid musubid(sim);
    friend_action(sim, k_tanaka, "follow", json::object());
    friend_action(sim, k_sato, "follow", json::object());
    musubid.drop_feed("orders", linkable_order_line());
    BOOST_REQUIRE(eventually([&] {
        return musubid.count("SELECT count(*) FROM orders WHERE order_number = '" +
                             std::string(k_order) + "'") == 1;
    }));
    musubid.make_rakuten_order(k_order);
    const auto tanaka = musubid.friend_id(k_tanaka);
    const auto sato = musubid.friend_id(k_sato);
    const std::int64_t ttl = 30 * 60 * 1000; // linking.page_token_ttl's default
    const linking::PageTokens tokens(k_hashing_key, ttl);
    const auto now = sim_now_ms(sim);
    const std::string valid = tokens.make(tanaka, now);

    // Every byte of the signature, changed; the friend changed to another (Sato's own
    // signature is not Tanaka's); another key's token; an expired one.
    std::vector<std::string> forged;
    const auto signature_at = valid.rfind('.') + 1;
    for (std::size_t at = signature_at; at < valid.size(); at += 7) {
        auto changed = valid;
        changed[at] = changed[at] == 'A' ? 'B' : 'A';
        forged.push_back(changed);
    }
    auto other_friend = valid;
    other_friend.replace(3, std::to_string(tanaka).size(), std::to_string(sato));
    forged.push_back(other_friend);
    forged.push_back(
        linking::PageTokens("another-hashing-key-0123456789abcdef0123", ttl).make(sato, now));
    forged.push_back(valid.substr(0, valid.size() - 1));
    forged.push_back("v1." + std::to_string(sato) + ".99999999999999.x");
    forged.push_back("'; DROP TABLE links;--");
    for (const auto& token : forged) {
        const auto shown = get_link_page(musubid, token);
        BOOST_TEST(test::status_of(shown) == 403, token);
        BOOST_TEST(shown.find("リンクが正しくありません") != std::string::npos);
        BOOST_TEST(shown.find("<form") == std::string::npos);
        const auto sent = post_link_page(musubid, token, k_order, k_digits);
        BOOST_TEST(test::status_of(sent) == 403, token);
        BOOST_TEST(sent.find("このリンクは使えません") != std::string::npos);
    }
    const auto expired = tokens.make(tanaka, now - ttl - 1000);
    const auto expired_page = get_link_page(musubid, expired);
    BOOST_TEST(test::status_of(expired_page) == 410);
    BOOST_TEST(expired_page.find("リンクの有効期限切れ") != std::string::npos);
    BOOST_TEST(test::status_of(post_link_page(musubid, expired, k_order, k_digits)) == 410);
    BOOST_TEST(musubid.count("SELECT count(*) FROM links") == 0);
    BOOST_TEST(musubid.count("SELECT count(*) FROM link_attempts") == 0);

    // The untouched token with the same data links: the refusals were the tokens'.
    const auto form = get_link_page(musubid, valid);
    BOOST_TEST(test::status_of(form) == 200);
    BOOST_TEST(form.find("<form") != std::string::npos);
    const auto linked = post_link_page(musubid, valid, k_order, k_digits);
    BOOST_TEST(test::status_of(linked) == 200);
    BOOST_TEST(linked.find("連携が完了しました") != std::string::npos);
    BOOST_TEST(musubid.column("SELECT friend_id FROM links WHERE unlinked_at IS NULL") ==
               std::vector<std::string>{std::to_string(tanaka)});
}

BOOST_AUTO_TEST_CASE(guessing_the_phone_digits_meets_the_attempt_limit) {
    test::SimProcess sim(scenario());
    Musubid musubid(sim);
    friend_action(sim, k_sato, "follow", json::object());
    musubid.drop_feed("orders", linkable_order_line());
    BOOST_REQUIRE(eventually([&] {
        return musubid.count("SELECT count(*) FROM orders WHERE order_number = '" +
                             std::string(k_order) + "'") == 1;
    }));
    musubid.make_rakuten_order(k_order);
    const auto sato = musubid.friend_id(k_sato);
    const auto say = [&](const std::string& text, std::string_view expected, std::size_t times) {
        BOOST_TEST(statuses(friend_action(sim, k_sato, "text", {{"text", text}})) ==
                   std::vector<int>{200});
        BOOST_TEST(eventually([&] {
                       return count_containing(delivered_texts(sim, k_sato), expected) >= times;
                   }),
                   text << ": no reply containing '" << expected << "'");
    };

    say(k_order, k_ask_phone_part, 1);
    say("0000", k_failed_part, 1);
    say("1111", k_failed_part, 2);
    say("2222", k_failed_part, 3); // linking.max_attempts
    // The right digits, now: refused like the rest, for the window.
    say(k_digits, k_cooldown_part, 1);
    say(std::string(k_order) + " " + k_digits, k_cooldown_part, 2);
    BOOST_TEST(musubid.count("SELECT count(*) FROM links") == 0);
    BOOST_TEST(musubid.count("SELECT count(*) FROM link_attempts WHERE outcome = 'failed'") == 3);
    BOOST_TEST(musubid.count("SELECT count(*) FROM link_attempts WHERE outcome = 'cooldown'") == 2);
    // The link page counts the same attempts: the right data there is refused too.
    const linking::PageTokens tokens(k_hashing_key, 30 * 60 * 1000);
    const auto page =
        post_link_page(musubid, tokens.make(sato, sim_now_ms(sim)), k_order, k_digits);
    BOOST_TEST(test::status_of(page) == 429);
    BOOST_TEST(page.find("確認の回数が上限に達しました") != std::string::npos);
    BOOST_TEST(musubid.count("SELECT count(*) FROM links") == 0);
}

BOOST_AUTO_TEST_CASE(sql_in_every_field_is_stored_verbatim_and_harms_no_table) {
    test::SimProcess sim(scenario());
    Musubid musubid(sim);
    const auto tables = [&] {
        return musubid.column("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name");
    };
    const auto before = tables();
    BOOST_REQUIRE(before.size() > 10u);

    const std::string drop = "x'); DROP TABLE friends;--";
    const std::string quote_or = "' OR '1'='1";
    // A friend's name and words: the profile, text messages, postback data (with a NUL).
    sim.control_post("/_sim/line/friends",
                     {{"userId", k_sato}, {"displayName", "佐藤" + drop}, {"language", "ja"}});
    friend_action(sim, k_sato, "follow", json::object());
    for (const auto& text : {drop, std::string(k_order) + quote_or,
                             std::string("123456-20261122-0000000009'; DELETE FROM orders;--"),
                             std::string("\"; DROP TABLE outbox;--")}) {
        BOOST_TEST(statuses(friend_action(sim, k_sato, "text", {{"text", text}})) ==
                   std::vector<int>{200});
    }
    constexpr char k_postback[] = "action=menu'; DROP TABLE links;--\0tail";
    const std::string postback(k_postback, sizeof k_postback - 1);
    BOOST_TEST(statuses(friend_action(sim, k_sato, "postback", {{"data", postback}})) ==
               std::vector<int>{200});
    // A LINE user id that is no user id, in a signed event.
    const std::string odd_user = "U'); DROP TABLE webhook_events;--";
    const std::string odd_body =
        R"({"destination":"U8e742f61d673b39c7fff3cecb7536ef0","events":[{"type":"unfollow","mode":"active","timestamp":1,)"
        R"("source":{"type":"user","userId":")" +
        odd_user +
        R"("},"webhookEventId":"01ODDUSER000000000000000","deliveryContext":)"
        R"({"isRedelivery":false}}]})";
    BOOST_TEST(test::status_of(musubid.post_webhook(odd_body)) == 200);

    // The shop's feed: order number, item, buyer's name (with a NUL), shipment fields.
    const std::string order_number = "SQL';DROP_TABLE_orders;--";
    constexpr char k_given_name[] = "O'Brien\"); DROP TABLE buyers;--\0x";
    const std::string given_name(k_given_name, sizeof k_given_name - 1);
    const std::string item = "煎茶'); DELETE FROM facts;--";
    musubid.drop_feed(
        "orders",
        json{{"type", "order"},
             {"order_number", order_number},
             {"ordered_at", "2026-11-20T10:15:00+09:00"},
             {"total", 100},
             {"items",
              json::array({{{"sku", quote_or}, {"name", item}, {"units", 1}, {"price", 100}}})},
             {"buyer", {{"email", "sql-buyer@example.jp"}, {"given_name", given_name}}}}
                .dump() +
            "\n" +
            json{{"type", "shipment"},
                 {"order_number", order_number},
                 {"shipped_at", "2026-11-21T10:15:00+09:00"},
                 {"carrier", "ヤマト'; DROP TABLE outbox;--"},
                 {"carrier_code", quote_or},
                 {"tracking_number", "1234'--"}}
                .dump() +
            "\n");
    BOOST_REQUIRE(eventually([&] {
        return musubid.count("SELECT count(*) FROM orders WHERE shipped_at IS NOT NULL") == 1;
    }));

    // The operator's command line.
    const auto shown = musubid.ctl({"friend", "show", std::string(k_sato) + quote_or});
    BOOST_TEST(shown.exit_code != 0, shown.output);
    const auto linked = musubid.ctl({"link", k_sato, order_number + quote_or});
    BOOST_TEST(linked.exit_code == 1, linked.output);
    const auto listed = musubid.ctl({"outbox", "list", "--scenario", quote_or});
    BOOST_TEST(listed.exit_code == 0, listed.output);
    const auto sent = musubid.ctl({"test-send", k_sato, "--template", "x'; DROP TABLE outbox;--"});
    BOOST_TEST(sent.exit_code != 0, sent.output);
    const auto link_sql = musubid.ctl({"link", k_sato, order_number});
    BOOST_TEST(link_sql.exit_code == 0, link_sql.output); // the odd order number is a real one

    // Everything arrived as it was sent; every table is still there and the file is sound.
    BOOST_REQUIRE(
        eventually([&] { return musubid.count("SELECT count(*) FROM webhook_events") >= 7; }));
    BOOST_TEST(tables() == before);
    BOOST_TEST(musubid.column("PRAGMA integrity_check") == std::vector<std::string>{"ok"});
    BOOST_TEST(eventually([&] {
        return musubid.column("SELECT display_name FROM friends WHERE line_user_id = '" +
                              std::string(k_sato) + "'") == std::vector<std::string>{"佐藤" + drop};
    }));
    BOOST_TEST(musubid.column("SELECT order_number FROM orders") ==
               std::vector<std::string>{order_number});
    const auto hex = [](std::string_view bytes) {
        std::string out;
        char two[3];
        for (const unsigned char c : bytes) {
            std::snprintf(two, sizeof two, "%02X", c);
            out += two;
        }
        return out;
    };
    BOOST_TEST(musubid.column("SELECT hex(given_name) FROM buyers") ==
               std::vector<std::string>{hex(given_name)});
    BOOST_TEST(musubid.column("SELECT tracking_number FROM orders") ==
               std::vector<std::string>{"1234'--"});
    const auto items = json::parse(musubid.column("SELECT items FROM orders").at(0));
    BOOST_TEST(items.dump().find(json(item).dump()) != std::string::npos, items.dump());
    BOOST_TEST(musubid.count("SELECT count(*) FROM webhook_events WHERE body LIKE '%" +
                             std::string("U''); DROP TABLE webhook_events;--") + "%'") == 1);
    BOOST_TEST(musubid.count("SELECT count(*) FROM links WHERE unlinked_at IS NULL") == 1);
    // And with the sqlite3 program, as an operator would look.
    const auto cli = run({"/usr/bin/sqlite3", musubid.db_path().string(),
                          "SELECT display_name FROM friends WHERE line_user_id = '" +
                              std::string(k_sato) + "'; SELECT order_number FROM orders;"});
    BOOST_TEST(cli.output == "佐藤" + drop + "\n" + order_number + "\n");
}

BOOST_AUTO_TEST_SUITE_END()
