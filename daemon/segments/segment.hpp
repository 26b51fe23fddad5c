#pragma once
// A segment as store staff write it in segments.yaml: a name and the conditions a friend must
// meet. Segments are tried in the order written; the first that matches is the friend's.

#include <string>
#include <vector>

#include "daemon/config/diagnostics.hpp"
#include "daemon/config/scenario.hpp"

namespace musubi::segments {

struct Segment {
    std::string name;
    std::string description;
    std::vector<config::Condition> when; // all must hold; empty: everyone (a catch-all)
    config::Position where;              // the item in segments.yaml, for messages
};

// The fields a segment's conditions may use: the scenario fields that describe a friend
// (not one order), plus `orders.items`, the manage numbers the linked buyer ever bought.
struct SegmentField {
    std::string name;
    bool time_based; // its value grows by one each day with no new fact
};
const std::vector<SegmentField>& segment_fields();

inline constexpr const char* k_items_field = "orders.items";

// A stable text of the definitions (names, order, conditions): when it changes, every friend
// is evaluated again.
std::string fingerprint(const std::vector<Segment>& segments);

} // namespace musubi::segments
