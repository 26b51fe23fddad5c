#include "daemon/config/loader.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <glob.h>
#include <map>
#include <optional>

#include "daemon/campaigns/campaign_config.hpp"
#include "daemon/config/schema.hpp"
#include "daemon/config/yaml_file.hpp"
#include "daemon/richmenus/menu_config.hpp"
#include "daemon/segments/segment_config.hpp"

namespace musubi::config {

namespace {

// Parses one YAML file; a syntax error becomes a diagnostic at its position.
std::vector<std::filesystem::path> expand_pattern(const std::filesystem::path& pattern) {
    glob_t matches{};
    std::vector<std::filesystem::path> files;
    if (::glob(pattern.c_str(), 0, nullptr, &matches) == 0) {
        for (std::size_t i = 0; i < matches.gl_pathc; ++i) {
            files.emplace_back(matches.gl_pathv[i]);
        }
    }
    ::globfree(&matches);
    std::sort(files.begin(), files.end());
    return files;
}

// Scenario files are named as the main file was: "config/scenarios/x.yaml" when it was
// given as "config/musubi.yaml", "/etc/musubi/scenarios/x.yaml" when given absolutely.
void load_scenarios(Config& config, const std::filesystem::path& base_dir,
                    const std::filesystem::path& shown_dir, Diagnostics& diagnostics) {
    const Section<Scenario> section = scenario_section(config.templates_dir);
    std::map<std::string, std::string> defined_in;
    for (const auto& file : expand_pattern(base_dir / config.scenarios_pattern)) {
        const std::string shown = (shown_dir / file.lexically_relative(base_dir)).string();
        auto root = parse_yaml_file(file, shown, "", diagnostics);
        if (!root) {
            continue;
        }
        ReadContext context{shown, file.parent_path(), &diagnostics};
        if (!root->IsMap()) {
            context.error(*root, "a scenario file must hold one scenario as a mapping",
                          "start the file with 'scenario: <name>'");
            continue;
        }
        Scenario scenario;
        section.read(*root, scenario, context);
        scenario.file = shown;
        for (std::size_t i = 0; i < scenario.steps.size(); ++i) {
            if (scenario.steps[i].name.empty()) {
                scenario.steps[i].name = "step" + std::to_string(i + 1);
            }
        }
        if (!scenario.name.empty()) {
            auto [existing, inserted] = defined_in.emplace(scenario.name, shown);
            if (!inserted) {
                context.error((*root)["scenario"],
                              "scenario '" + scenario.name + "' is also defined in " +
                                  existing->second,
                              "give each scenario its own name");
                continue;
            }
        }
        config.scenarios.push_back(std::move(scenario));
    }
}

} // namespace

tl::expected<Config, Diagnostics> load_config(const std::filesystem::path& file) {
    Diagnostics diagnostics;
    const std::string shown = file.string();
    auto root = parse_yaml_file(file, shown, "", diagnostics);
    if (!root) {
        return tl::unexpected(std::move(diagnostics));
    }
    const std::filesystem::path base_dir =
        std::filesystem::absolute(file).lexically_normal().parent_path();
    ReadContext context{shown, base_dir, &diagnostics};
    Config config;
    config.file = file;
    if (!root->IsMap()) {
        context.error(*root, "the configuration must be a mapping of sections",
                      "start with 'shop:' and the other sections, each followed by its keys");
        return tl::unexpected(std::move(diagnostics));
    }
    config_section().read(*root, config, context);
    // Without reviews.drop_dir the folder is beside the store: the one place an installed
    // service may write (under ProtectSystem=strict the configuration folder is read-only).
    const YAML::Node& top = *root;
    const YAML::Node reviews = top["reviews"]; // a missing key gives an undefined node
    if (!(reviews && reviews.IsMap() && reviews["drop_dir"])) {
        config.reviews.drop_dir = config.store.path.parent_path() / "reviews";
    }
    load_scenarios(config, base_dir, file.parent_path(), diagnostics);
    // Other files are named in errors as the scenario files are: "config/segments.yaml" when
    // musubi.yaml was given as "config/musubi.yaml".
    const auto shown_name = [&](const std::filesystem::path& path) {
        const auto relative = path.lexically_relative(base_dir);
        return relative.empty() || *relative.begin() == ".."
                   ? path.string()
                   : (file.parent_path() / relative).string();
    };
    if (config.segments_file) {
        config.segments = segments::read_segments(*config.segments_file,
                                                  shown_name(*config.segments_file), diagnostics);
    }
    if (config.richmenus_file) {
        config.rich_menus =
            richmenus::read_rich_menus(*config.richmenus_file, shown_name(*config.richmenus_file),
                                       config.templates_dir, diagnostics);
        if (config.segments_file) {
            std::vector<std::string> names;
            for (const auto& segment : config.segments) {
                names.push_back(segment.name);
            }
            richmenus::check_segment_names(config.rich_menus, names, diagnostics);
        }
    }
    if (config.campaigns_file) {
        config.campaigns = campaigns::read_campaigns(
            *config.campaigns_file, shown_name(*config.campaigns_file), config, diagnostics);
    }
    if (!diagnostics.empty()) {
        return tl::unexpected(std::move(diagnostics));
    }
    return config;
}

std::string dump_config(const Config& config) {
    YAML::Emitter out;
    out.SetIndent(2);
    config_section().dump(config, out);
    std::string text = out.c_str();
    for (const auto& scenario : config.scenarios) {
        YAML::Emitter scenario_out;
        scenario_section(config.templates_dir).dump(scenario, scenario_out);
        text += "\n---\n# " + scenario.file + "\n" + scenario_out.c_str();
    }
    return text + "\n";
}

} // namespace musubi::config
