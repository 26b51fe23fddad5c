// webhook_load: drives signed LINE webhook bodies at a running musubid over keep-alive
// connections and prints events per second and latency percentiles. A benchmark, not a test
// (webhook_bench.sh starts musubid and runs it).
//
//   webhook_load --url http://127.0.0.1:8080/webhook --secret SECRET
//                [--connections 4] [--seconds 10] [--events-per-body 1]
//
// Every event has a webhookEventId never sent before (a run prefix, the connection and a
// counter), so each one is a new row in the daemon's store: persistence is what is measured.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

#include "connectors/line/webhook_signature.hpp"

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
    std::string url;
    std::string secret;
    int connections = 4;
    int seconds = 10;
    int events_per_body = 1;
};

struct ConnectionResult {
    std::vector<double> latencies_ms;
    long bodies = 0;
    long failures = 0;
    std::string first_failure;
};

[[noreturn]] void usage(const std::string& problem) {
    std::cerr << "webhook_load: " << problem
              << "\nusage: webhook_load --url URL --secret SECRET [--connections N] "
                 "[--seconds S] [--events-per-body K]\n";
    std::exit(2);
}

Options parse(int argc, char** argv) {
    Options options;
    for (int i = 1; i < argc; ++i) {
        const std::string name = argv[i];
        if (i + 1 >= argc) {
            usage("missing value for " + name);
        }
        const std::string value = argv[++i];
        if (name == "--url") {
            options.url = value;
        } else if (name == "--secret") {
            options.secret = value;
        } else if (name == "--connections") {
            options.connections = std::stoi(value);
        } else if (name == "--seconds") {
            options.seconds = std::stoi(value);
        } else if (name == "--events-per-body") {
            options.events_per_body = std::stoi(value);
        } else {
            usage("unknown option " + name);
        }
    }
    if (options.url.empty() || options.secret.empty()) {
        usage("--url and --secret are required");
    }
    return options;
}

// A text message event as LINE sends it (about 450 bytes).
std::string event_json(const std::string& id, long long timestamp, int connection) {
    char user[40];
    std::snprintf(user, sizeof user, "U%032x", connection);
    std::ostringstream out;
    out << R"({"type":"message","message":{"type":"text","id":"5)" << timestamp
        << R"(","quoteToken":"q3Plxr4AgKd...","text":"こんにちは、注文の確認をお願いします"},)"
        << R"("webhookEventId":")" << id << R"(","deliveryContext":{"isRedelivery":false},)"
        << R"("timestamp":)" << timestamp << R"(,"source":{"type":"user","userId":")" << user
        << R"("},"replyToken":"757913772c4646b784d4b7ce46d12671","mode":"active"})";
    return out.str();
}

ConnectionResult run_connection(const Options& options, const Poco::URI& uri,
                                const std::string& run_id, int connection, Clock::time_point end) {
    ConnectionResult result;
    Poco::Net::HTTPClientSession session(uri.getHost(), uri.getPort());
    session.setKeepAlive(true);
    session.setTimeout(Poco::Timespan(10, 0));
    long counter = 0;
    while (Clock::now() < end) {
        const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count();
        std::string body = R"({"destination":"U8e742f61d673b39c7fff3cecb7536ef0","events":[)";
        for (int e = 0; e < options.events_per_body; ++e) {
            const std::string id =
                run_id + "-" + std::to_string(connection) + "-" + std::to_string(counter++);
            body += (e == 0 ? "" : ",") + event_json(id, now_ms, connection);
        }
        body += "]}";
        Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_POST, uri.getPathEtc(),
                                       Poco::Net::HTTPMessage::HTTP_1_1);
        request.setContentType("application/json; charset=utf-8");
        request.set("x-line-signature", musubi::line::webhook_signature(options.secret, body));
        request.setContentLength64(static_cast<Poco::Int64>(body.size()));
        request.setKeepAlive(true);

        const auto started = Clock::now();
        try {
            session.sendRequest(request) << body;
            Poco::Net::HTTPResponse response;
            std::istream& in = session.receiveResponse(response);
            std::string answer;
            Poco::StreamCopier::copyToString(in, answer);
            if (response.getStatus() != Poco::Net::HTTPResponse::HTTP_OK) {
                if (result.failures++ == 0) {
                    result.first_failure =
                        std::to_string(static_cast<int>(response.getStatus())) + " " + answer;
                }
                continue;
            }
        } catch (const std::exception& error) {
            if (result.failures++ == 0) {
                result.first_failure = error.what();
            }
            session.reset();
            continue;
        }
        result.latencies_ms.push_back(
            std::chrono::duration<double, std::milli>(Clock::now() - started).count());
        ++result.bodies;
    }
    return result;
}

double percentile(const std::vector<double>& sorted, double p) {
    if (sorted.empty()) {
        return 0;
    }
    const auto index = static_cast<std::size_t>(p * static_cast<double>(sorted.size() - 1));
    return sorted[index];
}

} // namespace

int main(int argc, char** argv) {
    const Options options = parse(argc, argv);
    const Poco::URI uri(options.url);
    const std::string run_id =
        "bench" + std::to_string(std::chrono::system_clock::now().time_since_epoch().count());

    const auto start = Clock::now();
    const auto end = start + std::chrono::seconds(options.seconds);
    std::vector<ConnectionResult> results(static_cast<std::size_t>(options.connections));
    std::vector<std::thread> threads;
    for (int c = 0; c < options.connections; ++c) {
        threads.emplace_back([&, c] {
            results[static_cast<std::size_t>(c)] = run_connection(options, uri, run_id, c, end);
        });
    }
    for (auto& thread : threads) {
        thread.join();
    }
    const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();

    std::vector<double> latencies;
    long bodies = 0;
    long failures = 0;
    std::string first_failure;
    for (const auto& result : results) {
        latencies.insert(latencies.end(), result.latencies_ms.begin(), result.latencies_ms.end());
        bodies += result.bodies;
        failures += result.failures;
        if (first_failure.empty()) {
            first_failure = result.first_failure;
        }
    }
    std::sort(latencies.begin(), latencies.end());
    const long events = bodies * options.events_per_body;
    std::printf(
        "webhook_load: %d connections, %d event(s) per body, %.1f s: %ld bodies, %ld events "
        "= %.0f events/s (%.0f bodies/s); latency ms p50 %.2f p90 %.2f p99 %.2f max "
        "%.2f; failures %ld\n",
        options.connections, options.events_per_body, elapsed, bodies, events,
        static_cast<double>(events) / elapsed, static_cast<double>(bodies) / elapsed,
        percentile(latencies, 0.50), percentile(latencies, 0.90), percentile(latencies, 0.99),
        latencies.empty() ? 0.0 : latencies.back(), failures);
    // Lines for scripts/bench-report: FIGURE, name, value, unit, compared with, ratio.
    const double rate = static_cast<double>(events) / elapsed;
    const double p99 = percentile(latencies, 0.99);
    const std::string what = "webhook intake, " + std::to_string(options.events_per_body) +
                             " event(s) per body, " + std::to_string(options.connections) +
                             " connections";
    std::printf("FIGURE\t%s\t%.0f\tevents/s\tgoal ≥ 3,000/s\t%.2f\n", what.c_str(), rate,
                rate / 3000.0);
    std::printf("FIGURE\t%s, p99 latency\t%.1f\tms\tgoal < 50 ms\t%.2f\n", what.c_str(), p99,
                p99 / 50.0);
    if (failures > 0) {
        std::printf("webhook_load: first failure: %s\n", first_failure.c_str());
    }
    return failures > 0 ? 1 : 0;
}
