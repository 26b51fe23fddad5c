// Benchmark (not a test): the rich-menu reconciler when N friends (default 1,000,000) change
// segment at once.
//
// A fresh store gets N following friends, all in segment `linked` and linked by musubi to the
// `linked` menu (seeded with SQL, as a store after months of use would hold them). Then every
// friend moves to `vip` (friend_segments and one segment_changes row each, as the segment
// worker writes them) and the reconciler runs until nothing is left, against musubi-sim with
// LINE's rate limits on. The shipped richmenus.yaml and segments → menus map are used.
// The first three users are friends on the simulator too: their menu on LINE is checked.
//
// Prints the bulk calls made (issue 7: ≤ 2,000 for 1M), musubi's own time (CPU time of the
// reconciling thread, and wall time minus the time spent waiting on the rate limit; goal
// < 10 s), and peak memory (VmHWM), then one FIGURE line per figure.
// Usage: richmenus_bench [friends]

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <string>
#include <thread>

#include "connectors/line/messaging_client.hpp"
#include "daemon/app/memory_bounds.hpp"
#include "daemon/richmenus/reconciler.hpp"
#include "daemon/store/sqlite/sqlite_store.hpp"
#include "support/manual_clock.hpp"
#include "support/sim_process.hpp"
#include "support/temp_dir.hpp"

using namespace musubi;
using Seconds = std::chrono::duration<double>;

namespace {

long peak_kb() {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("VmHWM:", 0) == 0) {
            return std::strtol(line.c_str() + 6, nullptr, 10);
        }
    }
    return 0;
}

double thread_cpu_seconds() {
    timespec now{};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) / 1e9;
}

void exec(store::sqlite::Database& db, const std::string& sql) {
    if (auto done = db.exec(sql); !done) {
        std::fprintf(stderr, "%s\n%s\n", sql.c_str(), done.error().message.c_str());
        std::exit(1);
    }
}

std::string one(store::sqlite::Database& db, const std::string& sql) {
    auto statement = db.prepare(sql);
    if (!statement || !statement->step() || statement->column_is_null(0)) {
        std::fprintf(stderr, "no answer to %s\n", sql.c_str());
        std::exit(1);
    }
    return statement->column_text(0);
}

// 'U' and 32 hex digits, from the friend's id (what LINE's user ids look like).
constexpr const char* k_user_id_sql = "'U' || printf('%032x', x)";

std::string user_id(long n) {
    char buffer[40];
    std::snprintf(buffer, sizeof buffer, "U%032lx", n);
    return buffer;
}

void figure(const std::string& name, const std::string& value, const std::string& unit,
            const std::string& compared, const std::string& ratio) {
    std::printf("FIGURE\t%s\t%s\t%s\t%s\t%s\n", name.c_str(), value.c_str(), unit.c_str(),
                compared.c_str(), ratio.c_str());
}

std::string fixed(double value, int digits) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.*f", digits, value);
    return buffer;
}

} // namespace

int main(int argc, char** argv) {
    musubi::app::bound_memory(); // as musubid runs
    const long friends = argc > 1 ? std::atol(argv[1]) : 1'000'000;
    ::setenv("MUSUBI_SIM", MUSUBI_SIM_PATH, 0);
    std::string scenario = "clock: {speed: 0}\nline:\n  friends:\n";
    for (long n = 1; n <= 3; ++n) {
        scenario += "    - {userId: " + user_id(n) + "}\n";
    }
    test::SimProcess sim(scenario);
    test::TempDir dir;

    config::StoreConfig store_config;
    store_config.path = dir / "musubi.db";
    store_config.busy_timeout = std::chrono::seconds(10);
    auto clock = std::make_shared<test::ManualClock>(test::jst(0, 10));
    auto opened = store::open_store(store_config, clock);
    if (!opened) {
        std::fprintf(stderr, "store: %s\n", opened.error().to_string().c_str());
        return 1;
    }
    auto& store = **opened;

    const std::filesystem::path source(MUSUBI_SOURCE_DIR);
    auto menus = richmenus::load_rich_menus(source / "config" / "richmenus.yaml", "richmenus.yaml",
                                            source / "templates");
    if (!menus) {
        std::fprintf(stderr, "richmenus.yaml: %s\n", menus.error().to_string().c_str());
        return 1;
    }
    line::ClientSettings client_settings;
    client_settings.api_base_url = sim.api_url();
    client_settings.data_base_url = sim.data_url();
    line::MessagingClient client(client_settings,
                                 line::AccessToken::long_lived("musubi-sim-token"));
    richmenus::Reconciler reconciler(client, store.rich_menus(), store.rich_menu_links(), clock);
    reconciler.reload(std::make_shared<const richmenus::RichMenuSet>(std::move(*menus)), {});
    while (reconciler.run_pass().more) { // provisioning, on an empty store
    }

    auto db = store::sqlite::open_connection(store_config.path, std::chrono::seconds(10));
    if (!db) {
        return 1;
    }
    const std::string linked_id =
        one(*db, "SELECT rich_menu_id FROM rich_menus WHERE name = 'linked' AND state = 'current'");
    const std::string vip_id =
        one(*db, "SELECT rich_menu_id FROM rich_menus WHERE name = 'vip' AND state = 'current'");
    const auto seed_start = std::chrono::steady_clock::now();
    const std::string n =
        "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < " +
        std::to_string(friends) + ") ";
    const std::string t = std::to_string(clock->now_ms());
    exec(*db, "BEGIN");
    exec(*db, n +
                  "INSERT INTO friends (id, line_user_id, followed_at, created_at, updated_at) "
                  "SELECT x, " +
                  k_user_id_sql + ", " + t + ", " + t + ", " + t + " FROM n");
    exec(*db, n +
                  "INSERT INTO friend_segments (friend_id, segment, since, updated_at) SELECT x, "
                  "'linked', " +
                  t + ", " + t + " FROM n");
    exec(*db, n +
                  "INSERT INTO friend_rich_menus (friend_id, menu, rich_menu_id, linked_at, "
                  "checked_at) SELECT x, 'linked', '" +
                  linked_id + "', " + t + ", " + t + " FROM n");
    exec(*db, "COMMIT");
    // The flip, as the segment worker writes it: every friend now vip, one change row each.
    // (The clock stays put: the hourly spot check is not part of this figure.)
    const std::string later = std::to_string(clock->now_ms());
    exec(*db, "BEGIN");
    exec(*db, "UPDATE friend_segments SET segment = 'vip', since = " + later);
    exec(*db, "INSERT INTO segment_changes (friend_id, from_segment, to_segment, why, at) SELECT "
              "friend_id, 'linked', 'vip', 'fact order.placed', " +
                  later + " FROM friend_segments ORDER BY friend_id");
    exec(*db, "COMMIT");
    std::printf("seeded %ld friends in %.1f s (linked → vip)\n", friends,
                Seconds(std::chrono::steady_clock::now() - seed_start).count());

    const auto before = reconciler.stats();
    const double cpu_start = thread_cpu_seconds();
    const auto wall_start = std::chrono::steady_clock::now();
    int passes = 0;
    while (true) {
        const auto pass = reconciler.run_pass();
        ++passes;
        if (pass.stopped) {
            std::this_thread::sleep_for(std::chrono::milliseconds(100)); // backing off
            continue;
        }
        if (!pass.more) {
            break;
        }
    }
    const double wall = Seconds(std::chrono::steady_clock::now() - wall_start).count();
    const double cpu = thread_cpu_seconds() - cpu_start;
    const auto after = reconciler.stats();
    const auto calls = after.bulk_calls - before.bulk_calls;
    const double rate_wait = Seconds(after.rate_wait - before.rate_wait).count();
    const long peak = peak_kb();

    const std::string on_vip =
        one(*db, "SELECT count(*) FROM friend_rich_menus WHERE menu = 'vip' AND rich_menu_id = '" +
                     vip_id + "'");
    const std::string changes = one(*db, "SELECT count(*) FROM rich_menu_changes");
    std::this_thread::sleep_for(std::chrono::seconds(1)); // LINE applies bulk calls later
    std::string on_line = "yes";
    for (long user = 1; user <= 3; ++user) {
        const auto ledger = sim.control_get("/_sim/line/ledger/" + user_id(user));
        if (ledger["rich_menu"]["linked"] != vip_id) {
            on_line = "NO (" + ledger["rich_menu"].dump() + ")";
        }
    }
    std::printf("friends: %ld; recorded on vip: %s; change rows: %s; sample friends on LINE's vip "
                "menu: %s\n",
                friends, on_vip.c_str(), changes.c_str(), on_line.c_str());
    std::printf("passes: %d; bulk calls: %llu (failed %llu); linked %llu\n", passes,
                static_cast<unsigned long long>(calls),
                static_cast<unsigned long long>(after.failed_calls - before.failed_calls),
                static_cast<unsigned long long>(after.linked - before.linked));
    std::printf(
        "wall %.2f s, of which waiting on the rate limit %.2f s; CPU %.2f s; VmHWM %.1f MB\n", wall,
        rate_wait, cpu, static_cast<double>(peak) / 1024);

    const std::string what = "rich-menu reconcile " + std::to_string(friends / 1000) + "k friends";
    const std::string label =
        friends == 1'000'000 ? std::string("rich-menu reconcile 1M friends") : what;
    figure(label + ": bulk calls", std::to_string(calls), "calls", "≤ 2,000 (issue 7)",
           fixed(static_cast<double>(calls) / 2000.0, 2));
    figure(label + ": musubi CPU time", fixed(cpu, 2), "s", "< 10 s (issue 7)", fixed(cpu / 10, 2));
    figure(label + ": wall time beyond the rate limit", fixed(wall - rate_wait, 2), "s",
           "< 10 s (issue 7)", fixed((wall - rate_wait) / 10, 2));
    figure(label + ": peak memory (VmHWM)", fixed(static_cast<double>(peak) / 1024, 1), "MB",
           "budget < 150 MB (issue 3's goal)", fixed(static_cast<double>(peak) / 1024 / 150, 2));
    return on_vip == std::to_string(friends) && on_line == "yes" ? 0 : 1;
}
