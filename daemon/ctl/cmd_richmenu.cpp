// musubictl richmenu status | changes: the rich menus on LINE as musubi made them, the moves
// still waiting, friends per menu, and the record of every menu change musubi made.
#include "daemon/ctl/commands.hpp"
#include "daemon/ctl/format.hpp"
#include "daemon/store/rich_menu_links.hpp"

namespace musubi::ctl {

namespace {

nlohmann::json optional_json(const std::optional<std::string>& value) {
    return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

std::string shown(const std::optional<std::string>& menu) {
    return menu.value_or("(default)");
}

int status(Context& context) {
    auto menus = context.store->rich_menus().menus();
    if (!menus) {
        return context.store_failed(menus.error());
    }
    auto moves = context.store->rich_menus().pending_moves();
    if (!moves) {
        return context.store_failed(moves.error());
    }
    auto default_menu = context.store->rich_menus().default_menu();
    if (!default_menu) {
        return context.store_failed(default_menu.error());
    }
    auto per_menu = context.store->rich_menu_links().friends_per_menu();
    if (!per_menu) {
        return context.store_failed(per_menu.error());
    }
    if (context.json) {
        nlohmann::json menus_json = nlohmann::json::array();
        for (const auto& menu : *menus) {
            menus_json.push_back({{"name", menu.name},
                                  {"rich_menu_id", menu.rich_menu_id},
                                  {"state", store::rich_menu_state_name(menu.state)},
                                  {"content_hash", menu.content_hash},
                                  {"created_at", menu.created_at}});
        }
        nlohmann::json moves_json = nlohmann::json::array();
        for (const auto& move : *moves) {
            moves_json.push_back(
                {{"name", move.name},
                 {"from", move.from_id},
                 {"to", move.to_id.empty() ? nlohmann::json(nullptr) : nlohmann::json(move.to_id)},
                 {"since", move.since}});
        }
        nlohmann::json friends = nlohmann::json::object();
        for (const auto& [menu, count] : *per_menu) {
            friends[menu.empty() ? "(default)" : menu] = count;
        }
        return context.emit({{"menus", menus_json},
                             {"default", optional_json(*default_menu)},
                             {"pending_moves", moves_json},
                             {"friends_per_menu", friends}});
    }
    auto& out = context.out;
    out << "rich menus on LINE (made by musubi):\n";
    if (menus->empty()) {
        out << "  none yet (musubid provisions richmenus.yaml at start and on reload)\n";
    }
    for (const auto& menu : *menus) {
        out << "  " << menu.name << "  " << menu.rich_menu_id << "  "
            << store::rich_menu_state_name(menu.state) << "  since " << jst_time(menu.created_at)
            << '\n';
    }
    out << "default menu: " << default_menu->value_or("none set") << '\n';
    out << "pending moves: " << (moves->empty() ? "none" : "") << '\n';
    for (const auto& move : *moves) {
        out << "  " << move.name << ": " << move.from_id << " -> "
            << (move.to_id.empty() ? std::string("(default)") : move.to_id) << " since "
            << jst_time(move.since) << '\n';
    }
    out << "friends per menu musubi linked (others see the default):\n";
    if (per_menu->empty()) {
        out << "  none\n";
    }
    for (const auto& [menu, count] : *per_menu) {
        out << "  " << (menu.empty() ? "(default)" : menu) << "  " << count << '\n';
    }
    return k_exit_ok;
}

int changes(Context& context) {
    std::size_t limit = 50;
    if (auto given = context.args.value("--limit")) {
        try {
            const long parsed = std::stol(*given);
            if (parsed < 1) {
                throw std::out_of_range("limit");
            }
            limit = static_cast<std::size_t>(parsed);
        } catch (const std::exception&) {
            return context.fail(k_exit_usage,
                                "--limit must be a positive number, not '" + *given + "'");
        }
    }
    auto& links = context.store->rich_menu_links();
    std::vector<store::MenuChange> found;
    const auto users = context.args.all("--friend");
    if (users.empty()) {
        auto all = links.changes(std::nullopt, limit);
        if (!all) {
            return context.store_failed(all.error());
        }
        found = std::move(*all);
    }
    for (const auto& user : users) {
        auto friend_menu = links.by_user(user);
        if (!friend_menu) {
            return context.store_failed(friend_menu.error());
        }
        if (!*friend_menu) {
            return context.fail(k_exit_failed, "no friend with LINE userId " + user +
                                                   "; check the id (it starts with U)");
        }
        auto theirs = links.changes((*friend_menu)->friend_id, limit);
        if (!theirs) {
            return context.store_failed(theirs.error());
        }
        found.insert(found.end(), theirs->begin(), theirs->end());
    }
    if (context.json) {
        nlohmann::json list = nlohmann::json::array();
        for (const auto& change : found) {
            list.push_back({{"id", change.id},
                            {"friend_id", change.friend_id},
                            {"line_user_id", change.line_user_id},
                            {"from", optional_json(change.from)},
                            {"to", optional_json(change.to)},
                            {"why", change.why},
                            {"at", change.at_ms}});
        }
        return context.emit({{"changes", list}});
    }
    if (found.empty()) {
        context.out << "no rich-menu changes recorded\n";
    }
    for (const auto& change : found) {
        context.out << jst_time(change.at_ms) << "  " << change.line_user_id << "  "
                    << shown(change.from) << " -> " << shown(change.to) << "  (" << change.why
                    << ")\n";
    }
    return k_exit_ok;
}

} // namespace

std::vector<Command> richmenu_commands() {
    return {
        {"richmenu status",
         "",
         "rich menus on LINE and their states, moves waiting, friends per menu",
         Needs::store,
         {},
         {},
         0,
         0,
         status},
        {"richmenu changes",
         "[--friend <userId>]... [--limit N]",
         "the menu changes musubi made, newest first (friend, from, to, why)",
         Needs::store,
         {"--friend", "--limit"},
         {},
         0,
         0,
         changes},
    };
}

} // namespace musubi::ctl
