#include "daemon/templates/variable_names.hpp"

#include <optional>
#include <set>

#include "daemon/config/suggest.hpp"

namespace musubi::templates {

namespace {

using nlohmann::json;

struct Tag {
    char kind = ' '; // ' ' a value, '&' an unescaped value, '#', '^', '/', '!', '>'
    std::string name;
};

std::string trim(const std::string& text) {
    const auto first = text.find_first_not_of(" \t\n");
    if (first == std::string::npos) {
        return {};
    }
    const auto last = text.find_last_not_of(" \t\n");
    return text.substr(first, last - first + 1);
}

// The tags of a source that find_syntax_error accepted; nullopt when it changes delimiters.
std::optional<std::vector<Tag>> tags_of(const std::string& source) {
    std::vector<Tag> tags;
    std::size_t position = 0;
    while (true) {
        const auto open = source.find("{{", position);
        if (open == std::string::npos) {
            return tags;
        }
        if (source.compare(open, 3, "{{{") == 0) {
            const auto close = source.find("}}}", open + 3);
            if (close == std::string::npos) {
                return tags;
            }
            tags.push_back({'&', trim(source.substr(open + 3, close - open - 3))});
            position = close + 3;
            continue;
        }
        const auto close = source.find("}}", open + 2);
        if (close == std::string::npos) {
            return tags;
        }
        const auto content = trim(source.substr(open + 2, close - open - 2));
        position = close + 2;
        if (content.empty()) {
            continue;
        }
        const char kind = content[0];
        if (kind == '=') {
            return std::nullopt;
        }
        if (kind == '#' || kind == '^' || kind == '/' || kind == '!' || kind == '>' ||
            kind == '&') {
            tags.push_back({kind, trim(content.substr(1))});
        } else {
            tags.push_back({' ', content});
        }
    }
}

bool open_ended(const std::string& name) {
    return name.starts_with("friend.tag.") || name.starts_with("friend.segments.") ||
           name.starts_with("vars.");
}

std::vector<std::string> parts_of(const std::string& name) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (true) {
        const auto dot = name.find('.', start);
        parts.push_back(name.substr(start, dot - start));
        if (dot == std::string::npos) {
            return parts;
        }
        start = dot + 1;
    }
}

const json* resolve_in(const json& scope, const std::vector<std::string>& parts) {
    const json* at = &scope;
    for (const auto& part : parts) {
        if (!at->is_object()) {
            return nullptr;
        }
        const auto it = at->find(part);
        if (it == at->end()) {
            return nullptr;
        }
        at = &*it;
    }
    return at;
}

// Every name a template could use, for "did you mean": dotted paths from the top, and the
// members of list elements as they are written inside a section.
void collect_names(const json& value, const std::string& prefix, std::vector<std::string>& out) {
    if (value.is_object()) {
        for (const auto& [key, member] : value.items()) {
            const auto name = prefix.empty() ? key : prefix + "." + key;
            out.push_back(name);
            collect_names(member, name, out);
        }
    } else if (value.is_array() && !value.empty()) {
        collect_names(value[0], "", out);
    }
}

} // namespace

std::vector<UnknownName> unknown_names(const std::string& source, const json& sample) {
    static const json k_no_members = json::object();
    const auto tags = tags_of(source);
    if (!tags) {
        return {};
    }
    std::vector<std::string> known;
    collect_names(sample, "", known);

    std::vector<UnknownName> unknown;
    std::set<std::string> reported;
    std::vector<const json*> scopes{&sample};
    for (const auto& tag : *tags) {
        if (tag.kind == '!' || tag.kind == '>') {
            continue;
        }
        if (tag.kind == '/') {
            if (scopes.size() > 1) {
                scopes.pop_back();
            }
            continue;
        }
        const json* found = nullptr;
        if (tag.name != "." && !open_ended(tag.name)) {
            const auto parts = parts_of(tag.name);
            for (auto scope = scopes.rbegin(); scope != scopes.rend() && !found; ++scope) {
                found = resolve_in(**scope, parts);
            }
            if (!found && reported.insert(tag.name).second) {
                unknown.push_back({tag.name, config::closest_match(tag.name, known)});
            }
        }
        if (tag.kind == '#' || tag.kind == '^') {
            if (found && found->is_array() && !found->empty()) {
                scopes.push_back(&(*found)[0]);
            } else if (found && found->is_object()) {
                scopes.push_back(found);
            } else {
                scopes.push_back(&k_no_members);
            }
        }
    }
    return unknown;
}

} // namespace musubi::templates
