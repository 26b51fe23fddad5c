#pragma once
// A Section declares the keys of one YAML mapping once — name, type, default, description —
// and from that one declaration it reads the mapping into a struct (unknown keys, duplicate
// keys, missing required keys and bad values become diagnostics), writes it back for
// --dump-config (secrets redacted), and lists its keys for documentation and "valid keys are"
// hints.

#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "daemon/config/read_context.hpp"
#include "daemon/config/secret.hpp"
#include "daemon/config/suggest.hpp"

namespace musubi::config {

// How a key's absence is treated.
struct Required {};
struct Default {
    std::string yaml; // the default as staff would write it, e.g. "5s"; parsed like a value
};
struct Optional {}; // the member is a std::optional and stays empty

// One key, documented: what --dump-config and the docs show.
struct KeyDoc {
    std::string key;
    std::string type;
    std::string default_text; // "" when required or optional
    bool required = false;
    std::string description;
};

// Reads a secret that may come inline, from `<key>_file`, or from an environment variable
// (the environment wins, so a systemd credential or container setting can override the file).
// Defined in secret_reader.cpp.
bool read_secret(const YAML::Node& map, const std::string& key, const std::string& env_name,
                 Secret& out, const ReadContext& context);

// A comment after a one-line value; a nested mapping or list (which declares `is_block`) gets
// none, as it would land on its last line.
template <class Type>
void comment_after_value(const Type&, const std::string& comment, YAML::Emitter& out) {
    if constexpr (!requires { Type::is_block; }) {
        out << YAML::Comment(comment);
    }
}

template <class T>
class Section {
public:
    // `path` names the section in messages and environment variables: "line", "rakuten".
    explicit Section(std::string path)
        : m_path(std::move(path)) {}

    const std::string& path() const { return m_path; }

    template <class Type>
    Section& key(std::string name, typename Type::value_type T::*member, Type type, Required,
                 std::string description) {
        return add_value(std::move(name), member, std::move(type), std::nullopt, true,
                         std::move(description));
    }
    template <class Type>
    Section& key(std::string name, typename Type::value_type T::*member, Type type,
                 Default default_value, std::string description) {
        return add_value(std::move(name), member, std::move(type), std::move(default_value.yaml),
                         false, std::move(description));
    }
    template <class Type>
    Section& key(std::string name, std::optional<typename Type::value_type> T::*member, Type type,
                 Optional, std::string description) {
        Field field;
        field.doc = {name, type.type_name(), "", false, std::move(description)};
        field.names = {name};
        field.read = [name, member, type](const YAML::Node& map, T& out,
                                          const ReadContext& context) {
            const YAML::Node node = map.IsMap() ? map[name] : YAML::Node();
            if (!node.IsDefined() || node.IsNull()) {
                (out.*member).reset();
                return;
            }
            typename Type::value_type value{};
            if (type.read(node, value, context)) {
                out.*member = std::move(value);
            }
        };
        field.dump = [name, member, type](const T& value, YAML::Emitter& out,
                                          const std::string& comment) {
            if (value.*member) { // an unset optional key is left out of the dump
                out << YAML::Key << name << YAML::Value;
                type.dump(*(value.*member), out);
                comment_after_value(type, comment, out);
            }
        };
        m_fields.push_back(std::move(field));
        return *this;
    }

    // A secret: `name`, `name_file`, or MUSUBI_<PATH>_<NAME> in the environment. Whether it is
    // required often depends on other keys, so that is checked after reading (see loader.cpp).
    Section& secret(std::string name, Secret T::*member, std::string description) {
        Field field;
        const std::string env_name = environment_name(name);
        field.doc = {name, "secret (inline, " + name + "_file, or $" + env_name + ")", "", false,
                     std::move(description)};
        field.names = {name, name + "_file"};
        field.read = [name, member, env_name](const YAML::Node& map, T& out,
                                              const ReadContext& context) {
            read_secret(map, name, env_name, out.*member, context);
        };
        field.dump = [name, member](const T& value, YAML::Emitter& out,
                                    const std::string& comment) {
            const Secret& secret = value.*member;
            out << YAML::Key << name << YAML::Value;
            if (secret.empty()) {
                out << YAML::Null;
            } else {
                out << "<redacted: " + secret.source() + ">";
            }
            out << YAML::Comment(comment);
        };
        m_fields.push_back(std::move(field));
        return *this;
    }

    // A check across keys, run after every key was read (e.g. "exactly one of after/at/on").
    Section& check(std::function<void(const T&, const YAML::Node&, const ReadContext&)> rule) {
        m_checks.push_back(std::move(rule));
        return *this;
    }

    // Reads `map` into `out`, starting from defaults. Diagnostics go to the context.
    void read(const YAML::Node& map, T& out, const ReadContext& context) const {
        if (map.IsDefined() && !map.IsNull() && !map.IsMap()) {
            context.error(map,
                          "expected the '" + m_path + "' settings as a mapping, found " +
                              describe_node(map),
                          "write one \"key: value\" per line below '" + m_path + ":'");
            return;
        }
        report_unknown_and_duplicate_keys(map, context);
        for (const auto& field : m_fields) {
            field.read(map, out, context);
        }
        for (const auto& rule : m_checks) {
            rule(out, map, context);
        }
    }

    // Each key with its description as a comment, so the dump documents itself.
    void dump(const T& value, YAML::Emitter& out) const {
        out << YAML::BeginMap;
        for (const auto& field : m_fields) {
            field.dump(value, out, field.doc.description);
        }
        out << YAML::EndMap;
    }

    std::vector<std::string> valid_keys() const {
        std::vector<std::string> keys;
        for (const auto& field : m_fields) {
            keys.insert(keys.end(), field.names.begin(), field.names.end());
        }
        return keys;
    }

    std::vector<KeyDoc> docs() const {
        std::vector<KeyDoc> result;
        for (const auto& field : m_fields) {
            result.push_back(field.doc);
        }
        return result;
    }

private:
    struct Field {
        KeyDoc doc;
        std::vector<std::string> names; // the YAML keys this field accepts
        std::function<void(const YAML::Node&, T&, const ReadContext&)> read;
        // Writes the key and its value with `comment` after it, unless it is an unset optional.
        std::function<void(const T&, YAML::Emitter&, const std::string& comment)> dump;
    };

    template <class Type>
    Section& add_value(std::string name, typename Type::value_type T::*member, Type type,
                       std::optional<std::string> default_yaml, bool required,
                       std::string description) {
        Field field;
        field.doc = {name, type.type_name(), default_yaml.value_or(""), required,
                     std::move(description)};
        field.names = {name};
        const std::string path = m_path;
        field.read = [name, member, type, default_yaml, required,
                      path](const YAML::Node& map, T& out, const ReadContext& context) {
            const YAML::Node node = map.IsMap() ? map[name] : YAML::Node();
            if (node.IsDefined() && !node.IsNull()) {
                type.read(node, out.*member, context);
                return;
            }
            if (required) {
                context.error(map, "missing required key '" + name + "' in '" + path + "'",
                              "add a line '" + name + ": <" + type.type_name() + ">'");
                return;
            }
            // A default is written as staff would write it and read like any value, so the
            // declared default is itself checked; a bad one is a programming error.
            ReadContext default_context{"<default of " + path + "." + name + ">", context.base_dir,
                                        context.diagnostics};
            const std::size_t before = context.diagnostics->size();
            type.read(YAML::Load(*default_yaml), out.*member, default_context);
            if (context.diagnostics->size() != before) {
                throw std::logic_error("invalid default for " + path + "." + name);
            }
        };
        field.dump = [name, member, type](const T& value, YAML::Emitter& out,
                                          const std::string& comment) {
            out << YAML::Key << name << YAML::Value;
            type.dump(value.*member, out);
            comment_after_value(type, comment, out);
        };
        m_fields.push_back(std::move(field));
        return *this;
    }

    std::string environment_name(const std::string& name) const {
        std::string env = "MUSUBI_" + m_path + "_" + name;
        for (char& c : env) {
            c = (c == '.' || c == '-') ? '_' : static_cast<char>(std::toupper(c));
        }
        return env;
    }

    void report_unknown_and_duplicate_keys(const YAML::Node& map,
                                           const ReadContext& context) const {
        if (!map.IsMap()) {
            return;
        }
        const std::vector<std::string> valid = valid_keys();
        const std::set<std::string> valid_set(valid.begin(), valid.end());
        std::set<std::string> seen;
        for (const auto& entry : map) {
            const std::string& key = entry.first.Scalar();
            if (!seen.insert(key).second) {
                context.error(entry.first, "key '" + key + "' appears twice in '" + m_path + "'",
                              "keep one of them; only one value can be used");
                continue;
            }
            if (valid_set.count(key) == 0) {
                const std::string close = closest_match(key, valid);
                context.error(entry.first, "unknown key '" + key + "' in '" + m_path + "'",
                              (close.empty() ? "" : "did you mean '" + close + "'? ") +
                                  "valid keys are: " + join(valid));
            }
        }
    }

    std::string m_path;
    std::vector<Field> m_fields;
    std::vector<std::function<void(const T&, const YAML::Node&, const ReadContext&)>> m_checks;
};

// A nested section used as a key's type: `store:` inside the top level, a step inside steps.
template <class T>
struct SectionType {
    using value_type = T;
    static constexpr bool is_block = true;
    std::shared_ptr<const Section<T>> section;

    std::string type_name() const { return "'" + section->path() + "' settings"; }
    bool read(const YAML::Node& node, T& out, const ReadContext& context) const {
        const std::size_t before = context.diagnostics->size();
        section->read(node, out, context);
        return context.diagnostics->size() == before;
    }
    void dump(const T& value, YAML::Emitter& out) const { section->dump(value, out); }
};

} // namespace musubi::config
