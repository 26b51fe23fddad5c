#include "daemon/richmenus/desired.hpp"

namespace musubi::richmenus {

MenuIds MenuIds::from(const std::vector<store::RichMenuRecord>& records) {
    MenuIds ids;
    for (const auto& record : records) {
        ids.names[record.rich_menu_id] = record.name;
        if (record.state == store::RichMenuState::current) {
            ids.current[record.name] = record.rich_menu_id;
        }
    }
    return ids;
}

bool MenuIds::is_current(const std::string& rich_menu_id) const {
    const auto name = names.find(rich_menu_id);
    if (name == names.end()) {
        return false;
    }
    const auto current_id = current.find(name->second);
    return current_id != current.end() && current_id->second == rich_menu_id;
}

std::optional<std::string> desired_menu(const RichMenuSet& set,
                                        const std::optional<std::string>& segment) {
    if (!segment) {
        return std::nullopt;
    }
    const auto mapped = set.segment_menus.find(*segment);
    if (mapped == set.segment_menus.end() || set.find(mapped->second) == nullptr ||
        mapped->second == set.default_menu) {
        return std::nullopt;
    }
    return mapped->second;
}

std::string mapping_fingerprint(const RichMenuSet& set) {
    std::string text = "default=" + set.default_menu.value_or("") + ";menus=";
    for (const auto& menu : set.menus) {
        text += menu.name + ",";
    }
    text += ";segments=";
    for (const auto& [segment, menu] : set.segment_menus) {
        text += segment + ":" + menu + ",";
    }
    return text;
}

std::size_t Plan::actions() const {
    std::size_t total = unlinks.size();
    for (const auto& [id, friends] : links) {
        total += friends.size();
    }
    return total;
}

std::size_t Plan::calls() const {
    const auto batches = [](std::size_t n) { return (n + k_bulk_size - 1) / k_bulk_size; };
    std::size_t total = batches(unlinks.size());
    for (const auto& [id, friends] : links) {
        total += batches(friends.size());
    }
    return total;
}

void plan_friend(const store::FriendMenu& friend_menu, const RichMenuSet& set, const MenuIds& ids,
                 const std::string& why, bool force, Plan& plan) {
    if (!friend_menu.following) {
        if (friend_menu.rich_menu_id && !ids.is_current(*friend_menu.rich_menu_id)) {
            plan.forget.push_back(friend_menu.friend_id);
        }
        return;
    }
    const auto desired = desired_menu(set, friend_menu.segment);
    std::optional<std::string> desired_id;
    if (desired) {
        const auto current = ids.current.find(*desired);
        if (current == ids.current.end()) {
            ++plan.waiting; // provisioning has not made it yet (or LINE refused it)
            return;
        }
        desired_id = current->second;
    }
    const bool up_to_date =
        !friend_menu.stale && friend_menu.menu == desired && friend_menu.rich_menu_id == desired_id;
    if (up_to_date && !force) {
        return;
    }
    LinkAction action{friend_menu.friend_id, friend_menu.line_user_id, friend_menu.menu, desired,
                      why};
    if (desired_id) {
        plan.links[*desired_id].push_back(std::move(action));
    } else {
        plan.unlinks.push_back(std::move(action));
    }
}

bool drifted(const RichMenuSet& set, const MenuIds& ids, const std::optional<std::string>& desired,
             const std::optional<std::string>& shown) {
    if (!shown) {
        return desired.has_value();
    }
    const auto name = ids.names.find(*shown);
    if (name == ids.names.end()) {
        return true; // not musubi's menu
    }
    const auto expected = desired ? desired : set.default_menu;
    if (!expected) {
        return true;
    }
    return set.reachable_from(*expected).count(name->second) == 0;
}

std::string menu_shown(const MenuIds& ids, const std::string& rich_menu_id) {
    const auto name = ids.names.find(rich_menu_id);
    return name == ids.names.end() ? rich_menu_id : name->second;
}

} // namespace musubi::richmenus
