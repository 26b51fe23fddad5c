#pragma once
// A small validator for the component schemas of LINE's OpenAPI specification
// (tests/spec/line-openapi/messaging-api.yml, built into the simulator). It understands what
// that file uses: $ref, allOf, discriminator (propertyName + mapping: the value of the property
// selects the subtype, an unknown value is refused), type, required, properties,
// additionalProperties, items, enum, minItems/maxItems, minLength/maxLength, minimum/maximum,
// pattern and format: uri. Rules the specification does not have (the contract page's limits)
// come from a Layer, called once for every object validated as a named schema.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace musubi::sim::line {

struct ErrorDetail {
    std::string message;
    std::string property;
};

// The details of one 400, in the order found; at most one per property (the first found).
class Findings {
public:
    void add(std::string message, std::string property);
    bool has(const std::string& property) const;
    const std::vector<ErrorDetail>& details() const { return m_details; }

private:
    std::vector<ErrorDetail> m_details;
};

// An object that was validated as the named schema `schema` (after the discriminator chose the
// subtype), e.g. "ButtonsTemplate" at "messages[0].template"; `parents` names the enclosing
// objects' schemas, outermost first.
struct Visit {
    const std::string& schema;
    const nlohmann::json& value;
    const std::string& path;
    const std::vector<std::string>& parents;
};

class Layer {
public:
    virtual ~Layer() = default;
    // The length of `text` as `property` of `schema` is counted (for maxLength/minLength).
    virtual std::size_t length(const std::string& schema, const std::string& property,
                               const std::string& text) const = 0;
    virtual void check(const Visit& visit, Findings& findings) const = 0;
};

class OpenApiSchemas {
public:
    // Parses an OpenAPI document's text; only components.schemas is kept.
    explicit OpenApiSchemas(const std::string& yaml_text);
    // messaging-api.yml as built into the simulator, parsed on first use.
    static const OpenApiSchemas& messaging_api();

    bool has(const std::string& name) const;
    // Validates `value` as components.schemas[name]; properties are named from `path`.
    void validate(const nlohmann::json& value, const std::string& name, const Layer& layer,
                  Findings& findings, const std::string& path = "") const;

private:
    nlohmann::json m_schemas;
};

// "messages[0]" + "text" → "messages[0].text"; "" + "size" → "size".
std::string property_path(const std::string& parent, std::string_view key);
std::string item_path(const std::string& parent, std::size_t index);

} // namespace musubi::sim::line
