#pragma once
// What every value reader needs while reading one YAML file: the file's name for messages,
// the folder relative paths resolve against, and where to put diagnostics.

#include <filesystem>
#include <string>

#include <yaml-cpp/yaml.h>

#include "daemon/config/diagnostics.hpp"

namespace musubi::config {

struct ReadContext {
    std::string file;               // as shown in diagnostics
    std::filesystem::path base_dir; // relative paths in this file resolve here
    Diagnostics* diagnostics = nullptr;

    Position at(const YAML::Node& node) const {
        const YAML::Mark mark = node.Mark();
        if (mark.line < 0) {
            return {file, 0, 0};
        }
        return {file, mark.line + 1, mark.column + 1};
    }
    void error(const YAML::Node& node, std::string message, std::string hint = {}) const {
        diagnostics->add(at(node), std::move(message), std::move(hint));
    }
};

// "a text", "a list", "a mapping": what a node is, for "expected X, found Y" messages.
inline const char* describe_node(const YAML::Node& node) {
    switch (node.Type()) {
    case YAML::NodeType::Sequence:
        return "a list";
    case YAML::NodeType::Map:
        return "a mapping (key: value lines)";
    case YAML::NodeType::Null:
        return "nothing";
    case YAML::NodeType::Scalar:
        return "a single value";
    default:
        return "nothing";
    }
}

} // namespace musubi::config
