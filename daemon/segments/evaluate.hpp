#pragma once
// Which segment a friend is in, from their profile alone (no store, no clock: `now` is given),
// and when that answer would change if nothing new happened.
//
// Conditions mean what they mean in scenarios (the engine's evaluator decides them):
// orders.* and reviews.count are unknown for a friend who is not linked, and a condition on
// something unknown does not hold (except `ne`). `orders.items` is the manage numbers the
// linked buyer has bought (cancelled orders left out).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "daemon/segments/segment.hpp"
#include "daemon/store/segment_store.hpp"

namespace musubi::segments {

struct Evaluation {
    std::optional<std::string> segment; // the first that matches; none when none does
    // The earliest time after `now` at which the answer changes with no new fact, and the
    // condition that makes it change, e.g. "orders.days_since_last ≥ 90".
    std::optional<std::int64_t> next_change_at_ms;
    std::string next_change_reason;
};

// The index of the first segment that matches at `now_ms`, or none.
std::optional<std::size_t> first_match(const std::vector<Segment>& segments,
                                       const store::FriendProfile& profile, std::int64_t now_ms);

Evaluation evaluate(const std::vector<Segment>& segments, const store::FriendProfile& profile,
                    std::int64_t now_ms);

// Whether any segment looks at orders.items (so profiles must be loaded with items).
bool uses_items(const std::vector<Segment>& segments);

// "orders.days_since_last ≥ 90": a condition as people read it, for logs and reasons.
std::string describe(const config::Condition& condition);

} // namespace musubi::segments
