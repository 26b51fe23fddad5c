#pragma once
// The dispatcher's own rate limit, so that LINE never has to answer 429: a token bucket
// (virtual scheduling) refilled at `rate` per second that holds at most `burst` tokens.
// Real time (steady clock), not the simulated clock: LINE's limit is per real second, and a
// simulator running fast only makes the real limit looser.
//
// After a 429, slow_down() halves the rate (never below a tenth of the configured one) and
// forgets any saved-up burst; the rate then climbs back to the configured one over
// `recovery` of real time.
//
// Thread-safe: every sender thread takes its tokens from the same bucket.

#include <chrono>
#include <mutex>

namespace musubi::dispatch {

class TokenBucket {
public:
    using Clock = std::chrono::steady_clock;

    TokenBucket(double rate_per_second, double burst,
                std::chrono::milliseconds recovery = std::chrono::seconds(10));

    // Takes the next token and answers how long the caller must wait before using it (zero
    // when one is available now). Tokens are handed out in order, so waiting callers never
    // overtake each other.
    Clock::duration reserve(Clock::time_point now);
    // reserve() and sleep until the token is due.
    void acquire();

    void slow_down(Clock::time_point now);
    // A new configured rate (reload); the current rate follows at once.
    void set_rate(double rate_per_second);

    double rate(Clock::time_point now);
    double configured_rate() const;

private:
    void recover(Clock::time_point now);

    mutable std::mutex m_mutex;
    double m_configured;
    double m_rate;
    double m_burst;
    std::chrono::milliseconds m_recovery;
    Clock::time_point m_next{}; // when the next token is issued at the current rate
    Clock::time_point m_updated{};
};

} // namespace musubi::dispatch
