#pragma once
// For --check-config: what every template would look like to LINE, rendered with the sample
// context, so that a template LINE would refuse is reported before the daemon starts.

#include <vector>

#include "daemon/templates/template_set.hpp"

namespace musubi::templates {

// Every problem of every template: {{names}} musubi does not fill in, and what LINE would
// refuse when rendered with TemplateSet::sample_context() and then with
// sparse_sample_context() (a friend whose optional values are empty; what only that render
// finds says which empty value causes it). Errors of JSON templates carry file:line:col.
// `link_page`: whether linking.page_url is set (without it {{link.url}} is always empty).
// Empty when all is well.
std::vector<TemplateError> check_templates(const TemplateSet& templates, bool link_page = true);

} // namespace musubi::templates
