#include "daemon/app/musubid_app.hpp"

#include <iostream>

#include <Poco/Util/HelpFormatter.h>

#include "daemon/app/online_check.hpp"
#include "daemon/app/run.hpp"
#include "daemon/config/loader.hpp"
#include "daemon/config/messages_ja.hpp"
#include "daemon/rakuten/carriers.hpp"
#include "daemon/templates/check_templates.hpp"
#include "musubi/version.hpp"

namespace musubi::app {

namespace {

// Prints every diagnostic and a closing line to stderr.
// In Japanese when the locale says so (LC_ALL, LC_MESSAGES, LANG): store staff read these.
void report(const config::Diagnostics& diagnostics) {
    const auto language = config::language_from_environment();
    std::cerr << diagnostics.to_string(language);
    std::cerr << config::summary_line(diagnostics.size(), language) << std::endl;
}

} // namespace

MusubidApp::MusubidApp() {
    setUnixOptions(true);
}

void MusubidApp::defineOptions(Poco::Util::OptionSet& options) {
    ServerApplication::defineOptions(options);
    using Poco::Util::Option;
    options.addOption(
        Option("config", "c",
               "the configuration file (default " + std::string(k_default_config) + ")")
            .required(false)
            .repeatable(false)
            .argument("PATH"));
    options.addOption(Option("check-config", "",
                             "check the configuration and exit: 0 when it "
                             "is usable, 1 with every error listed"));
    options.addOption(Option("online", "",
                             "with --check-config: also send each template (rendered for a "
                             "sample friend) and each rich menu to LINE's validate endpoints; "
                             "exit 69 when LINE cannot be asked"));
    options.addOption(Option("dump-config", "",
                             "print the effective configuration, secrets "
                             "redacted, and exit"));
    options.addOption(Option("version", "", "print the version and exit"));
    options.addOption(Option("help", "h", "show this help and exit"));
}

void MusubidApp::handleOption(const std::string& name, const std::string& value) {
    ServerApplication::handleOption(name, value);
    if (name == "config") {
        m_config_path = value;
    } else if (name == "check-config") {
        m_mode = Mode::check_config;
    } else if (name == "online") {
        m_online = true;
    } else if (name == "dump-config") {
        m_mode = Mode::dump_config;
    } else if (name == "version") {
        m_mode = Mode::version;
    } else if (name == "help") {
        m_mode = Mode::help;
        stopOptionsProcessing();
    }
}

int MusubidApp::main(const std::vector<std::string>& arguments) {
    if (!arguments.empty()) {
        std::cerr << "musubid: unexpected argument '" << arguments.front()
                  << "'; options start with --, see musubid --help" << std::endl;
        return EXIT_USAGE;
    }
    switch (m_mode) {
    case Mode::help: {
        Poco::Util::HelpFormatter help(options());
        help.setUnixStyle(true);
        help.setCommand("musubid");
        help.setUsage("[--config PATH] [--check-config [--online] | --dump-config | --version]");
        help.setHeader("musubi: ties a shop's orders to its LINE friends and sends step "
                       "messages.");
        help.format(std::cout);
        return EXIT_OK;
    }
    case Mode::version:
        std::cout << "musubid " << k_version << std::endl;
        return EXIT_OK;
    case Mode::check_config:
        return check_config();
    case Mode::dump_config:
        return dump_config();
    case Mode::run:
        return run_daemon();
    }
    return EXIT_SOFTWARE;
}

int MusubidApp::check_config() const {
    auto loaded = config::load_config(m_config_path);
    if (!loaded) {
        report(loaded.error());
        return 1;
    }
    // The carriers table beside musubi.yaml is shipped config too: check it here rather than
    // let a mistake in it surface as shipping notices without tracking links.
    if (loaded->rakuten.enabled) {
        auto carriers =
            rakuten_poller::Carriers::load(m_config_path.parent_path() / "carriers.yaml");
        if (!carriers) {
            report(carriers.error());
            return 1;
        }
    }
    // Templates are what store staff edit most: render each with sample values so that a
    // message LINE would refuse is reported now, not when the daemon tries to send it.
    auto template_set = templates::TemplateSet::load(loaded->templates_dir);
    const auto template_errors =
        template_set ? templates::check_templates(*template_set, !loaded->linking.page_url.empty())
                     : template_set.error();
    auto errors = as_diagnostics(template_errors);
    // --online: then LINE's own verdict on what passed (offline errors come first).
    std::optional<OnlineCheck> online;
    if (m_online && template_set) {
        online = check_online(*loaded, *template_set, templates_in(template_errors));
        errors.insert(errors.end(), online->refusals.begin(), online->refusals.end());
    }
    const auto language = config::language_from_environment();
    const auto unavailable_line = [&] {
        return (language == config::Language::japanese
                    ? "musubid: LINE に確認できませんでした（設定のまちがいかどうかは未確認です）: "
                    : "musubid: LINE could not check the configuration: ") +
               *online->unavailable;
    };
    if (!errors.empty()) {
        for (const auto& error : errors) {
            std::cerr << error.to_string(language) << '\n';
        }
        if (online && online->unavailable) {
            std::cerr << unavailable_line() << '\n';
        }
        std::cerr << config::summary_line(errors.size(), language) << std::endl;
        return 1;
    }
    if (online && online->unavailable) {
        std::cerr << unavailable_line() << std::endl;
        return k_exit_line_unavailable;
    }
    if (online) {
        std::cout << "OK: LINE accepted " << online->templates << " template"
                  << (online->templates == 1 ? "" : "s") << " and " << online->rich_menus
                  << " rich menu" << (online->rich_menus == 1 ? "" : "s") << std::endl;
    }
    std::cout << "OK: " << m_config_path.string() << " (shop " << loaded->shop.id << ", "
              << loaded->scenarios.size() << " scenario"
              << (loaded->scenarios.size() == 1 ? "" : "s") << ")" << std::endl;
    return 0;
}

int MusubidApp::dump_config() const {
    auto loaded = config::load_config(m_config_path);
    if (!loaded) {
        report(loaded.error());
        return 1;
    }
    std::cout << config::dump_config(*loaded);
    return 0;
}

int MusubidApp::run_daemon() {
    auto loaded = config::load_config(m_config_path);
    if (!loaded) {
        report(loaded.error());
        return 1;
    }
    return serve(std::move(*loaded), m_config_path);
}

} // namespace musubi::app
