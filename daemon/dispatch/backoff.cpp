#include "daemon/dispatch/backoff.hpp"

#include <algorithm>
#include <cstdint>

namespace musubi::dispatch {

std::chrono::milliseconds backoff_ceiling(const BackoffPolicy& policy, long attempt) {
    const auto initial = std::max<std::int64_t>(policy.initial.count(), 1);
    const auto max = std::max<std::int64_t>(policy.max.count(), initial);
    std::int64_t step = initial;
    // Doubling stops at the ceiling, so no attempt count can overflow.
    for (long n = 1; n < attempt && step < max; ++n) {
        step *= 2;
    }
    return std::chrono::milliseconds(std::min(step, max));
}

std::chrono::milliseconds backoff_delay(const BackoffPolicy& policy, long attempt,
                                        double unit_random) {
    const auto ceiling = backoff_ceiling(policy, attempt).count();
    const double draw = std::clamp(unit_random, 0.0, 1.0);
    const auto half = ceiling / 2;
    const auto jitter = static_cast<std::int64_t>(static_cast<double>(ceiling - half) * draw);
    return std::chrono::milliseconds(std::max<std::int64_t>(half + jitter, 1));
}

} // namespace musubi::dispatch
