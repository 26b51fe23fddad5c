// The dispatcher's crash test: a child process dispatches ≥ 10,000 due messages and is killed
// with SIGKILL at random moments many times, then restarted; the simulator's ledger must
// show every message delivered exactly once — zero duplicates, zero lost. (Issue 6's crash
// test for the whole daemon reuses this once the engine is wired.)
//
// The parent holds no SQLite connection while it forks: a connection must never cross a
// fork, so the parent opens one only to look, and closes it before the next child.

#include <algorithm>
#include <random>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>

#include "dispatcher_support.hpp"

using nlohmann::json;
using namespace musubi;
using namespace musubi::test;

namespace {

constexpr int k_friends = 100;
constexpr int k_per_friend = 100; // 10,000 messages
constexpr int k_kills = 25;

std::string text_for(int friend_n, int i) {
    return "crash " + std::to_string(friend_n) + "-" + std::to_string(i);
}

void create_store(const std::filesystem::path& path) {
    auto clock = std::make_shared<clock::SystemClock>();
    auto store = store::sqlite::SqliteStore::open(path, std::chrono::seconds(10), clock);
    BOOST_REQUIRE_MESSAGE(store, (store ? "" : store.error().message));
    auto db = store::sqlite::open_connection(path, std::chrono::seconds(10));
    BOOST_REQUIRE(db);
    BOOST_REQUIRE(db->exec("BEGIN IMMEDIATE"));
    for (int n = 1; n <= k_friends; ++n) {
        BOOST_REQUIRE(db->exec("INSERT INTO friends (id, line_user_id, created_at, updated_at) "
                               "VALUES (" +
                               std::to_string(n) + ", '" + user_id(n) + "', 0, 0)"));
    }
    const auto now = clock->now_ms();
    for (int i = 1; i <= k_per_friend; ++i) {
        for (int n = 1; n <= k_friends; ++n) {
            store::sqlite::NewMessage message;
            message.retry_key = outbox::derive_retry_key("crash/" + text_for(n, i));
            message.friend_id = n;
            message.scenario = "crash";
            message.step = "step";
            message.payload = text_messages(text_for(n, i)).dump();
            message.due_at = now;
            auto inserted = store::sqlite::insert_outbox_row(*db, message, now);
            BOOST_REQUIRE(inserted && *inserted);
        }
    }
    BOOST_REQUIRE(db->exec("COMMIT"));
}

// Rows not yet in a final state; the connection is closed before returning.
std::int64_t unsettled(const std::filesystem::path& path) {
    auto db = store::sqlite::open_connection(path, std::chrono::seconds(10));
    BOOST_REQUIRE(db);
    auto statement =
        db->prepare("SELECT count(*) FROM outbox WHERE state IN ('pending', 'sending')");
    BOOST_REQUIRE(statement);
    auto row = statement->step();
    BOOST_REQUIRE(row && *row);
    return statement->column_int64(0);
}

// Runs a dispatcher in a child process until it is killed.
pid_t start_child(const std::filesystem::path& path, const SimProcess& sim,
                  const std::filesystem::path& log) {
    const pid_t pid = ::fork();
    if (pid != 0) {
        return pid;
    }
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    auto clock = std::make_shared<clock::SystemClock>();
    auto store = store::sqlite::SqliteStore::open(path, std::chrono::seconds(10), clock);
    if (!store) {
        ::_exit(3);
    }
    dispatch::Dispatcher dispatcher((*store)->outbox(), clock);
    dispatcher.start(test_options(sim));
    while (true) {
        ::pause();
    }
}

void kill_child(pid_t pid) {
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
}

} // namespace

BOOST_AUTO_TEST_SUITE(dispatcher_crash)

BOOST_AUTO_TEST_CASE(sigkill_at_random_moments_never_loses_or_repeats_a_message) {
    SimProcess sim(sim_scenario(k_friends));
    TempDir dir;
    const auto path = dir / "musubi.db";
    const auto log = dir / "dispatcher.log";
    create_store(path);

    const unsigned seed = std::random_device{}();
    BOOST_TEST_MESSAGE("crash test seed " << seed);
    std::mt19937 random(seed);
    std::uniform_int_distribution<int> lifetime_ms(30, 400);
    int kills = 0;
    for (; kills < k_kills; ++kills) {
        const pid_t child = start_child(path, sim, log);
        std::this_thread::sleep_for(std::chrono::milliseconds(lifetime_ms(random)));
        kill_child(child);
        if (unsettled(path) == 0) {
            break;
        }
    }
    // The last run is left to finish.
    const pid_t last = start_child(path, sim, log);
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(180);
    while (unsettled(path) > 0 && std::chrono::steady_clock::now() < until) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    kill_child(last);
    BOOST_REQUIRE_MESSAGE(unsettled(path) == 0, "rows left unsent; see " << log);

    const int total = k_friends * k_per_friend;
    const auto ledger = sim.control_get("/_sim/line/ledger");
    BOOST_TEST(ledger["counters"]["deliveries"] == total);
    BOOST_TEST(ledger["counters"]["duplicate_deliveries"] == 0);
    BOOST_TEST(ledger["counters"]["same_retry_key_deliveries"] == 0);
    const auto texts = delivered_texts(ledger);
    for (int n = 1; n <= k_friends; ++n) {
        auto got = texts.count(user_id(n)) ? texts.at(user_id(n)) : std::vector<std::string>();
        std::sort(got.begin(), got.end());
        std::vector<std::string> expected;
        for (int i = 1; i <= k_per_friend; ++i) {
            expected.push_back(text_for(n, i));
        }
        std::sort(expected.begin(), expected.end());
        BOOST_TEST(got == expected, boost::test_tools::per_element());
    }
    {
        auto db = store::sqlite::open_connection(path, std::chrono::seconds(10));
        BOOST_REQUIRE(db);
        auto sent = db->prepare("SELECT count(*) FROM outbox WHERE state = 'sent'");
        BOOST_REQUIRE(sent && *sent->step());
        BOOST_TEST(sent->column_int64(0) == total);
    }
    BOOST_TEST_MESSAGE("crash test: " << kills << " kills; LINE answered 409 to "
                                      << ledger["counters"]["retry_key_conflicts"]
                                      << " resends of messages sent before a kill");
}

BOOST_AUTO_TEST_SUITE_END()
