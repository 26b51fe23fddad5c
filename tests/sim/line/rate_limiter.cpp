#include "rate_limiter.hpp"

#include <algorithm>
#include <stdexcept>

namespace musubi::sim::line {

std::optional<Rate> parse_rate(std::string_view text) {
    auto slash = text.find('/');
    if (slash == std::string_view::npos || slash == 0) {
        return std::nullopt;
    }
    Rate rate;
    try {
        std::size_t used = 0;
        rate.count = std::stod(std::string(text.substr(0, slash)), &used);
        if (used != slash || rate.count <= 0) {
            return std::nullopt;
        }
    } catch (const std::exception&) {
        return std::nullopt;
    }
    auto unit = text.substr(slash + 1);
    if (unit == "s") {
        rate.per = std::chrono::seconds(1);
    } else if (unit == "min" || unit == "m") {
        rate.per = std::chrono::minutes(1);
    } else if (unit == "h") {
        rate.per = std::chrono::hours(1);
    } else {
        return std::nullopt;
    }
    return rate;
}

const std::map<std::string, Rate>& RateLimiter::defaults() {
    using namespace std::chrono_literals;
    static const std::map<std::string, Rate> k_defaults = {
        {"push", {2000, 1s}},          {"reply", {2000, 1s}},          {"multicast", {200, 1s}},
        {"richmenu_link", {2000, 1s}}, {"richmenu_create", {100, 1h}}, {"richmenu_batch", {3, 1h}},
        {"broadcast", {60, 1h}},       {"profile", {2000, 1s}},        {"followers", {2000, 1s}},
        {"quota", {2000, 1s}},         {"alias", {2000, 1s}},          {"image_upload", {2000, 1s}},
    };
    return k_defaults;
}

RateLimiter::RateLimiter() {
    for (const auto& [family, rate] : defaults()) {
        m_buckets[family].rate = rate;
    }
}

void RateLimiter::set_rate(const std::string& family, Rate rate) {
    auto it = m_buckets.find(family);
    if (it == m_buckets.end()) {
        throw std::invalid_argument(family);
    }
    it->second = Bucket{rate, -1, {}};
}

bool RateLimiter::take(const std::string& family, std::chrono::system_clock::time_point now) {
    if (!m_enabled) {
        return true;
    }
    auto it = m_buckets.find(family);
    if (it == m_buckets.end()) {
        return true;
    }
    auto& bucket = it->second;
    if (bucket.tokens < 0) {
        bucket.tokens = bucket.rate.count;
        bucket.last = now;
    }
    // A clock set backwards must not drain or overfill the bucket.
    auto elapsed =
        std::max(std::chrono::duration<double, std::milli>(now - bucket.last).count(), 0.0);
    bucket.tokens = std::min(bucket.rate.count,
                             bucket.tokens + elapsed * bucket.rate.count /
                                                 static_cast<double>(bucket.rate.per.count()));
    bucket.last = std::max(now, bucket.last);
    if (bucket.tokens < 1.0) {
        return false;
    }
    bucket.tokens -= 1.0;
    return true;
}

void RateLimiter::reset() {
    for (auto& [family, bucket] : m_buckets) {
        bucket.tokens = -1;
    }
}

std::map<std::string, Rate> RateLimiter::rates() const {
    std::map<std::string, Rate> rates;
    for (const auto& [family, bucket] : m_buckets) {
        rates[family] = bucket.rate;
    }
    return rates;
}

} // namespace musubi::sim::line
