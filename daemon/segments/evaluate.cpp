#include "daemon/segments/evaluate.hpp"

#include <algorithm>
#include <variant>

#include "daemon/engine/jst.hpp"
#include "daemon/engine/subject.hpp"

namespace musubi::segments {

namespace {

using config::Condition;
using config::ConditionOp;

bool contains(const std::vector<std::string>& list, const std::string& value) {
    return std::find(list.begin(), list.end(), value) != list.end();
}

bool has_items_condition(const Segment& segment) {
    return std::any_of(segment.when.begin(), segment.when.end(),
                       [](const Condition& c) { return c.field == k_items_field; });
}

// orders.items: the engine knows no such field, so it is decided here.
bool items_hold(const Condition& condition, const store::FriendProfile& profile) {
    if (!profile.buyer_id) {
        return false; // unknown for a friend who is not linked
    }
    if (const auto* one = std::get_if<std::string>(&condition.value)) {
        return contains(profile.items_bought, *one);
    }
    if (const auto* any = std::get_if<std::vector<std::string>>(&condition.value)) {
        return std::any_of(any->begin(), any->end(),
                           [&](const auto& item) { return contains(profile.items_bought, item); });
    }
    return false;
}

engine::Subject subject_of(const store::FriendProfile& profile, std::int64_t now_ms) {
    engine::Subject subject;
    subject.friend_view.id = profile.friend_id;
    subject.friend_view.followed_at_ms = profile.followed_at_ms;
    subject.friend_view.inflow_source = profile.inflow_source;
    subject.friend_view.tags = profile.tags;
    subject.friend_view.buyer_id = profile.buyer_id;
    if (profile.buyer_id) {
        subject.buyer = profile.buyer;
    }
    subject.now_ms = now_ms;
    return subject;
}

bool segment_matches(const Segment& segment, const store::FriendProfile& profile,
                     const engine::Subject& subject) {
    if (!has_items_condition(segment)) {
        return engine::conditions_hold(segment.when, subject);
    }
    for (const auto& condition : segment.when) {
        const bool holds = condition.field == k_items_field
                               ? items_hold(condition, profile)
                               : engine::conditions_hold({condition}, subject);
        if (!holds) {
            return false;
        }
    }
    return true;
}

std::optional<std::size_t> first_match_in(const std::vector<Segment>& segments,
                                          const store::FriendProfile& profile,
                                          const engine::Subject& subject) {
    for (std::size_t i = 0; i < segments.size(); ++i) {
        if (segment_matches(segments[i], profile, subject)) {
            return i;
        }
    }
    return std::nullopt;
}

// When the "days since" a time-based condition counts from began, if known.
std::optional<std::int64_t> counted_from(const Condition& condition,
                                         const store::FriendProfile& profile) {
    if (condition.field == "friend.days_since_follow") {
        return profile.followed_at_ms;
    }
    if (condition.field == "orders.days_since_last" && profile.buyer_id) {
        return profile.buyer.last_order_at_ms;
    }
    return std::nullopt;
}

struct Candidate {
    std::int64_t at_ms;
    const Condition* condition;
};

// The moments after `now` at which a "days since" condition can turn: the value is
// (t - from) / day, so `≥ n` turns at from + n days, `> n` at from + (n + 1) days, and so on.
void add_candidates(const Condition& condition, const store::FriendProfile& profile,
                    std::int64_t now_ms, std::vector<Candidate>& out) {
    const auto from = counted_from(condition, profile);
    const auto* days = std::get_if<std::int64_t>(&condition.value);
    if (!from || days == nullptr || *days < 0) {
        return;
    }
    const auto at = [&](std::int64_t n) {
        const std::int64_t t = *from + n * engine::jst::k_day_ms;
        if (t > now_ms) {
            out.push_back({t, &condition});
        }
    };
    switch (condition.op) {
    case ConditionOp::gte:
    case ConditionOp::lt:
        at(*days);
        break;
    case ConditionOp::gt:
    case ConditionOp::lte:
        at(*days + 1);
        break;
    case ConditionOp::eq:
    case ConditionOp::ne:
        at(*days);
        at(*days + 1);
        break;
    default:
        break;
    }
}

} // namespace

std::optional<std::size_t> first_match(const std::vector<Segment>& segments,
                                       const store::FriendProfile& profile, std::int64_t now_ms) {
    return first_match_in(segments, profile, subject_of(profile, now_ms));
}

Evaluation evaluate(const std::vector<Segment>& segments, const store::FriendProfile& profile,
                    std::int64_t now_ms) {
    engine::Subject subject = subject_of(profile, now_ms);
    const auto now_match = first_match_in(segments, profile, subject);
    Evaluation result;
    if (now_match) {
        result.segment = segments[*now_match].name;
    }
    std::vector<Candidate> candidates;
    for (const auto& segment : segments) {
        for (const auto& condition : segment.when) {
            add_candidates(condition, profile, now_ms, candidates);
        }
    }
    std::sort(candidates.begin(), candidates.end(),
              [](const Candidate& a, const Candidate& b) { return a.at_ms < b.at_ms; });
    // Only a moment at which the answer really differs counts: the sweep then reads only the
    // friends whose segment changes, not every friend a threshold passes.
    for (const auto& candidate : candidates) {
        subject.now_ms = candidate.at_ms;
        if (first_match_in(segments, profile, subject) != now_match) {
            result.next_change_at_ms = candidate.at_ms;
            result.next_change_reason = describe(*candidate.condition);
            break;
        }
    }
    return result;
}

bool uses_items(const std::vector<Segment>& segments) {
    return std::any_of(segments.begin(), segments.end(), has_items_condition);
}

std::string describe(const Condition& condition) {
    static const char* const k_symbols[] = {"=", "≠", ">", "≥", "<", "≤", "in", "contains"};
    std::string text =
        condition.field + " " + k_symbols[static_cast<std::size_t>(condition.op)] + " ";
    std::visit(
        [&text](const auto& value) {
            using V = std::decay_t<decltype(value)>;
            if constexpr (std::is_same_v<V, std::vector<std::string>>) {
                text += "[";
                for (std::size_t i = 0; i < value.size(); ++i) {
                    text += (i > 0 ? ", " : "") + value[i];
                }
                text += "]";
            } else if constexpr (std::is_same_v<V, bool>) {
                text += value ? "true" : "false";
            } else if constexpr (std::is_same_v<V, std::string>) {
                text += value;
            } else {
                text += std::to_string(value);
            }
        },
        condition.value);
    return text;
}

} // namespace musubi::segments
