#include "daemon/templates/check_templates.hpp"

#include <algorithm>
#include <regex>

namespace musubi::templates {

namespace {

void append(std::vector<TemplateError>& to, std::vector<TemplateError> more) {
    to.insert(to.end(), std::make_move_iterator(more.begin()), std::make_move_iterator(more.end()));
}

bool same(const TemplateError& a, const TemplateError& b) {
    return a.file == b.file && a.line == b.line && a.column == b.column && a.message == b.message;
}

// The members of sparse_members() that `source` (one Mustache string) uses.
std::vector<std::string> sparse_names_in(const std::string& source) {
    static const std::regex tag(R"re(\{\{\s*[#^/&{]?\s*([A-Za-z0-9_.]+)\s*\}?\}\})re");
    std::vector<std::string> names;
    const auto& sparse = TemplateSet::sparse_members();
    for (std::sregex_iterator it(source.begin(), source.end(), tag), end; it != end; ++it) {
        const auto name = (*it)[1].str();
        if (std::find(sparse.begin(), sparse.end(), name) != sparse.end() &&
            std::find(names.begin(), names.end(), name) == names.end()) {
            names.push_back(name);
        }
    }
    return names;
}

std::string when_empty(const std::vector<std::string>& names) {
    std::string text = " (when ";
    for (std::size_t i = 0; i < names.size(); ++i) {
        text += (i == 0 ? "" : i + 1 == names.size() ? " and " : ", ") + ("{{" + names[i] + "}}");
    }
    return text + (names.size() == 1 ? " is empty)" : " are empty)");
}

} // namespace

std::vector<TemplateError> check_templates(const TemplateSet& templates, bool link_page) {
    const auto sample = TemplateSet::sample_context();
    const auto sparse = TemplateSet::sparse_sample_context(link_page);
    std::vector<TemplateError> errors;
    for (const auto& name : templates.names()) {
        append(errors, templates.check_names(name, sample));
        auto full = templates.check(name, sample);
        // What a friend whose optional values are empty would be sent: report only what the
        // full sample does not already show, and say which empty value causes it.
        for (auto& error : templates.check(name, sparse)) {
            if (std::any_of(full.begin(), full.end(),
                            [&](const TemplateError& seen) { return same(seen, error); })) {
                continue;
            }
            const auto* written = templates.source_value(name, error.path);
            const auto names = written != nullptr && written->is_string()
                                   ? sparse_names_in(written->get<std::string>())
                                   : std::vector<std::string>{};
            if (!names.empty()) {
                error.message += when_empty(names);
            }
            full.push_back(std::move(error));
        }
        append(errors, std::move(full));
    }
    return errors;
}

} // namespace musubi::templates
