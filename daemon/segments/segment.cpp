#include "daemon/segments/segment.hpp"

#include <variant>

#include "daemon/config/conditions.hpp"

namespace musubi::segments {

const std::vector<SegmentField>& segment_fields() {
    static const std::vector<SegmentField> fields = [] {
        std::vector<SegmentField> list;
        for (const auto& field : config::condition_fields()) {
            if (!field.needs_order) {
                list.push_back({field.name, field.name == "friend.days_since_follow" ||
                                                field.name == "orders.days_since_last"});
            }
        }
        list.push_back({k_items_field, false});
        return list;
    }();
    return fields;
}

std::string fingerprint(const std::vector<Segment>& segments) {
    std::string text;
    for (const auto& segment : segments) {
        text += segment.name + "{";
        for (const auto& condition : segment.when) {
            text += condition.field + ":" + std::to_string(static_cast<int>(condition.op)) + "=";
            std::visit(
                [&text](const auto& value) {
                    using V = std::decay_t<decltype(value)>;
                    if constexpr (std::is_same_v<V, std::vector<std::string>>) {
                        for (const auto& one : value) {
                            text += one + ",";
                        }
                    } else if constexpr (std::is_same_v<V, std::string>) {
                        text += "'" + value + "'";
                    } else {
                        text += std::to_string(value);
                    }
                },
                condition.value);
            text += ";";
        }
        text += "}";
    }
    // FNV-1a, 64 bits: short enough for the cursors table, stable across builds.
    std::uint64_t hash = 14695981039346656037ULL;
    for (const unsigned char c : text) {
        hash = (hash ^ c) * 1099511628211ULL;
    }
    static constexpr char k_hex[] = "0123456789abcdef";
    std::string out(16, '0');
    for (int i = 15; i >= 0; --i) {
        out[static_cast<std::size_t>(i)] = k_hex[hash & 0xf];
        hash >>= 4;
    }
    return out;
}

} // namespace musubi::segments
