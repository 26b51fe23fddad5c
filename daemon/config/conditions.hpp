#pragma once
// Conditions are structured YAML, not a language: `field: value` or `field: {operator: value}`.
// Scenarios (`when:`) and, later, segments use the same fields and operators, declared here.

#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "daemon/config/read_context.hpp"
#include "daemon/config/scenario.hpp"

namespace musubi::config {

enum class FieldKind { boolean, number, text, list };

struct ConditionField {
    std::string name;
    FieldKind kind;
    bool needs_order; // only meaningful when the scenario's subject is an order
    std::string description;
};

const std::vector<ConditionField>& condition_fields();

struct ConditionsType {
    using value_type = std::vector<Condition>;
    static constexpr bool is_block = true;
    std::string type_name() const { return "conditions (field: value)"; }
    bool read(const YAML::Node& node, std::vector<Condition>& out,
              const ReadContext& context) const;
    void dump(const std::vector<Condition>& conditions, YAML::Emitter& out) const;
};

} // namespace musubi::config
