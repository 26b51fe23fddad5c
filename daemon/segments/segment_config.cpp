#include "daemon/segments/segment_config.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <optional>

#include "daemon/config/conditions.hpp"
#include "daemon/config/section.hpp"
#include "daemon/config/suggest.hpp"
#include "daemon/config/value_types.hpp"
#include "daemon/config/yaml_file.hpp"

namespace musubi::segments {

namespace {

using config::Condition;
using config::ConditionOp;
using config::ReadContext;

bool is_name(const std::string& text) {
    return !text.empty() && text.size() <= 64 && std::all_of(text.begin(), text.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    });
}

struct SegmentNameType {
    using value_type = std::string;
    std::string type_name() const { return "name"; }
    bool read(const YAML::Node& node, std::string& out, const ReadContext& context) const {
        const std::string hint = "use lower-case letters, digits, '_' and '-', e.g. vip or "
                                 "no-order-90d";
        if (!config::expect_scalar(node, context, "a name", hint)) {
            return false;
        }
        if (!is_name(node.Scalar())) {
            context.error(node, "'" + node.Scalar() + "' is not a valid segment name", hint);
            return false;
        }
        out = node.Scalar();
        return true;
    }
    void dump(const std::string& value, YAML::Emitter& out) const { out << value; }
};

std::vector<std::string> field_names() {
    std::vector<std::string> names;
    for (const auto& field : segment_fields()) {
        names.push_back(field.name);
    }
    return names;
}

// `orders.items: item-1`, `{contains: item-1}` or `{contains: [item-1, item-2]}` (any of them).
void read_items(const YAML::Node& value, std::vector<Condition>& out, const ReadContext& context) {
    const auto read_value = [&](const YAML::Node& node, const YAML::Node& at) {
        Condition condition{k_items_field, ConditionOp::contains, {}, context.at(at)};
        if (node.IsSequence()) {
            std::vector<std::string> any;
            if (config::ListType<config::StringType>{}.read(node, any, context)) {
                condition.value = any;
                out.push_back(std::move(condition));
            }
            return;
        }
        std::string one;
        if (config::StringType{}.read(node, one, context)) {
            condition.value = one;
            out.push_back(std::move(condition));
        }
    };
    if (!value.IsMap()) {
        read_value(value, value);
        return;
    }
    for (const auto& entry : value) {
        if (entry.first.Scalar() != "contains") {
            context.error(entry.first,
                          "'" + entry.first.Scalar() + "' is not an operator for '" +
                              k_items_field + "'",
                          "write orders.items: {contains: <manage number>}, or a list for any "
                          "of several, e.g. orders.items: {contains: [towel-01, towel-02]}");
            continue;
        }
        read_value(entry.second, entry.first);
    }
}

// The scenario condition reader over the fields a segment may use. Fields about one order
// (order.total, ...) are refused with the segment field to use instead.
struct SegmentConditionsType {
    using value_type = std::vector<Condition>;
    static constexpr bool is_block = true;
    std::string type_name() const { return "conditions (field: value)"; }

    bool read(const YAML::Node& node, std::vector<Condition>& out,
              const ReadContext& context) const {
        out.clear();
        if (node.IsNull()) {
            return true;
        }
        if (!node.IsMap()) {
            context.error(node,
                          std::string("expected conditions, found ") + config::describe_node(node),
                          "write one condition per line, e.g. 'orders.count: {gte: 5}'");
            return false;
        }
        const std::size_t before = context.diagnostics->size();
        // Fields shared with scenarios go through the scenario reader, so operators and values
        // are checked (and worded) the same way; yaml-cpp keeps the nodes' positions.
        YAML::Node shared(YAML::NodeType::Map);
        const auto names = field_names();
        for (const auto& entry : node) {
            const std::string& name = entry.first.Scalar();
            if (name == k_items_field) {
                read_items(entry.second, out, context);
                continue;
            }
            if (std::find(names.begin(), names.end(), name) != names.end()) {
                shared.force_insert(entry.first, entry.second);
                continue;
            }
            if (name.starts_with("order.")) {
                context.error(entry.first,
                              "'" + name + "' is about one order and cannot decide a segment",
                              "use a field about the friend's orders overall: orders.count, "
                              "orders.total_spent, orders.days_since_last or orders.items");
                continue;
            }
            const std::string close = config::closest_match(name, names);
            context.error(entry.first, "unknown condition field '" + name + "'",
                          (close.empty() ? "" : "did you mean '" + close + "'? ") +
                              "fields are: " + config::join(names));
        }
        if (shared.size() > 0) {
            std::vector<Condition> conditions;
            if (config::ConditionsType{}.read(shared, conditions, context)) {
                out.insert(out.end(), conditions.begin(), conditions.end());
            }
        }
        return context.diagnostics->size() == before;
    }
    void dump(const std::vector<Condition>& conditions, YAML::Emitter& out) const {
        config::ConditionsType{}.dump(conditions, out);
    }
};

// One `- name: ...` item as read; `when` absent means a catch-all.
struct SegmentItem {
    std::string name;
    std::string description;
    std::optional<std::vector<Condition>> when;
};

const config::Section<SegmentItem>& item_section() {
    static const config::Section<SegmentItem> section = [] {
        config::Section<SegmentItem> s("segments");
        s.key("name", &SegmentItem::name, SegmentNameType{}, config::Required{},
              "the segment's name, used by richmenus.yaml and campaigns")
            .key("description", &SegmentItem::description, config::StringType{true},
                 config::Default{"\"\""}, "what the segment means, for people")
            .key("when", &SegmentItem::when, SegmentConditionsType{}, config::Optional{},
                 "conditions that must all hold; leave out for everyone not matched above");
        return s;
    }();
    return section;
}

void read_list(const YAML::Node& list, std::vector<Segment>& out, const ReadContext& context) {
    std::map<std::string, int> defined_at; // name -> line
    std::optional<std::string> catch_all;
    bool reported_unreachable = false;
    for (const auto& node : list) {
        const std::size_t before = context.diagnostics->size();
        if (!node.IsMap()) {
            context.error(node,
                          std::string("expected a segment, found ") + config::describe_node(node),
                          "write each segment as '- name: <name>' with 'when:' below it");
            continue;
        }
        SegmentItem item;
        item_section().read(node, item, context);
        if (context.diagnostics->size() != before) {
            continue;
        }
        const config::Position where = context.at(node);
        auto [existing, inserted] = defined_at.emplace(item.name, where.line);
        if (!inserted) {
            context.error(node["name"],
                          "segment '" + item.name + "' is already defined on line " +
                              std::to_string(existing->second),
                          "give each segment its own name");
            continue;
        }
        if (catch_all && !reported_unreachable) {
            reported_unreachable = true;
            context.error(node["name"],
                          "segment '" + item.name + "' can never match: '" + *catch_all +
                              "' above it has no conditions and takes every friend left",
                          "move '" + *catch_all + "' to the end of the list, or give it 'when:'");
        }
        const bool everyone = !item.when || item.when->empty();
        if (everyone && !catch_all) {
            catch_all = item.name;
        }
        out.push_back(Segment{item.name, item.description,
                              item.when.value_or(std::vector<Condition>{}), where});
    }
}

} // namespace

std::vector<Segment> read_segments(const std::filesystem::path& file, const std::string& shown,
                                   config::Diagnostics& diagnostics) {
    std::vector<Segment> segments;
    auto root = config::parse_yaml_file(file, shown, "segments", diagnostics);
    if (!root) {
        return segments;
    }
    const ReadContext context{shown, file.parent_path(), &diagnostics};
    const std::string start_hint = "start the file with 'segments:' and list one '- name: ...' "
                                   "per segment below it";
    if (!root->IsMap()) {
        context.error(*root, "the segments file must be a mapping with 'segments:'", start_hint);
        return segments;
    }
    for (const auto& entry : *root) {
        if (entry.first.Scalar() != "segments") {
            const std::string close = config::closest_match(entry.first.Scalar(), {"segments"});
            context.error(entry.first, "unknown key '" + entry.first.Scalar() + "'",
                          close.empty() ? "the only key here is 'segments:'"
                                        : "did you mean 'segments'?");
        }
    }
    const YAML::Node& top = *root;
    const YAML::Node list = top["segments"];
    if (!list.IsDefined()) {
        context.error(*root, "missing 'segments:'", start_hint);
        return segments;
    }
    if (!list.IsSequence() || list.size() == 0) {
        context.error(
            list, std::string("expected a list of segments, found ") + config::describe_node(list),
            "write one segment per item, e.g. '  - name: guest'; to use no segments, "
            "remove 'segments:' from musubi.yaml");
        return segments;
    }
    read_list(list, segments, context);
    return segments;
}

tl::expected<std::vector<Segment>, config::Diagnostics>
load_segments(const std::filesystem::path& file, const std::string& shown) {
    config::Diagnostics diagnostics;
    auto segments = read_segments(file, shown, diagnostics);
    if (!diagnostics.empty()) {
        return tl::unexpected(std::move(diagnostics));
    }
    return segments;
}

} // namespace musubi::segments
