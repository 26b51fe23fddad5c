#include "daemon/config/conditions.hpp"

#include <algorithm>

#include "daemon/config/value_types.hpp"

namespace musubi::config {

namespace {

struct OperatorName {
    std::string name;
    ConditionOp op;
};

const std::vector<OperatorName>& operator_names() {
    static const std::vector<OperatorName> names{
        {"eq", ConditionOp::eq}, {"ne", ConditionOp::ne},
        {"gt", ConditionOp::gt}, {"gte", ConditionOp::gte},
        {"lt", ConditionOp::lt}, {"lte", ConditionOp::lte},
        {"in", ConditionOp::in}, {"contains", ConditionOp::contains}};
    return names;
}

std::vector<std::string> operators_for(FieldKind kind) {
    switch (kind) {
    case FieldKind::boolean:
        return {"eq", "ne"};
    case FieldKind::number:
        return {"eq", "ne", "gt", "gte", "lt", "lte"};
    case FieldKind::text:
        return {"eq", "ne", "in"};
    case FieldKind::list:
        return {"contains"};
    }
    return {};
}

std::string example_for(const ConditionField& field) {
    switch (field.kind) {
    case FieldKind::boolean:
        return field.name + ": true";
    case FieldKind::number:
        return field.name + ": {gte: 3000}";
    case FieldKind::text:
        return field.name + ": yamato";
    case FieldKind::list:
        return field.name + ": {contains: vip}";
    }
    return {};
}

std::string operator_name(ConditionOp op) {
    for (const auto& entry : operator_names()) {
        if (entry.op == op) {
            return entry.name;
        }
    }
    return "eq";
}

bool read_value(const ConditionField& field, ConditionOp op, const YAML::Node& node,
                ConditionValue& out, const ReadContext& context) {
    if (op == ConditionOp::in) {
        std::vector<std::string> values;
        if (!ListType<StringType>{}.read(node, values, context)) {
            return false;
        }
        out = values;
        return true;
    }
    switch (field.kind) {
    case FieldKind::boolean: {
        bool value = false;
        if (!BoolType{}.read(node, value, context)) {
            return false;
        }
        out = value;
        return true;
    }
    case FieldKind::number: {
        std::int64_t value = 0;
        if (!IntType{INT64_MIN / 2, INT64_MAX / 2}.read(node, value, context)) {
            return false;
        }
        out = value;
        return true;
    }
    case FieldKind::text:
    case FieldKind::list: {
        std::string value;
        if (!StringType{}.read(node, value, context)) {
            return false;
        }
        out = value;
        return true;
    }
    }
    return false;
}

void read_one(const ConditionField& field, const YAML::Node& value_node,
              std::vector<Condition>& out, const ReadContext& context) {
    const std::vector<std::string> allowed = operators_for(field.kind);
    // The short form `field: value` means "equals", or "contains" for a list field.
    if (!value_node.IsMap()) {
        Condition condition{field.name,
                            field.kind == FieldKind::list ? ConditionOp::contains : ConditionOp::eq,
                            {},
                            context.at(value_node)};
        if (read_value(field, condition.op, value_node, condition.value, context)) {
            out.push_back(std::move(condition));
        }
        return;
    }
    for (const auto& entry : value_node) {
        const std::string& name = entry.first.Scalar();
        const bool known = std::find(allowed.begin(), allowed.end(), name) != allowed.end();
        if (!known) {
            const std::string close = closest_match(name, allowed);
            context.error(entry.first, "'" + name + "' is not an operator for '" + field.name + "'",
                          (close.empty() ? "" : "did you mean '" + close + "'? ") +
                              "operators for this field are: " + join(allowed) + ", e.g. " +
                              example_for(field));
            continue;
        }
        ConditionOp op = ConditionOp::eq;
        for (const auto& candidate : operator_names()) {
            if (candidate.name == name) {
                op = candidate.op;
            }
        }
        Condition condition{field.name, op, {}, context.at(entry.first)};
        if (read_value(field, op, entry.second, condition.value, context)) {
            out.push_back(std::move(condition));
        }
    }
}

} // namespace

const std::vector<ConditionField>& condition_fields() {
    static const std::vector<ConditionField> fields{
        {"friend.linked", FieldKind::boolean, false, "the friend is linked to a buyer"},
        {"friend.tags", FieldKind::list, false, "tags the friend has"},
        {"friend.days_since_follow", FieldKind::number, false, "days since the friend followed"},
        {"friend.inflow_source", FieldKind::text, false, "where the friend came from, if known"},
        {"orders.count", FieldKind::number, false, "orders the linked buyer has placed"},
        {"orders.total_spent", FieldKind::number, false, "yen the linked buyer has spent"},
        {"orders.days_since_last", FieldKind::number, false, "days since the buyer's last order"},
        {"reviews.count", FieldKind::number, false, "reviews the buyer has posted"},
        {"order.total", FieldKind::number, true, "the order's total in yen"},
        {"order.items", FieldKind::list, true, "manage numbers of the order's items"},
        {"order.carrier", FieldKind::text, true, "the delivery company code, e.g. 1001"},
        {"order.first", FieldKind::boolean, true, "the order is the buyer's first"},
    };
    return fields;
}

bool ConditionsType::read(const YAML::Node& node, std::vector<Condition>& out,
                          const ReadContext& context) const {
    out.clear();
    if (node.IsNull()) {
        return true;
    }
    if (!node.IsMap()) {
        context.error(node, std::string("expected conditions, found ") + describe_node(node),
                      "write one condition per line, e.g. 'order.total: {gte: 3000}'");
        return false;
    }
    std::vector<std::string> names;
    for (const auto& field : condition_fields()) {
        names.push_back(field.name);
    }
    const std::size_t before = context.diagnostics->size();
    for (const auto& entry : node) {
        const std::string& name = entry.first.Scalar();
        const auto field =
            std::find_if(condition_fields().begin(), condition_fields().end(),
                         [&](const ConditionField& candidate) { return candidate.name == name; });
        if (field == condition_fields().end()) {
            const std::string close = closest_match(name, names);
            context.error(entry.first, "unknown condition field '" + name + "'",
                          (close.empty() ? "" : "did you mean '" + close + "'? ") +
                              "fields are: " + join(names));
            continue;
        }
        read_one(*field, entry.second, out, context);
    }
    return context.diagnostics->size() == before;
}

void ConditionsType::dump(const std::vector<Condition>& conditions, YAML::Emitter& out) const {
    if (conditions.empty()) {
        out << YAML::Flow;
    }
    out << YAML::BeginMap;
    for (const auto& condition : conditions) {
        out << YAML::Key << condition.field << YAML::Value << YAML::Flow << YAML::BeginMap
            << YAML::Key << operator_name(condition.op) << YAML::Value;
        std::visit(
            [&out](const auto& value) {
                using V = std::decay_t<decltype(value)>;
                if constexpr (std::is_same_v<V, std::vector<std::string>>) {
                    out << YAML::Flow << value;
                } else {
                    out << value;
                }
            },
            condition.value);
        out << YAML::EndMap;
    }
    out << YAML::EndMap;
}

} // namespace musubi::config
