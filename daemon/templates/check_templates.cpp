#include "daemon/templates/check_templates.hpp"

namespace musubi::templates {

namespace {

void append(std::vector<TemplateError>& to, std::vector<TemplateError> more) {
    to.insert(to.end(), std::make_move_iterator(more.begin()), std::make_move_iterator(more.end()));
}

} // namespace

std::vector<TemplateError> check_templates(const TemplateSet& templates) {
    const auto sample = TemplateSet::sample_context();
    std::vector<TemplateError> errors;
    for (const auto& name : templates.names()) {
        append(errors, templates.check_names(name, sample));
        append(errors, templates.check(name, sample));
    }
    return errors;
}

} // namespace musubi::templates
