#pragma once
// Per-endpoint token buckets at LINE's published limits (line-messaging.md "Limits and
// quota"). Buckets refill on the simulated clock, start full, and hold one period's worth.
// Not thread-safe: the LINE service calls it under its own lock.

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace musubi::sim::line {

struct Rate {
    double count = 0;
    std::chrono::milliseconds per{1000};
};

// "2000/s", "200/s", "100/h", "60/min"; nullopt when malformed.
std::optional<Rate> parse_rate(std::string_view text);

class RateLimiter {
public:
    RateLimiter();
    // Families: push, reply, multicast, richmenu_link, richmenu_create, richmenu_batch,
    // broadcast, profile, followers, quota, alias, image_upload.
    static const std::map<std::string, Rate>& defaults();

    void set_enabled(bool enabled) { m_enabled = enabled; }
    bool enabled() const { return m_enabled; }
    // Throws std::invalid_argument on an unknown family.
    void set_rate(const std::string& family, Rate rate);
    // Takes one token; false when the bucket is empty (the caller answers 429).
    bool take(const std::string& family, std::chrono::system_clock::time_point now);
    void reset();
    std::map<std::string, Rate> rates() const;

private:
    struct Bucket {
        Rate rate;
        double tokens = -1; // -1: not used yet, starts full
        std::chrono::system_clock::time_point last;
    };
    bool m_enabled = true;
    std::map<std::string, Bucket> m_buckets;
};

} // namespace musubi::sim::line
