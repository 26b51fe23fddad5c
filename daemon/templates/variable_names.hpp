#pragma once
// Finds {{names}} a template uses that the render context never has: a misspelt
// {{order.numbr}} would otherwise render as an empty gap in every message, silently.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace musubi::templates {

struct UnknownName {
    std::string name;       // as written, e.g. "order.numbr"
    std::string suggestion; // the closest known name, or ""
};

// Each name in `source` (Mustache) that resolves nowhere in `sample` — neither at the top nor
// inside the sections that enclose it (inside {{#order.items}}, {{name}} is an item's name).
// Open-ended members (friend.tag.*, friend.segments.*, vars.*) accept any name. A source that
// changes its delimiters ({{=<% %>=}}) is not checked.
std::vector<UnknownName> unknown_names(const std::string& source, const nlohmann::json& sample);

} // namespace musubi::templates
