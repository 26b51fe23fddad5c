// musubictl config check (the checks of `musubid --check-config`, with the same lines) and
// musubictl import-reviews.
#include <sstream>

#include "daemon/config/loader.hpp"
#include "daemon/ctl/commands.hpp"
#include "daemon/rakuten/carriers.hpp"
#include "daemon/reviews/review_import.hpp"
#include "daemon/templates/check_templates.hpp"

namespace musubi::ctl {

namespace {

// Every mistake `musubid --check-config` would report, as its lines ("file:line:col: …").
struct Checked {
    std::vector<std::string> errors;
    std::string shop;
    std::size_t scenarios = 0;
};

Checked check(const std::filesystem::path& file) {
    Checked checked;
    auto loaded = config::load_config(file);
    if (!loaded) {
        for (const auto& diagnostic : loaded.error().items()) {
            checked.errors.push_back(diagnostic.to_string());
        }
        return checked;
    }
    checked.shop = loaded->shop.id;
    checked.scenarios = loaded->scenarios.size();
    if (loaded->rakuten.enabled) {
        auto carriers = rakuten_poller::Carriers::load(file.parent_path() / "carriers.yaml");
        if (!carriers) {
            for (const auto& diagnostic : carriers.error().items()) {
                checked.errors.push_back(diagnostic.to_string());
            }
            return checked;
        }
    }
    auto template_set = templates::TemplateSet::load(loaded->templates_dir);
    const auto template_errors =
        template_set ? templates::check_templates(*template_set) : template_set.error();
    for (const auto& error : template_errors) {
        checked.errors.push_back(error.to_string());
    }
    return checked;
}

int config_check(Context& context) {
    const Checked checked = check(context.config_file);
    const int code = checked.errors.empty() ? k_exit_ok : k_exit_config;
    if (context.json) {
        return context.emit({{"file", context.config_file.string()},
                             {"valid", checked.errors.empty()},
                             {"errors", checked.errors},
                             {"shop", checked.shop},
                             {"scenarios", checked.scenarios}},
                            code);
    }
    if (!checked.errors.empty()) {
        for (const auto& error : checked.errors) {
            context.err << error << '\n';
        }
        context.err << checked.errors.size() << (checked.errors.size() == 1 ? " error" : " errors")
                    << " in the configuration; nothing was changed or started\n";
        return code;
    }
    context.out << "OK: " << context.config_file.string() << " (shop " << checked.shop << ", "
                << checked.scenarios << " scenario" << (checked.scenarios == 1 ? "" : "s") << ")\n";
    return code;
}

int import_reviews(Context& context) {
    if (!context.json) {
        return reviews::import_reviews_command(context.args.positional.at(0),
                                               context.store->reviews(), context.out);
    }
    std::ostringstream report;
    const int code = reviews::import_reviews_command(context.args.positional.at(0),
                                                     context.store->reviews(), report);
    return context.emit({{"file", context.args.positional.at(0)}, {"report", report.str()}}, code);
}

} // namespace

std::vector<Command> config_commands() {
    return {{"config check",
             "",
             "check the configuration like musubid --check-config (exit 3 when it is invalid)",
             Needs::nothing,
             {},
             {},
             0,
             0,
             config_check}};
}

std::vector<Command> reviews_commands() {
    return {{"import-reviews",
             "<review CSV>",
             "import reviews from RMS's review CSV (each review once)",
             Needs::store,
             {},
             {},
             1,
             1,
             import_reviews}};
}

} // namespace musubi::ctl
