#pragma once
// Politeness toward RMS: how long to wait before retrying a transient failure (exponential
// backoff with jitter), and waits that end early when the caller asks to stop (SIGTERM must
// not wait out a minute of backoff).

#include <chrono>
#include <cstdint>
#include <random>
#include <stop_token>

namespace musubi::rakuten {

struct RetryPolicy {
    int attempts = 5;                     // tries per call, the first included
    std::chrono::milliseconds base{1000}; // wait before the first retry (before jitter)
    std::chrono::milliseconds max{60000}; // no single wait is longer
};

// The wait before retry number `retry` (1 = the first retry): base·2^(retry-1), capped at
// max, of which the upper half is random ("equal jitter"): clients that failed together do
// not all come back at the same moment, and each still waits at least half the step.
std::chrono::milliseconds backoff_delay(const RetryPolicy& policy, int retry,
                                        std::mt19937_64& random);

// Waits `duration` unless `stop` is requested first. Returns false when stopped.
bool wait_unless_stopped(std::stop_token stop, std::chrono::milliseconds duration);

} // namespace musubi::rakuten
