#pragma once
// How late messages reach LINE: from a row's due time to LINE's acceptance of it, as a
// Prometheus histogram (musubi_send_latency_seconds). A shop cares that the thank-you goes
// out when it was due; rows held back by a send window are due when the window opens, so the
// figure measures musubi and LINE, not the scenario's timing.

#include <array>
#include <cstdint>

namespace musubi::dispatch {

struct SendLatency {
    // Upper bounds in milliseconds; a last implicit bucket (+Inf) holds the rest.
    static constexpr std::array<std::int64_t, 12> k_bounds_ms{
        100, 250, 500, 1'000, 2'500, 5'000, 10'000, 30'000, 60'000, 300'000, 1'800'000, 3'600'000};

    std::array<std::int64_t, k_bounds_ms.size() + 1> counts{}; // per bucket, not cumulative
    std::int64_t sum_ms = 0;
    std::int64_t count = 0;

    void add(std::int64_t latency_ms) {
        if (latency_ms < 0) {
            latency_ms = 0; // sent before it was due: only a clock step does that
        }
        std::size_t bucket = 0;
        while (bucket < k_bounds_ms.size() && latency_ms > k_bounds_ms[bucket]) {
            ++bucket;
        }
        ++counts[bucket];
        sum_ms += latency_ms;
        ++count;
    }
};

} // namespace musubi::dispatch
