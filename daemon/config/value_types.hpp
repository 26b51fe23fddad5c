#pragma once
// The value types a configuration key can have. Each type knows how to read a YAML node into
// a C++ value (reporting its own diagnostic, with a hint, when it cannot) and how to write the
// value back for --dump-config. Keys are declared with these types in one place per section
// (see section.hpp), so a key's type, default and description are written exactly once.

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "daemon/config/duration.hpp"
#include "daemon/config/read_context.hpp"
#include "daemon/config/suggest.hpp"
#include "daemon/config/time_window.hpp"

namespace musubi::config {

// True when the node is a single value; otherwise reports "expected <what>, found …".
bool expect_scalar(const YAML::Node& node, const ReadContext& context, const std::string& what,
                   const std::string& hint);

struct StringType {
    using value_type = std::string;
    bool allow_empty = false;
    std::string type_name() const { return "text"; }
    bool read(const YAML::Node& node, std::string& out, const ReadContext& context) const;
    void dump(const std::string& value, YAML::Emitter& out) const { out << value; }
};

struct IntType {
    using value_type = std::int64_t;
    std::int64_t min = 0;
    std::int64_t max = INT64_MAX;
    std::string type_name() const { return "whole number"; }
    bool read(const YAML::Node& node, std::int64_t& out, const ReadContext& context) const;
    void dump(std::int64_t value, YAML::Emitter& out) const { out << value; }
};

struct BoolType {
    using value_type = bool;
    std::string type_name() const { return "true/false"; }
    bool read(const YAML::Node& node, bool& out, const ReadContext& context) const;
    void dump(bool value, YAML::Emitter& out) const { out << value; }
};

struct DurationType {
    using value_type = Duration;
    Duration min{0};
    std::string type_name() const { return "duration"; }
    bool read(const YAML::Node& node, Duration& out, const ReadContext& context) const;
    void dump(Duration value, YAML::Emitter& out) const { out << format_duration(value); }
};

struct TimeOfDayType {
    using value_type = TimeOfDay;
    std::string type_name() const { return "time of day"; }
    bool read(const YAML::Node& node, TimeOfDay& out, const ReadContext& context) const;
    void dump(TimeOfDay value, YAML::Emitter& out) const { out << value.to_string(); }
};

struct TimeWindowType {
    using value_type = TimeWindow;
    std::string type_name() const { return "time window"; }
    bool read(const YAML::Node& node, TimeWindow& out, const ReadContext& context) const;
    void dump(const TimeWindow& value, YAML::Emitter& out) const { out << value.to_string(); }
};

// An http(s) base URL such as "https://api.line.me" (no trailing slash is kept).
struct UrlType {
    using value_type = std::string;
    std::string type_name() const { return "URL"; }
    bool read(const YAML::Node& node, std::string& out, const ReadContext& context) const;
    void dump(const std::string& value, YAML::Emitter& out) const { out << value; }
};

// A file or folder path; a relative path resolves against the folder of the file it is in.
struct PathType {
    using value_type = std::filesystem::path;
    std::string type_name() const { return "path"; }
    bool read(const YAML::Node& node, std::filesystem::path& out, const ReadContext& context) const;
    void dump(const std::filesystem::path& value, YAML::Emitter& out) const {
        out << value.string();
    }
};

// "host:port" to listen on, e.g. "127.0.0.1:8080" or "[::1]:8080"; port 0 picks a free one.
struct ListenAddress {
    std::string host;
    int port = 0;
    std::string to_string() const;
    bool operator==(const ListenAddress&) const = default;
};
struct ListenType {
    using value_type = ListenAddress;
    std::string type_name() const { return "listen address"; }
    bool read(const YAML::Node& node, ListenAddress& out, const ReadContext& context) const;
    void dump(const ListenAddress& value, YAML::Emitter& out) const { out << value.to_string(); }
};

// One of a fixed set of words; an unknown word lists the valid ones.
template <class E>
struct EnumType {
    using value_type = E;
    std::vector<std::pair<std::string, E>> values;

    std::string type_name() const { return "one of " + join(names(), ", "); }
    std::vector<std::string> names() const {
        std::vector<std::string> result;
        for (const auto& entry : values) {
            result.push_back(entry.first);
        }
        return result;
    }
    bool read(const YAML::Node& node, E& out, const ReadContext& context) const {
        const std::string hint = "write one of: " + join(names(), ", ");
        if (!expect_scalar(node, context, "one of the words below", hint)) {
            return false;
        }
        const std::string& word = node.Scalar();
        for (const auto& [name, value] : values) {
            if (name == word) {
                out = value;
                return true;
            }
        }
        const std::string close = closest_match(word, names());
        context.error(node, "'" + word + "' is not a valid value",
                      (close.empty() ? "" : "did you mean '" + close + "'? ") + hint);
        return false;
    }
    void dump(const E& value, YAML::Emitter& out) const {
        for (const auto& [name, candidate] : values) {
            if (candidate == value) {
                out << name;
                return;
            }
        }
    }
};

// A list of values of one type: `[a, b]` or one per line with "- ". A single value is
// accepted as a list of one, because staff write `cancel_on: order.cancelled` naturally.
template <class Element>
struct ListType {
    using value_type = std::vector<typename Element::value_type>;
    static constexpr bool is_block = true;
    Element element;

    std::string type_name() const { return "list of " + element.type_name(); }
    bool read(const YAML::Node& node, value_type& out, const ReadContext& context) const {
        out.clear();
        if (node.IsScalar()) {
            typename Element::value_type value{};
            const bool ok = element.read(node, value, context);
            out.push_back(std::move(value));
            return ok;
        }
        if (!node.IsSequence()) {
            context.error(node, std::string("expected a list, found ") + describe_node(node),
                          "write one item per line, each starting with \"- \"");
            return false;
        }
        bool ok = true;
        for (const auto& item : node) {
            typename Element::value_type value{};
            ok = element.read(item, value, context) && ok;
            out.push_back(std::move(value));
        }
        return ok;
    }
    void dump(const value_type& values, YAML::Emitter& out) const {
        if (values.empty()) {
            out << YAML::Flow;
        }
        out << YAML::BeginSeq;
        for (const auto& value : values) {
            element.dump(value, out);
        }
        out << YAML::EndSeq;
    }
};

// A mapping from free-form names to values of one type (e.g. a scenario's `vars`).
template <class Element>
struct MapType {
    using value_type = std::map<std::string, typename Element::value_type>;
    static constexpr bool is_block = true;
    Element element;

    std::string type_name() const { return "mapping of name: " + element.type_name(); }
    bool read(const YAML::Node& node, value_type& out, const ReadContext& context) const {
        out.clear();
        if (node.IsNull()) {
            return true;
        }
        if (!node.IsMap()) {
            context.error(node, std::string("expected a mapping, found ") + describe_node(node),
                          "write one \"name: value\" per line");
            return false;
        }
        bool ok = true;
        for (const auto& entry : node) {
            typename Element::value_type value{};
            ok = element.read(entry.second, value, context) && ok;
            out[entry.first.Scalar()] = std::move(value);
        }
        return ok;
    }
    void dump(const value_type& values, YAML::Emitter& out) const {
        if (values.empty()) {
            out << YAML::Flow;
        }
        out << YAML::BeginMap;
        for (const auto& [name, value] : values) {
            out << YAML::Key << name << YAML::Value;
            element.dump(value, out);
        }
        out << YAML::EndMap;
    }
};

} // namespace musubi::config
