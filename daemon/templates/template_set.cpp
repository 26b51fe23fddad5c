#include "daemon/templates/template_set.hpp"

// Placeholder until the renderer lands; every call reports that templates are not built yet.

namespace musubi::templates {

tl::expected<TemplateSet, std::vector<TemplateError>>
TemplateSet::load(const std::filesystem::path& /*folder*/) {
    return TemplateSet();
}

bool TemplateSet::contains(std::string_view name) const {
    return m_templates.find(name) != m_templates.end();
}

std::vector<std::string> TemplateSet::names() const {
    std::vector<std::string> names;
    for (const auto& [name, _] : m_templates) {
        names.push_back(name);
    }
    return names;
}

tl::expected<nlohmann::json, TemplateError>
TemplateSet::render(std::string_view name, const nlohmann::json& /*context*/) const {
    return tl::unexpected(TemplateError{std::string(name), "templates are not rendered yet", ""});
}

nlohmann::json TemplateSet::sample_context() {
    return nlohmann::json::object();
}

} // namespace musubi::templates
