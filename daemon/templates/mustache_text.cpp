// GCC 12 reports a "potential null pointer dereference" inside std::vector::insert as inlined
// into kainjow's context::push (a false positive: the pointer is the vector's own storage).
// The pragma must come before the standard headers, where the inlined code is located.
#pragma GCC diagnostic ignored "-Wnull-dereference"

#include "daemon/templates/mustache_text.hpp"

#include <charconv>

namespace musubi::templates {

namespace {

// kainjow reports errors as e.g. `Unclosed section "order.items" at 12`.
std::size_t reported_offset(const std::string& error) {
    const auto at = error.rfind(" at ");
    std::size_t offset = 0;
    if (at != std::string::npos) {
        const char* first = error.data() + at + 4;
        std::from_chars(first, error.data() + error.size(), offset);
    }
    return offset;
}

std::string reported_name(const std::string& error) {
    const auto open = error.find('"');
    const auto close = error.rfind('"');
    if (open == std::string::npos || close == open) {
        return {};
    }
    return error.substr(open + 1, close - open - 1);
}

MustacheSyntaxError explain(const std::string& error) {
    const auto offset = reported_offset(error);
    const auto name = reported_name(error);
    if (error.starts_with("Unclosed section")) {
        return {offset, "the section {{#" + name + "}} is never closed",
                "add {{/" + name +
                    "}} where the section ends (sections close in the reverse "
                    "order they open, with exactly the same name)"};
    }
    if (error.starts_with("Unopened section")) {
        return {offset, "{{/" + name + "}} closes a section that was not opened",
                "add {{#" + name + "}} before it, or fix the name so that it matches the {{#…}}"};
    }
    if (error.starts_with("Unclosed tag")) {
        return {offset, "a tag opened with {{ is never closed with }}",
                "close it with }} (or }}} after {{{); to write {{ as text, change the "
                "delimiters with {{=<% %>=}}"};
    }
    if (error.starts_with("Invalid set delimiter")) {
        return {offset, "the delimiter change {{=… …=}} is not valid",
                "write it as {{=<% %>=}}: two delimiters without spaces or = in them"};
    }
    return {offset, "the template does not parse: " + error, "check the {{…}} tags"};
}

std::string no_escape(const std::string& text) {
    return text;
}

} // namespace

std::optional<MustacheSyntaxError> find_syntax_error(const std::string& source) {
    const kainjow::mustache::mustache parsed(source);
    if (parsed.is_valid()) {
        return std::nullopt;
    }
    return explain(parsed.error_message());
}

kainjow::mustache::data to_mustache_data(const nlohmann::json& value) {
    using kainjow::mustache::data;
    switch (value.type()) {
    case nlohmann::json::value_t::object: {
        data object(data::type::object);
        for (const auto& [key, member] : value.items()) {
            object.set(key, to_mustache_data(member));
        }
        return object;
    }
    case nlohmann::json::value_t::array: {
        data list(data::type::list);
        for (const auto& element : value) {
            list.push_back(to_mustache_data(element));
        }
        return list;
    }
    case nlohmann::json::value_t::string:
        // An empty value opens no section, so {{^x}}fallback{{/x}} covers "" and missing alike.
        if (value.get_ref<const std::string&>().empty()) {
            return data(false);
        }
        return data(value.get<std::string>());
    case nlohmann::json::value_t::boolean:
        return data(value.get<bool>());
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned:
    case nlohmann::json::value_t::number_float:
        return data(value.dump());
    default:
        return data(false);
    }
}

tl::expected<std::string, std::string> render_mustache(const std::string& source,
                                                       const kainjow::mustache::data& context) {
    kainjow::mustache::mustache parsed(source);
    parsed.set_custom_escape(no_escape);
    auto text = parsed.render(context);
    if (!parsed.is_valid()) {
        return tl::unexpected(parsed.error_message());
    }
    return text;
}

} // namespace musubi::templates
