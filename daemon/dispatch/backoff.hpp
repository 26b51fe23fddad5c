#pragma once
// How long a message waits before it is sent again after a 5xx, a timeout or a 429:
// exponential (initial, 2×, 4×, … up to `max`) with "equal jitter" — a random point in the
// upper half of that step — so that many messages failing together do not return together,
// while each still waits at least half its step.

#include <chrono>

namespace musubi::dispatch {

struct BackoffPolicy {
    std::chrono::milliseconds initial{1000};
    std::chrono::milliseconds max{std::chrono::minutes(10)};
};

// The step before jitter for the n-th failed attempt (1-based): initial × 2^(n-1), at most max.
std::chrono::milliseconds backoff_ceiling(const BackoffPolicy& policy, long attempt);

// `unit_random` in [0, 1): the jitter's draw, passed in so that the arithmetic is testable.
std::chrono::milliseconds backoff_delay(const BackoffPolicy& policy, long attempt,
                                        double unit_random);

} // namespace musubi::dispatch
