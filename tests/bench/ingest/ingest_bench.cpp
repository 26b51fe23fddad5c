// Benchmark (not a test): how fast musubi ingests RMS orders, and with how much memory.
//
// musubi-sim generates N orders spread over D days (all shipped, paid or cancelled by now) and
// stands its clock still. Then, in this process, one of:
//   --mode poll   the real path: OrderSync::poll() (searchOrder with window splitting,
//                 getOrder in batches of 100, make_snapshot, Store::apply_orders) into a fresh
//                 SQLite file, as musubid's first start does. The store is wrapped to time its
//                 calls, so the figures separate the store from RMS round trips and parsing.
//   --mode store  musubi's own processing without the simulator's answer times: the orders
//                 are fetched first (not timed), then make_snapshot + apply_orders (a hundred
//                 to a transaction, as the poller stores them) are timed.
//   --mode throttled  the poll path against an RMS that answers 403 (QPSLimit) over
//                 --per-second requests a second (musubi-sim's limits): the client starts with
//                 no interval and the production retry policy, so the 403s set its pace. Prints
//                 the time, the 403s met and the requests per second actually used, and fails
//                 unless every order is stored exactly once.
// Peak memory is this process's VmHWM (/proc/self/status); run each mode in its own process.
// Needs MUSUBI_SIM (ingest_bench.sh finds it).

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iostream>
#include <string>

#include <nlohmann/json.hpp>

#include "connectors/rakuten/order_walker.hpp"
#include "daemon/app/memory_bounds.hpp"
#include "daemon/rakuten/order_poller.hpp"
#include "daemon/rakuten/order_snapshot.hpp"
#include "daemon/store/sqlite/sqlite_store.hpp"
#include "support/sim_process.hpp"

using namespace musubi;
using namespace std::chrono_literals;
using Seconds = std::chrono::duration<double>;

namespace {

constexpr const char* k_secret = "SP000000_musubi_sim_secret";
constexpr const char* k_key = "SL000000_musubi_sim_key";
constexpr const char* k_scenario = R"(rakuten:
  shop_id: "123456"
  seed: 7
  service_secret: SP000000_musubi_sim_secret
  license_keys:
    - key: SL000000_musubi_sim_key
)";

struct Options {
    int orders = 100000;
    int days = 60;
    std::string mode = "poll";
    int per_second = 20;
};

Options parse(int argc, char** argv) {
    Options options;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string flag = argv[i];
        const std::string value = argv[i + 1];
        if (flag == "--orders") {
            options.orders = std::stoi(value);
        } else if (flag == "--days") {
            options.days = std::stoi(value);
        } else if (flag == "--mode") {
            options.mode = value;
        } else if (flag == "--per-second") {
            options.per_second = std::stoi(value);
        } else {
            throw std::runtime_error("unknown option " + flag +
                                     "; use --orders N --days D --mode poll|store|throttled "
                                     "[--per-second N]");
        }
    }
    return options;
}

// CPU time of this thread (user + system): on a busy machine it says more than wall time.
Seconds cpu_now() {
    timespec at{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &at);
    return Seconds(static_cast<double>(at.tv_sec) + static_cast<double>(at.tv_nsec) / 1e9);
}

// Peak resident memory of this process, in MB.
double peak_rss_mb() {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("VmHWM:", 0) == 0) {
            return std::stod(line.substr(6)) / 1024.0;
        }
    }
    return 0;
}

// A line for scripts/bench-report: FIGURE, name, value, unit, compared with, ratio (-1: none).
void figure(const std::string& name, double value, const std::string& unit, const std::string& peer,
            double ratio) {
    std::printf("FIGURE\t%s\t%.1f\t%s\t%s\t", name.c_str(), value, unit.c_str(), peer.c_str());
    if (ratio >= 0) {
        std::printf("%.2f", ratio);
    }
    std::printf("\n");
}

// Times each store call the poller makes; everything else is delegated untouched.
class TimingStore final : public store::Store {
public:
    explicit TimingStore(store::Store& inner)
        : m_inner(inner) {}

    Seconds apply_time{};
    Seconds apply_cpu{};
    Seconds lookup_time{}; // missing_facts and cursors
    std::int64_t applied = 0;
    std::int64_t batches = 0;

    const store::StoreInfo& info() const override { return m_inner.info(); }
    tl::expected<store::Recorded, store::StoreError>
    record_fact(const store::NewFact& fact) override {
        return m_inner.record_fact(fact);
    }
    tl::expected<std::int64_t, store::StoreError> count_facts(std::string_view kind) override {
        return m_inner.count_facts(kind);
    }
    tl::expected<std::map<std::string, std::int64_t>, store::StoreError> facts_by_kind() override {
        return m_inner.facts_by_kind();
    }
    tl::expected<store::AppliedOrder, store::StoreError>
    apply_order(const store::OrderSnapshot& order, store::Triggers triggers) override {
        const auto started = std::chrono::steady_clock::now();
        const auto cpu_started = cpu_now();
        auto result = m_inner.apply_order(order, triggers);
        apply_time += std::chrono::steady_clock::now() - started;
        apply_cpu += cpu_now() - cpu_started;
        ++applied;
        return result;
    }
    store::OrderResults apply_orders(const std::vector<store::OrderToApply>& orders) override {
        const auto started = std::chrono::steady_clock::now();
        const auto cpu_started = cpu_now();
        auto results = m_inner.apply_orders(orders);
        apply_time += std::chrono::steady_clock::now() - started;
        apply_cpu += cpu_now() - cpu_started;
        applied += static_cast<std::int64_t>(orders.size());
        ++batches;
        return results;
    }
    tl::expected<std::vector<std::string>, store::StoreError>
    missing_facts(const std::vector<std::string>& keys) override {
        const auto started = std::chrono::steady_clock::now();
        auto result = m_inner.missing_facts(keys);
        lookup_time += std::chrono::steady_clock::now() - started;
        return result;
    }
    tl::expected<std::optional<std::string>, store::StoreError>
    cursor(std::string_view name) override {
        const auto started = std::chrono::steady_clock::now();
        auto result = m_inner.cursor(name);
        lookup_time += std::chrono::steady_clock::now() - started;
        return result;
    }
    tl::expected<void, store::StoreError> set_cursor(std::string_view name,
                                                     std::string_view value) override {
        const auto started = std::chrono::steady_clock::now();
        auto result = m_inner.set_cursor(name, value);
        lookup_time += std::chrono::steady_clock::now() - started;
        return result;
    }
    store::WebhookInbox& webhook_inbox() override { return m_inner.webhook_inbox(); }
    store::Outbox& outbox() override { return m_inner.outbox(); }
    store::Links& links() override { return m_inner.links(); }
    store::Reviews& reviews() override { return m_inner.reviews(); }
    store::FriendEvents& friend_events() override { return m_inner.friend_events(); }
    store::EngineStore& engine() override { return m_inner.engine(); }
    store::Operations& operations() override { return m_inner.operations(); }
    store::StatusReport& status_report() override { return m_inner.status_report(); }
    store::Retention& retention() override { return m_inner.retention(); }
    store::SegmentStore& segments() override { return m_inner.segments(); }
    store::RichMenus& rich_menus() override { return m_inner.rich_menus(); }
    store::RichMenuLinks& rich_menu_links() override { return m_inner.rich_menu_links(); }
    store::Campaigns& campaigns() override { return m_inner.campaigns(); }
    store::ForwardQueue& forward_queue() override { return m_inner.forward_queue(); }
    store::FollowersImport& followers_import() override { return m_inner.followers_import(); }

private:
    store::Store& m_inner;
};

rakuten_poller::PollerOptions poller_options(const test::SimProcess& sim, const Options& bench) {
    rakuten_poller::PollerOptions options;
    options.rakuten.enabled = true;
    options.rakuten.base_url = sim.api_url();
    options.rakuten.service_secret = config::Secret(k_secret, "bench");
    options.rakuten.license_key = config::Secret(k_key, "bench");
    options.rakuten.timeout = 60000ms;
    options.rakuten.request_interval = 0ms; // the simulator answers at once
    options.rakuten.overlap = 10min;
    // Read the whole generated history; orders inside the horizon may trigger, as on a shop's
    // first day after a long backfill horizon.
    options.rakuten.backfill_horizon = std::chrono::days(bench.days + 1);
    options.hashing_key = "0123456789abcdef0123456789abcdef";
    auto carriers = rakuten_poller::Carriers::load(std::filesystem::path(MUSUBI_SOURCE_DIR) /
                                                   "config/carriers.yaml");
    if (carriers) {
        options.carriers = *carriers;
    }
    options.retry = rakuten::RetryPolicy{3, 100ms, 1000ms};
    return options;
}

rakuten::TimePoint sim_now(const test::SimProcess& sim) {
    const auto ms = sim.control_get("/_sim/clock")["epoch_ms"].get<std::int64_t>();
    return std::chrono::time_point_cast<std::chrono::seconds>(
        std::chrono::sys_time<std::chrono::milliseconds>(std::chrono::milliseconds(ms)));
}

int run_poll(const test::SimProcess& sim, store::sqlite::SqliteStore& sqlite,
             const Options& bench) {
    TimingStore timing(sqlite);
    auto options = poller_options(sim, bench);
    const auto now = sim_now(sim);
    options.clock = [now] { return now; };
    rakuten::RmsClient client(
        {options.rakuten.base_url, options.rakuten.timeout, 0ms, options.retry}, {k_secret, k_key});
    const log::Logger logger("rakuten");
    rakuten_poller::OrderSync sync(timing, options, client, logger);
    const auto started = std::chrono::steady_clock::now();
    const auto cpu_started = cpu_now();
    auto counts = sync.poll();
    const Seconds took = std::chrono::steady_clock::now() - started;
    const Seconds cpu = cpu_now() - cpu_started;
    if (!counts) {
        std::cerr << "poll failed: " << counts.error().message << "\n";
        return 1;
    }
    const double stored = static_cast<double>(counts->placed);
    const Seconds outside = took - timing.apply_time - timing.lookup_time;
    std::printf("mode poll: %d orders generated over %d days\n", bench.orders, bench.days);
    std::printf("  poll: searched %d, fetched %d, placed %d, shipped %d, cancelled %d, "
                "problems %d, %d RMS requests\n",
                counts->searched, counts->fetched, counts->placed, counts->shipped,
                counts->cancelled, counts->problems, client.requests_sent());
    std::printf("  total          %8.2f s   %8.0f orders/s   (CPU %.2f s: %.0f orders/s)\n",
                took.count(), stored / took.count(), cpu.count(), stored / cpu.count());
    std::printf("  apply_orders   %8.2f s   %8.0f orders/s   (CPU %.2f s) (%lld orders in %lld "
                "transactions)\n",
                timing.apply_time.count(),
                static_cast<double>(timing.applied) / timing.apply_time.count(),
                timing.apply_cpu.count(), static_cast<long long>(timing.applied),
                static_cast<long long>(timing.batches));
    std::printf("  fact lookups   %8.2f s\n", timing.lookup_time.count());
    std::printf("  RMS + parsing  %8.2f s   (simulator answers, HTTP, JSON, snapshots)\n",
                outside.count());
    std::printf("  peak RSS       %8.1f MB\n", peak_rss_mb());
    // RMS publishes no rate limit; at the polite pace of about a request a second, getOrder's
    // batches of 100 bring at most 100 orders a second: what musubi must keep up with.
    figure("order ingest through the real poll path (simulated RMS, HTTP and JSON included)",
           stored / took.count(), "orders/s", "RMS at a request a second: 100 orders/s",
           stored / took.count() / 100.0);
    figure("peak memory, ingesting through the poll path", peak_rss_mb(), "MB", "goal < 150 MB",
           peak_rss_mb() / 150.0);
    return 0;
}

int run_throttled(const test::SimProcess& sim, store::sqlite::SqliteStore& sqlite,
                  const Options& bench) {
    sim.control_post("/_sim/rakuten/limits", {{"perSecond", bench.per_second}});
    auto options = poller_options(sim, bench);
    options.retry = rakuten::RetryPolicy{}; // as musubid retries
    const auto now = sim_now(sim);
    options.clock = [now] { return now; };
    rakuten::RmsClient client(
        {options.rakuten.base_url, options.rakuten.timeout, 0ms, options.retry}, {k_secret, k_key});
    int notices = 0;
    client.set_throttle_observer([&](const rakuten::ThrottleNotice&) { ++notices; });
    const log::Logger logger("rakuten");
    rakuten_poller::OrderSync sync(sqlite, options, client, logger);
    const auto started = std::chrono::steady_clock::now();
    auto counts = sync.poll();
    const Seconds took = std::chrono::steady_clock::now() - started;
    if (!counts) {
        std::cerr << "poll failed: " << counts.error().message << "\n";
        return 1;
    }
    const auto limits = sim.control_get("/_sim/rakuten/limits");
    const auto met = limits["throttled"].get<std::int64_t>();
    const auto accepted = limits["accepted"].get<std::int64_t>();
    const auto placed = sqlite.count_facts("order.placed");
    std::printf("mode throttled: %d orders over %d days, RMS threshold %d requests/s\n",
                bench.orders, bench.days, bench.per_second);
    std::printf("  poll: searched %d, fetched %d, placed %d, shipped %d, cancelled %d, "
                "problems %d\n",
                counts->searched, counts->fetched, counts->placed, counts->shipped,
                counts->cancelled, counts->problems);
    std::printf("  requests %d (accepted %lld, 403 %lld in %d episodes, %d told), pace at the "
                "end %lld ms\n",
                client.requests_sent(), static_cast<long long>(accepted),
                static_cast<long long>(met), client.throttle_episodes(), notices,
                static_cast<long long>(client.interval().count()));
    std::printf("  took %.1f s, peak RSS %.1f MB\n", took.count(), peak_rss_mb());
    if (counts->placed != bench.orders || !placed || *placed != bench.orders ||
        counts->problems != 0 || met != client.throttled()) {
        std::cerr << "ingest_bench: expected every one of " << bench.orders
                  << " orders stored once without problems and the simulator's 403 count (" << met
                  << ") to match the client's (" << client.throttled() << ")\n";
        return 1;
    }
    const double used = static_cast<double>(accepted) / took.count();
    const std::string limit = std::to_string(bench.per_second) + " requests/s";
    figure("backfill of " + std::to_string(bench.orders) + " orders under 403 throttling at " +
               limit + ": time (each order once)",
           took.count(), "s", "", -1);
    figure("403s met during that backfill", static_cast<double>(met), "", "", -1);
    figure("requests per second actually used under that throttling", used, "requests/s",
           "RMS's threshold here: " + limit, used / bench.per_second);
    return 0;
}

int run_store(const test::SimProcess& sim, store::sqlite::SqliteStore& sqlite,
              const Options& bench) {
    auto options = poller_options(sim, bench);
    const auto now = sim_now(sim);
    rakuten::RmsClient client(
        {options.rakuten.base_url, options.rakuten.timeout, 0ms, options.retry}, {k_secret, k_key});
    rakuten::OrderNumberRequest request{
        rakuten::DateType::order, now - std::chrono::days(bench.days + 1), now, {}, now};
    auto found = rakuten::fetch_order_numbers(client, request);
    if (!found) {
        std::cerr << "searchOrder failed: " << found.error().message << "\n";
        return 1;
    }
    Seconds fetch{}, snapshot{}, apply{}, apply_cpu{}, snapshot_cpu{};
    std::int64_t applied = 0;
    const auto& numbers = found->order_numbers;
    const std::int64_t now_ms = rakuten_poller::to_ms(now);
    // In slices, as a poll would ideally hold them: memory stays bounded by the slice.
    constexpr std::size_t k_slice = 1000;
    for (std::size_t at = 0; at < numbers.size(); at += k_slice) {
        const std::vector<std::string> slice(
            numbers.begin() + static_cast<std::ptrdiff_t>(at),
            numbers.begin() + static_cast<std::ptrdiff_t>(std::min(numbers.size(), at + k_slice)));
        auto t0 = std::chrono::steady_clock::now();
        auto result = rakuten::get_orders(client, slice);
        auto t1 = std::chrono::steady_clock::now();
        fetch += t1 - t0;
        if (!result) {
            std::cerr << "getOrder failed: " << result.error().message << "\n";
            return 1;
        }
        const auto c1 = cpu_now();
        std::vector<store::OrderToApply> snapshots;
        snapshots.reserve(result->orders.size());
        for (const auto& order : result->orders) {
            snapshots.push_back({rakuten_poller::make_snapshot(order, options.carriers,
                                                               options.hashing_key, now_ms),
                                 store::Triggers::yes});
        }
        auto t2 = std::chrono::steady_clock::now();
        snapshot += t2 - t1;
        const auto c2 = cpu_now();
        constexpr std::size_t k_batch = 100;
        for (std::size_t first = 0; first < snapshots.size(); first += k_batch) {
            const std::vector<store::OrderToApply> batch(
                snapshots.begin() + static_cast<std::ptrdiff_t>(first),
                snapshots.begin() +
                    static_cast<std::ptrdiff_t>(std::min(snapshots.size(), first + k_batch)));
            for (const auto& applied_one : sqlite.apply_orders(batch)) {
                if (!applied_one) {
                    std::cerr << "apply_orders failed: " << applied_one.error().message << "\n";
                    return 1;
                }
                ++applied;
            }
        }
        apply += std::chrono::steady_clock::now() - t2;
        apply_cpu += cpu_now() - c2;
        snapshot_cpu += c2 - c1;
    }
    const double n = static_cast<double>(applied);
    std::printf("mode store: %lld orders\n", static_cast<long long>(applied));
    std::printf(
        "  getOrder+parse %8.2f s   %8.0f orders/s (simulator included; not musubi's own)\n",
        fetch.count(), n / fetch.count());
    std::printf("  make_snapshot  %8.2f s   %8.0f orders/s   (CPU %.2f s)\n", snapshot.count(),
                n / snapshot.count(), snapshot_cpu.count());
    std::printf("  apply_orders   %8.2f s   %8.0f orders/s   (CPU %.2f s: %.0f orders/s)\n",
                apply.count(), n / apply.count(), apply_cpu.count(), n / apply_cpu.count());
    std::printf("  musubi's own   %8.2f s   %8.0f orders/s (snapshot + apply)\n",
                (snapshot + apply).count(), n / (snapshot + apply).count());
    std::printf("  peak RSS       %8.1f MB\n", peak_rss_mb());
    const double own = n / (snapshot + apply).count();
    figure("order ingest, musubi's own processing (snapshot + apply_orders)", own, "orders/s",
           "goal ≥ 5,000/s", own / 5000.0);
    figure("peak memory, ingesting orders (store alone)", peak_rss_mb(), "MB", "goal < 150 MB",
           peak_rss_mb() / 150.0);
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    musubi::app::bound_memory(); // as musubid runs
    try {
        const Options bench = parse(argc, argv);
        test::SimProcess sim(k_scenario);
        const auto generate_started = std::chrono::steady_clock::now();
        sim.control_post("/_sim/rakuten/orders/generate",
                         {{"count", bench.orders}, {"days", bench.days}});
        sim.control_post("/_sim/clock", {{"speed", 0}});
        const Seconds generated = std::chrono::steady_clock::now() - generate_started;
        std::printf("simulator generated %d orders in %.1f s\n", bench.orders, generated.count());

        test::TempDir dir;
        auto opened = store::sqlite::SqliteStore::open(dir / "bench.db", 5000ms);
        if (!opened) {
            std::cerr << opened.error().to_string() << "\n";
            return 1;
        }
        auto& sqlite = **opened;
        const int result = bench.mode == "store"       ? run_store(sim, sqlite, bench)
                           : bench.mode == "throttled" ? run_throttled(sim, sqlite, bench)
                                                       : run_poll(sim, sqlite, bench);
        std::printf("  database       %8.1f MB\n",
                    static_cast<double>(std::filesystem::file_size(dir / "bench.db") +
                                        (std::filesystem::exists(dir / "bench.db-wal")
                                             ? std::filesystem::file_size(dir / "bench.db-wal")
                                             : 0)) /
                        (1024.0 * 1024.0));
        return result;
    } catch (const std::exception& error) {
        std::cerr << "ingest_bench: " << error.what() << "\n";
        return 2;
    }
}
