// musubictl config check (the checks of `musubid --check-config`, with the same lines) and
// musubictl import-reviews.
#include <sstream>

#include "daemon/app/online_check.hpp"
#include "daemon/config/loader.hpp"
#include "daemon/ctl/commands.hpp"
#include "daemon/rakuten/carriers.hpp"
#include "daemon/reviews/review_import.hpp"
#include "daemon/templates/check_templates.hpp"

namespace musubi::ctl {

namespace {

// Every mistake `musubid --check-config` would report, as its lines ("file:line:col: …"),
// and with --online LINE's verdicts after them.
struct Checked {
    std::vector<std::string> errors;
    std::string shop;
    std::size_t scenarios = 0;
    std::optional<app::OnlineCheck> online;
};

Checked check(const std::filesystem::path& file, bool online) {
    Checked checked;
    const auto language = config::language_from_environment();
    auto loaded = config::load_config(file);
    if (!loaded) {
        for (const auto& diagnostic : loaded.error().items()) {
            checked.errors.push_back(diagnostic.to_string(language));
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
        template_set ? templates::check_templates(*template_set, !loaded->linking.page_url.empty())
                     : template_set.error();
    auto errors = app::as_diagnostics(template_errors);
    if (online && template_set) {
        checked.online =
            app::check_online(*loaded, *template_set, app::templates_in(template_errors));
        errors.insert(errors.end(), checked.online->refusals.begin(),
                      checked.online->refusals.end());
    }
    for (const auto& error : errors) {
        checked.errors.push_back(error.to_string(language));
    }
    return checked;
}

int config_check(Context& context) {
    const bool online = context.args.flag("--online");
    const Checked checked = check(context.config_file, online);
    const bool unavailable = checked.online && checked.online->unavailable;
    const int code = !checked.errors.empty() ? k_exit_config
                     : unavailable           ? k_exit_line_unavailable
                                             : k_exit_ok;
    if (context.json) {
        nlohmann::json document{{"file", context.config_file.string()},
                                {"valid", checked.errors.empty()},
                                {"errors", checked.errors},
                                {"shop", checked.shop},
                                {"scenarios", checked.scenarios}};
        if (checked.online) {
            document["line"] = {{"checked", !unavailable},
                                {"templates", checked.online->templates},
                                {"rich_menus", checked.online->rich_menus},
                                {"unavailable", unavailable
                                                    ? nlohmann::json(*checked.online->unavailable)
                                                    : nlohmann::json(nullptr)}};
        }
        return context.emit(document, code);
    }
    if (!checked.errors.empty()) {
        for (const auto& error : checked.errors) {
            context.err << error << '\n';
        }
    }
    if (unavailable) {
        context.err << "musubictl: LINE could not check the configuration: "
                    << *checked.online->unavailable << '\n';
    }
    if (!checked.errors.empty()) {
        context.err << config::summary_line(checked.errors.size(),
                                            config::language_from_environment())
                    << '\n';
        return code;
    }
    if (unavailable) {
        return code;
    }
    if (checked.online) {
        context.out << "OK: LINE accepted " << checked.online->templates << " template"
                    << (checked.online->templates == 1 ? "" : "s") << " and "
                    << checked.online->rich_menus << " rich menu"
                    << (checked.online->rich_menus == 1 ? "" : "s") << '\n';
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
             "[--online]",
             "check the configuration like musubid --check-config (exit 3 when it is invalid); "
             "--online also asks LINE's validate endpoints (exit 6 when LINE cannot be asked)",
             Needs::nothing,
             {},
             {"--online"},
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
