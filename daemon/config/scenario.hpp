#pragma once
// A scenario as store staff write it in config/scenarios/*.yaml: a trigger fact, conditions,
// steps that wait and send, what cancels it, and limits. The engine runs these; this header
// is only the checked shape.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "daemon/config/diagnostics.hpp"
#include "daemon/config/duration.hpp"
#include "daemon/config/time_window.hpp"

namespace musubi::config {

enum class FactKind {
    order_placed,
    order_shipped,
    order_cancelled,
    review_posted,
    friend_followed,
    friend_unfollowed,
    friend_linked,
    friend_unlinked,
    friend_message,
    friend_postback,
    tag_added,
    tag_removed,
    friend_imported, // an existing friend read from LINE's followers list (never greeted)
};

// "order.placed" ... in declaration order.
const std::vector<std::pair<std::string, FactKind>>& fact_kinds();
std::string fact_name(FactKind kind);
// Facts whose subject is an order (so order.* conditions and per_subject re-entry apply).
bool is_order_fact(FactKind kind);

enum class Reentry { once, per_subject, always };

enum class ConditionOp { eq, ne, gt, gte, lt, lte, in, contains };
using ConditionValue = std::variant<bool, std::int64_t, std::string, std::vector<std::string>>;

struct Condition {
    std::string field; // e.g. "order.total"
    ConditionOp op = ConditionOp::eq;
    ConditionValue value;
    Position where;
};

struct Step {
    std::string name; // given, or "step1", "step2", ... by position
    std::optional<Duration> after;
    std::optional<TimeOfDay> at;
    std::optional<FactKind> on;
    std::optional<Duration> within;
    std::optional<TimeWindow> window;
    std::optional<FactKind> unless;
    std::optional<std::string> send; // template name
    std::map<std::string, std::string> vars;
    std::vector<std::string> add_tags;
    std::vector<std::string> remove_tags;
    bool critical = false;
};

struct Limits {
    std::optional<std::int64_t> per_friend_per_day;
};

struct Scenario {
    std::string file;
    std::string name;
    std::string description;
    FactKind trigger = FactKind::order_placed;
    std::vector<Condition> when;
    std::vector<std::string> keywords;   // friend.message: any of these words in the text
    std::optional<std::string> postback; // friend.postback: the data to answer
    bool in_groups = false; // keywords also answered in group chats and rooms (reply only)
    Reentry reentry = Reentry::once;
    std::optional<Duration> cooldown;
    std::vector<Step> steps;
    std::vector<FactKind> cancel_on;
    Limits limits;
};

} // namespace musubi::config
