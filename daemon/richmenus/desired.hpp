#pragma once
// What the rich-menu reconciler decides, with no store or LINE call: the menu a friend should
// have, whether what musubi last linked still matches it, and whether the menu LINE shows a
// friend (spot check) is one their desired menu can lead to.
//
// The default menu is never linked per user: a friend whose desired menu is the default (or
// no menu) is *unlinked*, so LINE's default for all friends shows. That way a new friend needs
// no call at all, and a new default is one call (set by the provisioner) instead of a re-link
// of every friend on it.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "daemon/richmenus/menu_config.hpp"
#include "daemon/store/rich_menu_links.hpp"
#include "daemon/store/rich_menus.hpp"

namespace musubi::richmenus {

// LINE's per-call limit for bulk link and unlink.
inline constexpr std::size_t k_bulk_size = 500;

// The menu names and LINE ids musubi knows now.
struct MenuIds {
    std::map<std::string, std::string> current; // name → the current richMenuId
    std::map<std::string, std::string> names;   // every known richMenuId (not retired) → name

    static MenuIds from(const std::vector<store::RichMenuRecord>& records);
    bool is_current(const std::string& rich_menu_id) const;
};

// The menu a friend in `segment` is linked to per user; none: unlinked (the default shows).
std::optional<std::string> desired_menu(const RichMenuSet& set,
                                        const std::optional<std::string>& segment);

// A string that changes whenever desired_menu() may answer differently for some segment.
std::string mapping_fingerprint(const RichMenuSet& set);

struct LinkAction {
    std::int64_t friend_id = 0;
    std::string line_user_id;
    std::optional<std::string> from;
    std::optional<std::string> to; // none: unlink
    std::string why;
};

// Work for LINE, grouped by target so that each call carries up to 500 friends.
struct Plan {
    std::map<std::string, std::vector<LinkAction>> links; // richMenuId → friends
    std::vector<LinkAction> unlinks;
    // Blocked friends still recorded on a menu that is no longer current: deleting that menu
    // takes it from them, so the record is dropped (they are re-linked when they come back).
    std::vector<std::int64_t> forget;
    std::size_t waiting = 0; // friends whose desired menu is not on LINE yet

    std::size_t actions() const;
    // Bulk calls the plan takes.
    std::size_t calls() const;
};

// Adds what `friend_menu` needs to `plan`. `force`: apply the desired menu even when the record
// says LINE has it (after an unblock, or when LINE was found to show something else).
void plan_friend(const store::FriendMenu& friend_menu, const RichMenuSet& set, const MenuIds& ids,
                 const std::string& why, bool force, Plan& plan);

// Spot check: LINE shows `shown` (none: no per-user menu) to a friend whose desired menu is
// `desired`. Not drift: the desired menu, or a menu its richmenuswitch tabs lead to (for an
// unlinked friend: from the default); a superseded menu of such a name (a move in progress).
bool drifted(const RichMenuSet& set, const MenuIds& ids, const std::optional<std::string>& desired,
             const std::optional<std::string>& shown);

// How a LINE id is shown in a change record: the menu's name when musubi knows it.
std::string menu_shown(const MenuIds& ids, const std::string& rich_menu_id);

} // namespace musubi::richmenus
