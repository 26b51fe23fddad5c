// musubid's webhook server as LINE sees it: musubi-sim plays friends who follow, write and
// get their events redelivered or duplicated, and sends them to a real musubid process. The
// test checks what the simulator recorded for each delivery (status per attempt) and what the
// daemon's SQLite file holds (each event once), and that a taken port stops musubid with a
// clear error.

#include <cstdlib>
#include <fcntl.h>
#include <set>
#include <signal.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include <Poco/Net/ServerSocket.h>
#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "daemon/store/sqlite/database.hpp"
#include "support/sim_process.hpp"
#include "support/temp_dir.hpp"

using namespace musubi;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

constexpr const char* k_secret = "8c570fa6dd201bb328f1c1eac23a96d8";
constexpr const char* k_tanaka = "U0123456789abcdef0123456789abcdef";
constexpr const char* k_sato = "U1123456789abcdef0123456789abcdef";
constexpr const char* k_path = "/webhook/line";

std::string scenario() {
    return std::string("line:\n  channel_secret: ") + k_secret +
           "\n  friends:\n    - {userId: " + k_tanaka + ", displayName: 田中, language: ja}\n";
}

// A musubid process with its own configuration, store and log, listening for webhooks on a
// port the system picks (or the one given).
class Musubid {
public:
    Musubid(const test::SimProcess& sim, const std::string& listen = "127.0.0.1:0") {
        const char* binary = std::getenv("MUSUBID");
        const char* source = std::getenv("MUSUBI_SOURCE_DIR");
        BOOST_REQUIRE_MESSAGE(binary != nullptr && source != nullptr,
                              "MUSUBID and MUSUBI_SOURCE_DIR are set by ctest");
        std::filesystem::create_directories(m_dir / "config");
        std::filesystem::copy(std::filesystem::path(source) / "config" / "scenarios",
                              m_dir / "config" / "scenarios",
                              std::filesystem::copy_options::recursive);
        std::filesystem::copy(std::filesystem::path(source) / "templates", m_dir / "templates",
                              std::filesystem::copy_options::recursive);
        const auto config =
            m_dir.write("config/musubi.yaml", R"(shop: {id: it-shop, name: テスト商店}
store: {path: )" + (m_dir / "state" / "musubi.db").string() +
                                                  R"(}
log: {format: kv, level: debug, timestamps: never}
privacy: {hashing_key: it-hashing-key-0123456789abcdef0123456789abcdef}
rakuten: {enabled: false}
line:
  api_base_url: )" + sim.api_url() + R"(
  data_api_base_url: )" + sim.data_url() +
                                                  R"(
  channel_secret: )" + k_secret + R"(
  channel_access_token: musubi-sim-token
webhook: {listen: ")" + listen + R"(", path: )" + k_path +
                                                  R"(}
admin: {listen: "127.0.0.1:0", token: it-admin-token-0123}
templates: ../templates
scenarios: scenarios/*.yaml
)");
        m_log = m_dir / "musubid.log";
        m_pid = ::fork();
        if (m_pid == 0) {
            const int fd = ::open(m_log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
            ::dup2(fd, 1);
            ::dup2(fd, 2);
            ::execl(binary, binary, "--config", config.c_str(), nullptr);
            ::_exit(127);
        }
    }
    ~Musubid() {
        if (m_pid > 0) {
            ::kill(m_pid, SIGKILL);
            ::waitpid(m_pid, nullptr, 0);
        }
        // Kept for it.zz_log_scan, which checks every log of the suite for personal data.
        if (const char* kept = std::getenv("MUSUBI_TEST_LOGS"); kept != nullptr) {
            std::error_code ignored;
            std::filesystem::copy_file(
                m_log,
                std::filesystem::path(kept) /
                    ("webhook_server-" + m_log.parent_path().filename().string() + ".log"),
                std::filesystem::copy_options::overwrite_existing, ignored);
        }
    }
    Musubid(const Musubid&) = delete;
    Musubid& operator=(const Musubid&) = delete;

    // Waits for READY's log line; then the listener is bound and its port logged.
    void wait_ready() {
        for (int i = 0; i < 400 && log().find("event=ready") == std::string::npos; ++i) {
            BOOST_REQUIRE_MESSAGE(running(), "musubid exited:\n" + log());
            std::this_thread::sleep_for(25ms);
        }
        const auto text = log();
        const auto line = text.find("event=webhook.listening address=127.0.0.1:");
        BOOST_REQUIRE_MESSAGE(line != std::string::npos, "no webhook.listening line:\n" + text);
        m_port = std::stoi(text.substr(line + std::string_view("event=webhook.listening "
                                                               "address=127.0.0.1:")
                                                  .size()));
        BOOST_TEST(text.find("path=/webhook/line") != std::string::npos);
    }
    bool running() {
        if (m_pid <= 0) {
            return false;
        }
        int status = 0;
        if (::waitpid(m_pid, &status, WNOHANG) == m_pid) {
            m_pid = -1;
            m_exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
            return false;
        }
        return true;
    }
    // Waits for the process to end (sending SIGTERM first when `terminate`); its exit code.
    int wait_exit(bool terminate) {
        if (m_pid > 0) {
            if (terminate) {
                ::kill(m_pid, SIGTERM);
            }
            int status = 0;
            ::waitpid(m_pid, &status, 0);
            m_pid = -1;
            m_exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        }
        return m_exit_code;
    }

    int port() const { return m_port; }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(m_port) + k_path; }
    std::string log() const {
        return std::filesystem::exists(m_log) ? test::read_file(m_log) : std::string();
    }
    std::vector<std::string> column(const std::string& sql) const {
        auto db = store::sqlite::Database::open(m_dir / "state" / "musubi.db");
        BOOST_REQUIRE(db);
        auto statement = db->prepare(sql);
        BOOST_REQUIRE(statement);
        std::vector<std::string> values;
        while (*statement->step()) {
            values.push_back(statement->column_text(0));
        }
        return values;
    }

private:
    test::TempDir m_dir;
    std::filesystem::path m_log;
    pid_t m_pid = -1;
    int m_port = 0;
    int m_exit_code = -1;
};

std::vector<int> statuses(const json& answer) {
    std::vector<int> found;
    for (const auto& delivery : answer["deliveries"]) {
        found.push_back(delivery["status"].get<int>());
    }
    return found;
}

} // namespace

BOOST_AUTO_TEST_SUITE(webhook_server)

BOOST_AUTO_TEST_CASE(friends_events_are_answered_200_and_stored_once) {
    test::SimProcess sim(scenario());
    Musubid musubid(sim);
    musubid.wait_ready();
    sim.control_post("/_sim/line/config", {{"webhook_url", musubid.url()}});

    // LINE's connection check.
    BOOST_TEST(statuses(sim.control_post("/_sim/line/webhooks/verify")) == std::vector<int>{200});

    const auto follow = sim.control_post(std::string("/_sim/line/friends/") + k_sato + "/follow",
                                         {{"displayName", "佐藤"}});
    BOOST_TEST(statuses(follow) == std::vector<int>{200});
    const auto text = sim.control_post(std::string("/_sim/line/friends/") + k_tanaka + "/text",
                                       {{"text", "123456-20261122-0000000001 です"}});
    BOOST_TEST(statuses(text) == std::vector<int>{200});
    // The identical body three times, and the follow redelivered.
    const auto duplicated =
        sim.control_post(std::string("/_sim/line/friends/") + k_tanaka + "/text",
                         {{"text", "2"}, {"duplicates", 2}});
    BOOST_TEST(statuses(duplicated) == (std::vector<int>{200, 200, 200}));
    const std::string follow_id = follow["webhookEventId"];
    const auto redelivered =
        sim.control_post("/_sim/line/webhooks/" + follow_id + "/redeliver", json::object());
    BOOST_TEST(statuses(redelivered) == std::vector<int>{200});
    // Two events written earlier, out of order, sent together in one body.
    const auto later = sim.control_post(std::string("/_sim/line/friends/") + k_tanaka + "/text",
                                        {{"text", "later"}, {"send", false}});
    const auto earlier = sim.control_post(
        std::string("/_sim/line/friends/") + k_sato + "/postback",
        {{"data", "action=menu"}, {"timestamp_offset_ms", -60000}, {"send", false}});
    const std::string later_id = later["webhookEventId"];
    const std::string earlier_id = earlier["webhookEventId"];
    BOOST_TEST(statuses(sim.control_post("/_sim/line/webhooks/send",
                                         {{"webhookEventIds", {later_id, earlier_id}}})) ==
               std::vector<int>{200});
    // Signed with another secret: refused, never stored.
    const auto forged = sim.control_post(std::string("/_sim/line/friends/") + k_tanaka + "/text",
                                         {{"text", "forged"}, {"bad_signature", true}});
    BOOST_TEST(statuses(forged) == std::vector<int>{401});
    BOOST_TEST(forged["deliveries"][0]["body"] == R"({"message":"invalid signature"})");
    const std::string forged_id = forged["webhookEventId"];

    // The simulator's record: every attempt of every event, as LINE would show it.
    std::set<std::string> accepted;
    const json recorded = sim.control_get("/_sim/line/webhooks"); // kept: no dangling range
    for (const auto& webhook : recorded["webhooks"]) {
        const std::string id = webhook["event"]["webhookEventId"];
        for (const auto& attempt : webhook["attempts"]) {
            BOOST_TEST(attempt["status"].get<int>() == (id == forged_id ? 401 : 200),
                       id << " attempt answered " << attempt["status"]);
        }
        if (id != forged_id) {
            accepted.insert(id);
        }
    }
    BOOST_TEST(accepted.size() == 5u);

    // The store: each accepted event exactly once, with its own timestamp; nothing forged.
    const auto rows = musubid.column("SELECT event_id FROM webhook_events ORDER BY event_id");
    BOOST_TEST(std::set<std::string>(rows.begin(), rows.end()) == accepted);
    BOOST_TEST(rows.size() == accepted.size());
    BOOST_TEST(
        musubid
            .column("SELECT occurred_at FROM webhook_events WHERE event_id = '" + earlier_id + "'")
            .at(0) == std::to_string(earlier["event"]["timestamp"].get<std::int64_t>()));
    const auto body = json::parse(
        musubid.column("SELECT body FROM webhook_events WHERE event_id = '" + follow_id + "'")
            .at(0));
    BOOST_TEST(body["type"] == "follow");
    BOOST_TEST(body["deliveryContext"]["isRedelivery"] == false); // the first copy is kept

    BOOST_TEST(musubid.wait_exit(true) == 0);
    const auto log = musubid.log();
    BOOST_TEST(log.find("event=webhook.signature_refused refused=1") != std::string::npos);
    BOOST_TEST(log.find("event=webhook.received events=2 new=2 duplicates=0") != std::string::npos);
    // No message text in the log, and not the secret.
    BOOST_TEST(log.find("0000000001") == std::string::npos);
    BOOST_TEST(log.find("forged") == std::string::npos);
    BOOST_TEST(log.find(k_secret) == std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_taken_webhook_port_stops_musubid_with_a_clear_error) {
    test::SimProcess sim(scenario());
    Poco::Net::ServerSocket taken(Poco::Net::SocketAddress("127.0.0.1", 0));
    const auto address = "127.0.0.1:" + std::to_string(taken.address().port());
    Musubid musubid(sim, address);
    BOOST_TEST(musubid.wait_exit(false) == 1);
    const auto log = musubid.log();
    BOOST_TEST(log.find("error=\"cannot listen on " + address +
                        " for webhook: address already in use (another program, or another "
                        "musubi, listens there); stop what listens there, or set another "
                        "host:port in webhook.listen") != std::string::npos,
               log);
    BOOST_TEST(log.find("event=ready") == std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
