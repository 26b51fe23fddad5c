// Benchmark (not a test): what keeping segments current costs with many friends.
//
// A fresh SQLite store gets N friends (default 100,000), each linked to a buyer with one
// order: C of them (default 100) ordered 80 days ago, the rest 10 days ago. With the shipped
// config/segments.yaml, the benchmark times:
//   1. the first full evaluation (every friend placed, as on the first start or a reload);
//   2. a sweep 5 days later, when nobody is due (the daily cost of a quiet day);
//   3. a sweep 10 days later, when the C friends reach "no order for 90 days";
//   4. C new facts (tags), each about one friend.
// Usage: segments_bench [friends] [changing]

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "daemon/app/memory_bounds.hpp"
#include "daemon/segments/segment_config.hpp"
#include "daemon/segments/segment_worker.hpp"
#include "daemon/store/sqlite/sqlite_store.hpp"
#include "support/manual_clock.hpp"
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

void exec(store::sqlite::Database& db, const std::string& sql) {
    if (auto done = db.exec(sql); !done) {
        std::fprintf(stderr, "%s\n%s\n", sql.c_str(), done.error().message.c_str());
        std::exit(1);
    }
}

struct Timed {
    segments::PassCounts counts;
    double seconds = 0;
    int passes = 0;
};

Timed settle(segments::SegmentWorker& worker) {
    Timed timed;
    const auto start = std::chrono::steady_clock::now();
    while (true) {
        auto pass = worker.run_pass(500);
        if (!pass) {
            std::fprintf(stderr, "store error: %s\n", pass.error().message.c_str());
            std::exit(1);
        }
        ++timed.passes;
        timed.counts.reloaded += pass->reloaded;
        timed.counts.by_facts += pass->by_facts;
        timed.counts.by_time += pass->by_time;
        timed.counts.changed += pass->changed;
        if (!pass->more) {
            break;
        }
    }
    timed.seconds = Seconds(std::chrono::steady_clock::now() - start).count();
    return timed;
}

void print(const char* what, const Timed& t) {
    const std::size_t evaluated = t.counts.reloaded + t.counts.by_facts + t.counts.by_time;
    std::printf("%-38s %9.3f s  passes %3d  evaluated %7zu  changed %7zu\n", what, t.seconds,
                t.passes, evaluated, t.counts.changed);
}

// A line for scripts/bench-report: FIGURE, name, value, unit, compared with, ratio.
void figure(const std::string& name, double value, const char* unit, const std::string& compared,
            double ratio) {
    const int decimals = value >= 100 ? 0 : value >= 10 ? 1 : 2;
    std::printf("FIGURE\t%s\t%.*f\t%s\t%s\t%.4f\n", name.c_str(), decimals, value, unit,
                compared.c_str(), ratio);
}

} // namespace

int main(int argc, char** argv) {
    musubi::app::bound_memory(); // as musubid runs
    const long friends = argc > 1 ? std::strtol(argv[1], nullptr, 10) : 100000;
    const long changing = argc > 2 ? std::strtol(argv[2], nullptr, 10) : 100;
    test::TempDir dir;
    auto clock = std::make_shared<test::ManualClock>(test::k_day0_jst);
    auto opened =
        store::sqlite::SqliteStore::open(dir / "musubi.db", std::chrono::milliseconds(5000), clock);
    if (!opened) {
        std::fprintf(stderr, "%s\n", opened.error().message.c_str());
        return 1;
    }
    auto& store = **opened;
    {
        auto db = store::sqlite::Database::open(dir / "musubi.db");
        const std::int64_t now = clock->now_ms();
        const std::string t = std::to_string(now);
        const std::string n = "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n "
                              "WHERE x < " +
                              std::to_string(friends) + ") ";
        exec(*db, "BEGIN");
        exec(*db, n +
                      "INSERT INTO friends (id, line_user_id, followed_at, created_at, "
                      "updated_at) SELECT x, 'U' || x, " +
                      t + ", " + t + ", " + t + " FROM n");
        exec(*db, n + "INSERT INTO buyers (id, buyer_key, created_at) SELECT x, 'b' || x, " + t +
                      " FROM n");
        exec(*db, n +
                      "INSERT INTO orders (source, order_number, buyer_id, total, ordered_at, "
                      "items, updated_at) SELECT 'rakuten', 'o' || x, x, 3000, CASE WHEN x <= " +
                      std::to_string(changing) + " THEN " + std::to_string(now - 80 * test::k_day) +
                      " ELSE " + std::to_string(now - 10 * test::k_day) +
                      " END, '[{\"manageNumber\":\"towel-01\"}]', " + t + " FROM n");
        exec(*db, n +
                      "INSERT INTO links (friend_id, buyer_id, method, linked_at) SELECT x, x, "
                      "'cli', " +
                      t + " FROM n");
        exec(*db, "COMMIT");
    }
    auto loaded = segments::load_segments(
        std::filesystem::path(MUSUBI_SOURCE_DIR) / "config" / "segments.yaml", "segments.yaml");
    if (!loaded) {
        std::fprintf(stderr, "%s", loaded.error().to_string().c_str());
        return 1;
    }
    segments::SegmentWorker worker(store.segments(), clock);
    worker.reload(std::make_shared<const std::vector<segments::Segment>>(*loaded));

    std::printf("segments_bench: %ld friends, %ld of them change on day 90\n", friends, changing);
    const auto first = settle(worker);
    print("1. first full evaluation", first);
    clock->advance(5 * test::k_day);
    const auto quiet = settle(worker);
    print("2. sweep, nobody due", quiet);
    clock->advance(5 * test::k_day);
    const auto changing_sweep = settle(worker);
    print("3. sweep, the changing friends due", changing_sweep);
    {
        auto db = store::sqlite::Database::open(dir / "musubi.db");
        const std::string t = std::to_string(clock->now_ms());
        exec(*db, "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < " +
                      std::to_string(changing) +
                      ") INSERT INTO facts (natural_key, kind, friend_id, occurred_at, "
                      "recorded_at) SELECT 'bench:' || x, 'tag.added', x * 7, " +
                      t + ", " + t + " FROM n");
    }
    const auto by_facts = settle(worker);
    print("4. new facts about friends", by_facts);
    std::printf("peak memory (VmHWM): %.1f MB\n", static_cast<double>(peak_kb()) / 1024.0);
    const std::string of = " of " + std::to_string(friends) + " friends";
    // Budgets where the issues set none: a first evaluation (a new segments file) of a
    // 1,000,000-friend shop within a minute; the sweeps compared with evaluating everyone,
    // which is what they must not cost (issue 7); memory within issue 3's 150 MB.
    const double rate = static_cast<double>(friends) / first.seconds;
    figure("segments: first full evaluation" + of, rate, "friends/s",
           "budget: 1,000,000 friends a minute (16,667/s)", rate / (1e6 / 60));
    const double everyone_ms = first.seconds * 1000.0;
    const std::string against_everyone =
        "evaluating all " + std::to_string(friends) +
        " friends: " + std::to_string(static_cast<long>(everyone_ms)) + " ms";
    figure("segments: daily sweep, nobody due" + of, quiet.seconds * 1000.0, "ms", against_everyone,
           quiet.seconds * 1000.0 / everyone_ms);
    figure("segments: sweep with " + std::to_string(changing) + " friends due" + of,
           changing_sweep.seconds * 1000.0, "ms", against_everyone,
           changing_sweep.seconds * 1000.0 / everyone_ms);
    figure("segments: " + std::to_string(changing) + " new facts re-evaluated" + of,
           by_facts.seconds * 1000.0, "ms", against_everyone,
           by_facts.seconds * 1000.0 / everyone_ms);
    const double peak_mb = static_cast<double>(peak_kb()) / 1024.0;
    figure("segments: peak memory" + of, peak_mb, "MB", "budget < 150 MB (issue 3's goal)",
           peak_mb / 150.0);
    return 0;
}
