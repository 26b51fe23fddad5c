#pragma once
// For --check-config: what every template would look like to LINE, rendered with the sample
// context, so that a template LINE would refuse is reported before the daemon starts.

#include <vector>

#include "daemon/templates/template_set.hpp"

namespace musubi::templates {

// Every problem of every template: {{names}} musubi does not fill in, and what breaks LINE's
// limits when rendered with TemplateSet::sample_context(). Empty when all is well.
std::vector<TemplateError> check_templates(const TemplateSet& templates);

} // namespace musubi::templates
