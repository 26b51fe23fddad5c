#pragma once
// Mustache as musubi uses it: kainjow's renderer with no HTML escaping (LINE text is not HTML,
// so {{x}} and {{{x}}} both insert the value as it is) and a render context built from JSON.

#include <cstddef>
#include <optional>
#include <string>

#include <kainjow/mustache.hpp>
#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

namespace musubi::templates {

struct MustacheSyntaxError {
    std::size_t offset = 0; // byte offset of the offending tag in the source
    std::string message;    // e.g. "the section {{#order.items}} is never closed"
    std::string hint;       // what to write instead
};

// Whether `source` parses as Mustache; the error is worded for store staff.
std::optional<MustacheSyntaxError> find_syntax_error(const std::string& source);

// Objects become Mustache objects, arrays lists, booleans true/false, numbers their decimal
// text; null and "" become false (render nothing and open no section).
kainjow::mustache::data to_mustache_data(const nlohmann::json& value);

// The rendered text, or kainjow's error (only for sources find_syntax_error refused).
tl::expected<std::string, std::string> render_mustache(const std::string& source,
                                                       const kainjow::mustache::data& context);

} // namespace musubi::templates
