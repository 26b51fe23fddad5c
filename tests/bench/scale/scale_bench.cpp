// Benchmark (not a test): musubi's store at shop scale — 1,000,000 friends and 5,000,000 outbox
// rows by default — and what one scheduler tick costs there.
//
// 1. Builds the store file: the real schema (SqliteStore::open runs every migration), then the
//    rows in one transaction of bulk SQL, in realistic proportions: 8% of friends blocked, a
//    buyer per two friends, 30% of friends linked, an order per friend, three facts per friend
//    (followed, order placed, order shipped), every friend evaluated into a segment, two
//    million finished enrollments, 20,000 enrollments waiting for a review, and the outbox:
//    mostly sent (each with its deliveries row), some failed, skipped and expired, a few hundred
//    due now and a thousand due later.
// 2. Times scheduler ticks with a few items due each, as musubid runs them:
//    - engine: process_facts(200) + run_due_steps(200) + next_due_at(), with the shipped
//      scenarios and templates; before each tick (untimed) `--due` review-request enrollments
//      are made due, and the engine renders their messages into the outbox;
//    - dispatcher: next_due_at() + claim_due(100) + record(every claimed row sent);
//    the same ticks with nothing due, and ticks that each process one fact cancelling an active
//    enrollment (order.cancelled). Prints median and p99.
// 3. Times one /metrics scrape's store reads (outbox counts and facts by kind, which schema v5
//    keeps in row_counts).
// Prints figures as lines "FIGURE<TAB>name<TAB>value<TAB>unit<TAB>compared with<TAB>ratio".
// Usage: scale_bench [--friends N] [--outbox N] [--due N] [--ticks N] [--cancels N] [--db PATH]
//                    [--extra-sql SQL] [--candidate-sql SQL] [--explain] [--reuse]
//   --db PATH       where to build the file (kept afterwards; default: a temporary folder,
//                   removed). scale_bench.sh keeps it to start musubid on it.
//   --extra-sql SQL run after the build, before timing (e.g. a candidate CREATE INDEX).
//   --candidate-sql SQL  run after the baseline (e.g. a candidate CREATE INDEX); the cancelling
//                   ticks and the scrape are timed again with it.
//   --reuse         time ticks on the file at --db as it is (built before by scale_bench, or by
//                   scale_sql_dump into a migrated file) instead of building it.
//   --explain       print SQLite's query plan of each tick query.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "bench/scale/scale_sql.hpp"
#include "daemon/app/memory_bounds.hpp"
#include "daemon/config/loader.hpp"
#include "daemon/engine/engine.hpp"
#include "daemon/store/sqlite/database.hpp"
#include "daemon/store/sqlite/sqlite_store.hpp"
#include "daemon/templates/template_set.hpp"
#include "support/manual_clock.hpp"
#include "support/temp_dir.hpp"

using namespace musubi;
using Seconds = std::chrono::duration<double>;
using Millis = std::chrono::duration<double, std::milli>;

namespace {

struct Options {
    std::int64_t friends = 1'000'000;
    std::int64_t outbox = 5'000'000;
    std::int64_t due = 5;
    std::int64_t ticks = 200;
    std::int64_t due_now_outbox = 300;
    std::int64_t cancels = 20;
    std::string db;
    std::string extra_sql;
    // Run after the baseline to try a candidate index: the cancelling ticks and the scrape are
    // timed again with it. (Schema v4's indexes and v5's row counts came from such runs.)
    std::string candidate_sql;
    bool explain = false;
    bool reuse = false;
};

Options parse(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string flag = argv[i];
        if (flag == "--explain") {
            o.explain = true;
            continue;
        }
        if (flag == "--reuse") {
            o.reuse = true;
            continue;
        }
        if (i + 1 >= argc) {
            std::fprintf(stderr, "scale_bench: %s needs a value\n", flag.c_str());
            std::exit(2);
        }
        const std::string value = argv[++i];
        if (flag == "--friends") {
            o.friends = std::stoll(value);
        } else if (flag == "--outbox") {
            o.outbox = std::stoll(value);
        } else if (flag == "--due") {
            o.due = std::stoll(value);
        } else if (flag == "--cancels") {
            o.cancels = std::stoll(value);
        } else if (flag == "--ticks") {
            o.ticks = std::stoll(value);
        } else if (flag == "--db") {
            o.db = value;
        } else if (flag == "--candidate-sql") {
            o.candidate_sql = value;
        } else if (flag == "--extra-sql") {
            o.extra_sql = value;
        } else {
            std::fprintf(stderr, "scale_bench: unknown option %s\n", flag.c_str());
            std::exit(2);
        }
    }
    return o;
}

double thread_cpu_ms() {
    timespec now{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return static_cast<double>(now.tv_sec) * 1e3 + static_cast<double>(now.tv_nsec) / 1e6;
}

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

void figure(const std::string& name, double value, const char* unit, const std::string& peer,
            const std::string& ratio) {
    const int decimals = value >= 100 ? 0 : value >= 10 ? 1 : 2;
    std::printf("FIGURE\t%s\t%.*f\t%s\t%s\t%s\n", name.c_str(), decimals, value, unit, peer.c_str(),
                ratio.c_str());
    std::fflush(stdout);
}

std::string ratio_text(double value, double limit) {
    char text[32];
    std::snprintf(text, sizeof text, "%.3f", value / limit);
    return text;
}

void fill(store::sqlite::Database& db, const bench::Sizes& s, std::int64_t now,
          std::int64_t due_now) {
    exec(db, "PRAGMA cache_size = -262144"); // 256 MB for this connection's bulk inserts
    // No WAL for the bulk load (it would write every page twice); back to WAL afterwards.
    exec(db, "PRAGMA journal_mode = OFF");
    exec(db, "PRAGMA synchronous = OFF");
    exec(db, "BEGIN");
    for (const auto& statement : bench::fill_statements(s, now, due_now)) {
        const auto start = std::chrono::steady_clock::now();
        exec(db, statement.sql);
        std::fprintf(stderr, "scale_bench:   %-22s %6.1f s\n", statement.what,
                     Seconds(std::chrono::steady_clock::now() - start).count());
    }
    exec(db, "COMMIT");
    exec(db, "ANALYZE");
    exec(db, "PRAGMA journal_mode = WAL");
}

struct Quantiles {
    double median = 0, p99 = 0, max = 0;
};

Quantiles quantiles(std::vector<double> ms) {
    std::sort(ms.begin(), ms.end());
    Quantiles q;
    if (ms.empty()) {
        return q;
    }
    q.median = ms[ms.size() / 2];
    q.p99 = ms[std::min(ms.size() - 1, (ms.size() * 99 + 99) / 100 - 1)];
    q.max = ms.back();
    return q;
}

void explain(store::sqlite::Database& db, const std::string& sql) {
    auto s = db.prepare("EXPLAIN QUERY PLAN " + sql);
    if (!s) {
        std::fprintf(stderr, "%s: %s\n", sql.c_str(), s.error().message.c_str());
        return;
    }
    std::fprintf(stderr, "plan: %s\n", sql.c_str());
    while (true) {
        auto row = s->step();
        if (!row || !*row) {
            break;
        }
        std::fprintf(stderr, "        %s\n", s->column_text(3).c_str());
    }
}

constexpr const char* k_main = R"(shop:
  id: bench-shop
  name: ベンチ商店
privacy:
  hashing_key: 0123456789abcdef0123456789abcdef-hashing
line:
  channel_secret: line-channel-secret-value
  channel_access_token: line-access-token-value
admin:
  token: admin-token-value
templates: templates
scenarios: scenarios/*.yaml
)";

template <class T>
T must(tl::expected<T, store::StoreError> result, const char* what) {
    if (!result) {
        std::fprintf(stderr, "scale_bench: %s: %s\n", what, result.error().message.c_str());
        std::exit(1);
    }
    return std::move(*result);
}

void must(tl::expected<void, store::StoreError> result, const char* what) {
    if (!result) {
        std::fprintf(stderr, "scale_bench: %s: %s\n", what, result.error().message.c_str());
        std::exit(1);
    }
}

} // namespace

int main(int argc, char** argv) {
    musubi::app::bound_memory(); // as musubid runs
    const auto options = parse(argc, argv);
    test::TempDir dir;
    const auto path = options.db.empty() ? dir / "musubi.db" : std::filesystem::path(options.db);
    if (!options.reuse) {
        std::filesystem::remove(path);
        std::filesystem::remove(path.string() + "-wal");
        std::filesystem::remove(path.string() + "-shm");
    }

    // 14:00 JST: inside review-request's 10:00–20:00 window.
    auto clock = std::make_shared<test::ManualClock>(test::jst(0, 14));
    const std::int64_t now = clock->now_ms();

    auto sizes = bench::sizes_for(options.friends, options.outbox, options.due, options.ticks,
                                  options.cancels * 2);

    std::fprintf(
        stderr, "scale_bench: building %s: %lld friends, %lld outbox rows (%lld due now)\n",
        path.c_str(), static_cast<long long>(sizes.friends), static_cast<long long>(sizes.outbox),
        static_cast<long long>(options.due_now_outbox));
    const auto build_start = std::chrono::steady_clock::now();
    if (!options.reuse) {
        // Opening runs every migration on the empty file: the real schema.
        auto opened =
            store::sqlite::SqliteStore::open(path, std::chrono::milliseconds(5000), clock);
        if (!opened) {
            std::fprintf(stderr, "%s\n", opened.error().message.c_str());
            return 1;
        }
    }
    if (!options.reuse) {
        auto db = must(store::sqlite::Database::open(path), "open");
        fill(db, sizes, now, options.due_now_outbox);
        if (!options.extra_sql.empty()) {
            std::fprintf(stderr, "scale_bench: extra SQL: %s\n", options.extra_sql.c_str());
            exec(db, options.extra_sql);
            exec(db, "ANALYZE");
        }
        exec(db, "PRAGMA wal_checkpoint(TRUNCATE)");
    }
    const double build_s = Seconds(std::chrono::steady_clock::now() - build_start).count();
    // Pages in use (a reused file may hold free pages from dropped indexes).
    const auto bytes = [&] {
        auto db = must(store::sqlite::Database::open(path), "open for size");
        auto select = must(db.prepare("SELECT (page_count - freelist_count) * page_size FROM "
                                      "pragma_page_count(), pragma_freelist_count(), "
                                      "pragma_page_size()"),
                           "size");
        auto row = select.step();
        return row && *row ? static_cast<double>(select.column_int64(0))
                           : static_cast<double>(std::filesystem::file_size(path));
    }();
    std::fprintf(stderr, "scale_bench: built in %.1f s, %.0f MB\n", build_s, bytes / 1e6);

    // The engine with the shipped scenarios and templates.
    const std::filesystem::path source(MUSUBI_SOURCE_DIR);
    dir.write("musubi.yaml", k_main);
    std::filesystem::copy(source / "config" / "scenarios", dir / "scenarios");
    std::filesystem::copy(source / "templates", dir / "templates",
                          std::filesystem::copy_options::recursive);
    auto loaded = config::load_config(dir / "musubi.yaml");
    if (!loaded) {
        for (const auto& item : loaded.error().items()) {
            std::fprintf(stderr, "%s\n", item.to_string().c_str());
        }
        return 1;
    }
    auto templates = templates::TemplateSet::load(dir / "templates");
    if (!templates) {
        std::fprintf(stderr, "scale_bench: templates did not load\n");
        return 1;
    }
    auto store =
        must(store::sqlite::SqliteStore::open(path, std::chrono::milliseconds(5000), clock),
             "open store");
    engine::Engine engine(store->engine(), clock, [] {});
    engine.reload({std::make_shared<const config::Config>(std::move(*loaded)),
                   std::make_shared<const templates::TemplateSet>(std::move(*templates)), nullptr});
    auto& outbox = store->outbox();

    auto helper = must(store::sqlite::Database::open(path), "open helper");
    // The file's own counts (a reused file may have been built with other sizes).
    const auto one_number = [&](const std::string& sql) {
        auto select = must(helper.prepare(sql), "count");
        auto row = select.step();
        return row && *row ? select.column_int64(0) : std::int64_t{0};
    };
    sizes.friends = one_number("SELECT max(id) FROM friends");
    sizes.outbox = one_number("SELECT max(id) FROM outbox");
    const std::int64_t first_pool_id =
        one_number("SELECT min(id) FROM enrollments WHERE scenario = 'review-request' AND state = "
                   "'active' AND step = 'ask'");
    sizes.pool = one_number("SELECT count(*) FROM enrollments WHERE scenario = 'review-request' "
                            "AND state = 'active' AND step = 'ask'");
    if (options.explain) {
        const std::string n = std::to_string(now);
        explain(helper, "SELECT id FROM facts WHERE processed_at IS NULL ORDER BY occurred_at, "
                        "id LIMIT 200");
        explain(helper, "SELECT id FROM enrollments WHERE state = 'active' AND next_at <= " + n +
                            " ORDER BY next_at, id LIMIT 200");
        explain(helper, "SELECT min(next_at) FROM enrollments WHERE state = 'active'");
        explain(helper, "SELECT o.id FROM outbox o LEFT JOIN friends f ON f.id = o.friend_id "
                        "WHERE o.state IN ('pending', 'sending') AND o.state = 'pending' AND "
                        "o.due_at <= " +
                            n + " ORDER BY o.due_at, o.id LIMIT 100");
        explain(helper, "SELECT min(o.due_at) FROM outbox o WHERE o.state IN ('pending', "
                        "'sending') AND o.state = 'pending'");
        explain(helper, "SELECT count(*) FROM outbox WHERE friend_id = 3 AND due_at >= 0 AND "
                        "due_at < 1 AND critical = 0 AND scenario IS NOT 'linking' AND state NOT "
                        "IN ('failed', 'skipped', 'expired')");
        explain(helper, "UPDATE outbox SET state = 'skipped', reason = 'x', updated_at = 0 WHERE "
                        "enrollment_id = 7 AND state = 'pending'");
        explain(helper, "SELECT state, count(*) FROM outbox GROUP BY state");
        explain(helper, "SELECT kind, count(*) FROM facts GROUP BY kind");
    }

    const auto time_ms = [](auto&& work) {
        const auto start = std::chrono::steady_clock::now();
        work();
        return Millis(std::chrono::steady_clock::now() - start).count();
    };
    const auto engine_tick = [&] {
        must(engine.process_facts(200), "process_facts");
        must(engine.run_due_steps(200), "run_due_steps");
        must(store->engine().next_due_at(), "next_due_at");
    };
    std::size_t claimed = 0;
    const auto dispatch_tick = [&] {
        must(outbox.next_due_at(), "outbox next_due_at");
        auto rows = must(outbox.claim_due(100), "claim_due");
        claimed += rows.size();
        std::vector<store::AttemptRecord> records;
        for (const auto& row : rows) {
            store::AttemptRecord r;
            r.outbox_id = row.id;
            r.disposition = store::Disposition::sent;
            r.attempted_at = clock->now_ms();
            r.http_status = 200;
            r.outcome = "sent";
            r.request_id = "req-" + std::to_string(row.id);
            records.push_back(std::move(r));
        }
        if (!records.empty()) {
            must(outbox.record(records), "record");
        }
    };

    // The few hundred rows already due go out first (claims of 100, as the dispatcher's).
    std::vector<double> backlog;
    while (true) {
        const auto before = claimed;
        backlog.push_back(time_ms(dispatch_tick));
        if (claimed == before) {
            break;
        }
    }
    const auto backlog_q = quantiles(backlog);
    std::fprintf(stderr, "scale_bench: %zu due outbox rows sent in %zu claims, %.2f ms each\n",
                 claimed, backlog.size() - 1, backlog_q.median);

    std::vector<double> engine_busy, dispatch_busy, engine_idle, dispatch_idle;
    // The engine thread's own CPU time in each busy tick: what the tick costs, apart from
    // waiting for a core or the disk on a shared machine.
    std::vector<double> engine_busy_cpu;
    const std::string pool_first = std::to_string(first_pool_id);
    std::int64_t made_due = 0;
    claimed = 0;
    for (std::int64_t tick = 0; tick < options.ticks; ++tick) {
        clock->advance(1000);
        const auto from = made_due;
        made_due = std::min(made_due + options.due, sizes.pool);
        exec(helper, "UPDATE enrollments SET next_at = " + std::to_string(clock->now_ms() - 500) +
                         " WHERE id BETWEEN " + pool_first + " + " + std::to_string(from) +
                         " AND " + pool_first + " + " + std::to_string(made_due - 1));
        const double cpu_before = thread_cpu_ms();
        engine_busy.push_back(time_ms(engine_tick));
        engine_busy_cpu.push_back(thread_cpu_ms() - cpu_before);
        dispatch_busy.push_back(time_ms(dispatch_tick));
        engine_idle.push_back(time_ms(engine_tick));
        dispatch_idle.push_back(time_ms(dispatch_tick));
    }
    const auto over_10ms =
        std::count_if(engine_busy.begin(), engine_busy.end(), [](double ms) { return ms >= 10; });
    std::fprintf(stderr,
                 "scale_bench: engine ticks with steps due taking 10 ms or more: %zu of %zu\n",
                 static_cast<std::size_t>(over_10ms), engine_busy.size());
    const auto ebc = quantiles(engine_busy_cpu);
    std::fprintf(stderr, "  engine tick, 5 due, CPU: median %.2f ms  p99 %.2f ms  max %.2f ms\n",
                 ebc.median, ebc.p99, ebc.max);
    const auto eb = quantiles(engine_busy), db = quantiles(dispatch_busy),
               ei = quantiles(engine_idle), di = quantiles(dispatch_idle);
    std::fprintf(
        stderr, "scale_bench: %lld ticks with %lld enrollments due each; %zu messages claimed\n",
        static_cast<long long>(options.ticks), static_cast<long long>(options.due), claimed);
    std::fprintf(stderr, "  engine tick, %lld due:     median %.2f ms  p99 %.2f ms  max %.2f ms\n",
                 static_cast<long long>(options.due), eb.median, eb.p99, eb.max);
    std::fprintf(stderr, "  dispatcher tick, %lld due: median %.2f ms  p99 %.2f ms  max %.2f ms\n",
                 static_cast<long long>(options.due), db.median, db.p99, db.max);
    std::fprintf(stderr, "  engine tick, idle:       median %.2f ms  p99 %.2f ms  max %.2f ms\n",
                 ei.median, ei.p99, ei.max);
    std::fprintf(stderr, "  dispatcher tick, idle:   median %.2f ms  p99 %.2f ms  max %.2f ms\n",
                 di.median, di.p99, di.max);

    // A fact that cancels an active enrollment (order.cancelled for a review request's order):
    // the engine ends the enrollment and skips its pending messages. Pool items are taken from
    // the pool's end, which the due ticks above never reach.
    std::int64_t next_cancel = sizes.pool;
    const auto measure_cancels = [&] {
        std::vector<double> ticks;
        for (std::int64_t c = 0; c < options.cancels; ++c) {
            clock->advance(1000);
            char number[40];
            std::snprintf(number, sizeof number, "339999-20260101-%010lld",
                          static_cast<long long>(next_cancel--));
            const std::string t = std::to_string(clock->now_ms());
            exec(helper, "INSERT INTO facts (natural_key, kind, subject, occurred_at, "
                         "recorded_at, payload) VALUES ('rakuten:order:" +
                             std::string(number) + ":cancelled', 'order.cancelled', '" + number +
                             "', " + t + ", " + t + ", '{}')");
            ticks.push_back(time_ms(engine_tick));
        }
        return quantiles(ticks);
    };
    const auto cancelled_count = [&] {
        auto count = must(helper.prepare("SELECT count(*) FROM enrollments WHERE end_reason = "
                                         "'cancelled by order.cancelled'"),
                          "count cancelled");
        auto row = count.step();
        return row && *row ? count.column_int64(0) : 0;
    };
    // What one /metrics scrape reads from the store.
    const auto measure_scrape = [&] {
        return time_ms([&] { must(outbox.counts(), "counts"); }) +
               time_ms([&] { must(store->facts_by_kind(), "facts_by_kind"); });
    };
    const auto cq = measure_cancels();
    std::fprintf(stderr,
                 "  engine tick, 1 cancelling fact: median %.2f ms  p99 %.2f ms  max %.2f ms "
                 "(%lld enrollments cancelled)\n",
                 cq.median, cq.p99, cq.max, static_cast<long long>(cancelled_count()));
    const double scrape_ms = measure_scrape();

    char scale[64];
    std::snprintf(scale, sizeof scale, "%.1fM friends, %.1fM outbox",
                  static_cast<double>(sizes.friends) / 1e6,
                  static_cast<double>(sizes.outbox) / 1e6);
    const std::string at = std::string(" (") + scale + ")";
    // Budget (no issue sets one): 8 KB a friend, so that a 1,000,000-friend shop's store fits
    // in 8 GB of a small server's disk.
    const double per_friend = bytes / static_cast<double>(sizes.friends);
    figure("database size per friend" + at, per_friend, "bytes", "budget 8,192 bytes",
           ratio_text(per_friend, 8192));
    figure("database file" + at, bytes / 1e6, "MB",
           "budget 8 KB a friend: " + std::to_string(sizes.friends * 8192 / 1'000'000) + " MB",
           ratio_text(bytes, static_cast<double>(sizes.friends) * 8192));
    const std::string due = std::to_string(options.due);
    figure("engine tick, " + due + " steps due, median" + at, eb.median, "ms", "goal < 10 ms",
           ratio_text(eb.median, 10));
    figure("engine tick, " + due + " steps due, p99" + at, eb.p99, "ms", "goal < 10 ms",
           ratio_text(eb.p99, 10));
    figure("engine tick, " + due + " steps due, CPU time of the tick, p99" + at, ebc.p99, "ms",
           "goal < 10 ms", ratio_text(ebc.p99, 10));
    figure("dispatcher tick (claim + record), " + due + " due, median" + at, db.median, "ms",
           "goal < 10 ms", ratio_text(db.median, 10));
    figure("dispatcher tick (claim + record), " + due + " due, p99" + at, db.p99, "ms",
           "goal < 10 ms", ratio_text(db.p99, 10));
    if (options.cancels > 0) {
        figure("engine tick, 1 fact cancelling an enrollment, median" + at, cq.median, "ms",
               "goal < 10 ms", ratio_text(cq.median, 10));
    }
    std::vector<double> idle;
    for (std::size_t i = 0; i < engine_idle.size(); ++i) {
        idle.push_back(engine_idle[i] + dispatch_idle[i]);
    }
    const auto idle_p99 = quantiles(idle).p99;
    figure("engine + dispatcher tick, nothing due, p99" + at, idle_p99, "ms", "goal < 10 ms",
           ratio_text(idle_p99, 10));
    figure("metrics scrape: store reads (outbox counts + facts by kind)" + at, scrape_ms, "ms",
           "goal < 10 ms, as a tick", ratio_text(scrape_ms, 10));
    if (!options.candidate_sql.empty() && options.cancels > 0) {
        std::fprintf(stderr, "scale_bench: candidate SQL: %s\n", options.candidate_sql.c_str());
        const double create_ms = time_ms([&] { exec(helper, options.candidate_sql); });
        const auto fixed = measure_cancels();
        const double fixed_scrape_ms = measure_scrape();
        std::fprintf(stderr,
                     "  with it (created in %.1f s): engine tick, 1 cancelling fact: median %.2f "
                     "ms  p99 %.2f ms (%lld enrollments cancelled); metrics scrape %.1f ms\n",
                     create_ms / 1000.0, fixed.median, fixed.p99,
                     static_cast<long long>(cancelled_count()), fixed_scrape_ms);
        figure("engine tick, 1 fact cancelling an enrollment, median, with the candidate SQL" + at,
               fixed.median, "ms", "goal < 10 ms", ratio_text(fixed.median, 10));
        figure("metrics scrape: store reads, with the candidate SQL" + at, fixed_scrape_ms, "ms",
               "", "");
    }
    std::fprintf(stderr, "scale_bench: build %.1f s; bench peak memory (VmHWM) %.1f MB\n", build_s,
                 static_cast<double>(peak_kb()) / 1024.0);
    return 0;
}
