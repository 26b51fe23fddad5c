#pragma once
// Reads richmenus.yaml (the file `richmenus:` in musubi.yaml names) and the definitions and
// images it points to, checking everything LINE would refuse, so that `musubid --check-config`
// finds it before a menu is created. Every mistake names file:line:col — in richmenus.yaml,
// or inside the definition's JSON file — and says what to write instead.
//
//   richmenus:
//     - name: guest                       # used by `default:` and `segments:`
//       definition: richmenus/guest.json  # LINE's rich-menu object; relative to templates/
//       image: richmenus/guest.png        # PNG or JPEG, the definition's size, ≤ 1 MB
//       alias: guest                      # optional: the target of richmenuswitch tabs
//       chat_bar_text: メニュー            # optional: overrides the JSON's chatBarText
//   default: guest                        # optional: the menu of every friend not linked
//   segments:                             # optional: segment name → menu name
//     vip: vip
//     linked: linked

#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

#include "connectors/line/requests.hpp"
#include "daemon/config/diagnostics.hpp"

namespace musubi::richmenus {

// LINE's limits for a rich menu (shared/platform/line-messaging.md "Rich menus").
inline constexpr long k_min_width = 800;
inline constexpr long k_max_width = 2500;
inline constexpr long k_min_height = 250;
inline constexpr double k_min_ratio = 1.45;
inline constexpr std::size_t k_max_areas = 20;
inline constexpr std::size_t k_max_name = 300;
inline constexpr std::size_t k_max_chat_bar_text = 14;
inline constexpr std::size_t k_max_image_bytes = 1024 * 1024;
inline constexpr std::size_t k_max_uri = 1000;
inline constexpr std::size_t k_max_text = 300; // message text, postback data and displayText
inline constexpr std::size_t k_max_label = 20;

struct RichMenu {
    std::string name;                      // as in richmenus.yaml, e.g. "guest"
    std::optional<std::string> alias;      // richMenuAliasId for richmenuswitch tabs
    std::filesystem::path definition_file; // as resolved
    std::filesystem::path image_file;
    nlohmann::json definition; // the object sent to LINE (chat_bar_text and name filled in)
    std::string image;         // the image file's bytes
    line::ImageType image_type = line::ImageType::png;
    std::string content_hash; // hex SHA-256 of the canonical definition and the image
    config::Position where;   // the `- name:` entry in richmenus.yaml
};

struct RichMenuSet {
    std::vector<RichMenu> menus;                             // in file order
    std::optional<std::string> default_menu;                 // a name in `menus`
    std::map<std::string, std::string> segment_menus;        // segment → menu name
    std::map<std::string, config::Position> segment_written; // where each segment was named

    const RichMenu* find(std::string_view name) const;
    // The menus a friend can reach from `name` through richmenuswitch tabs (`name` included):
    // a friend linked to any of them is where the menu `name` put them, not drifted.
    std::set<std::string> reachable_from(std::string_view name) const;
};

// SHA-256 (hex) over the canonical JSON text of `definition` (keys sorted, no spaces) and the
// image bytes: two menus with the same hash are the same menu for LINE.
std::string content_hash(const nlohmann::json& definition, std::string_view image);

// `file` is read; `shown` is how diagnostics name it (e.g. "config/richmenus.yaml").
// Definitions and images are relative to `templates_dir`. Mistakes are added to `diagnostics`;
// what was read correctly is returned either way.
RichMenuSet read_rich_menus(const std::filesystem::path& file, const std::string& shown,
                            const std::filesystem::path& templates_dir,
                            config::Diagnostics& diagnostics);

// The same, as a result: the menus, or every mistake found.
tl::expected<RichMenuSet, config::Diagnostics>
load_rich_menus(const std::filesystem::path& file, const std::string& shown,
                const std::filesystem::path& templates_dir);

// The hook for the loader, once segments are read: each segment named under `segments:` must
// exist. Adds one diagnostic per unknown name, at the place it was written.
void check_segment_names(const RichMenuSet& set, const std::vector<std::string>& segment_names,
                         config::Diagnostics& diagnostics);

} // namespace musubi::richmenus
