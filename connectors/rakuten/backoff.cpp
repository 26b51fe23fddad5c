#include "connectors/rakuten/backoff.hpp"

#include <algorithm>
#include <condition_variable>
#include <mutex>

namespace musubi::rakuten {

std::chrono::milliseconds backoff_delay(const RetryPolicy& policy, int retry,
                                        std::mt19937_64& random) {
    const auto cap = std::max<std::int64_t>(policy.max.count(), 0);
    std::int64_t step = std::max<std::int64_t>(policy.base.count(), 0);
    for (int i = 1; i < retry && step < cap; ++i) {
        step *= 2;
    }
    step = std::min(step, cap);
    const std::int64_t half = step / 2;
    std::uniform_int_distribution<std::int64_t> jitter(0, step - half);
    return std::chrono::milliseconds(half + jitter(random));
}

bool wait_unless_stopped(std::stop_token stop, std::chrono::milliseconds duration) {
    if (duration <= std::chrono::milliseconds::zero()) {
        return !stop.stop_requested();
    }
    std::mutex mutex;
    std::condition_variable_any wake;
    std::unique_lock lock(mutex);
    // Only a stop request wakes this wait; the predicate keeps spurious wake-ups waiting.
    wake.wait_for(lock, stop, duration, [] { return false; });
    return !stop.stop_requested();
}

} // namespace musubi::rakuten
