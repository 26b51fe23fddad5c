// musubictl friend show | link | unlink: one friend's record (personal data masked) and the
// operator's link to a buyer.
#include "daemon/ctl/commands.hpp"
#include "daemon/ctl/format.hpp"
#include "daemon/linking/link_rules.hpp"
#include "daemon/linking/unlink.hpp"
#include "daemon/log/log.hpp"

namespace musubi::ctl {

namespace {

nlohmann::json optional_json(const std::optional<std::int64_t>& value) {
    return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

nlohmann::json friend_json(const store::FriendRecord& record) {
    nlohmann::json link = nullptr;
    if (record.link) {
        const auto& l = *record.link;
        link = {{"link_id", l.link_id},
                {"method", l.method},
                {"linked_at", l.linked_at},
                {"buyer_id", l.buyer_id},
                {"given_name", mask_name(l.given_name)},
                {"orders", l.orders},
                {"total_spent", l.total_spent},
                {"last_order_number", l.last_order_number},
                {"last_order_at", optional_json(l.last_order_at)}};
    }
    nlohmann::json enrollments = nlohmann::json::array();
    for (const auto& e : record.enrollments) {
        enrollments.push_back({{"id", e.id},
                               {"scenario", e.scenario},
                               {"subject", e.subject},
                               {"state", e.state},
                               {"step", e.step},
                               {"next_at", optional_json(e.next_at)},
                               {"waiting_on", e.waiting_on},
                               {"started_at", e.started_at},
                               {"end_reason", e.end_reason}});
    }
    nlohmann::json messages = nlohmann::json::array();
    for (const auto& entry : record.recent_messages) {
        messages.push_back(entry_json(entry, false));
    }
    return {{"id", record.id},
            {"line_user_id", record.line_user_id},
            {"display_name", mask_name(record.display_name)},
            {"state", record.state},
            {"followed_at", optional_json(record.followed_at)},
            {"blocked_at", optional_json(record.blocked_at)},
            {"inflow_source", record.inflow_source},
            {"tags", record.tags},
            {"link", link},
            {"enrollments", enrollments},
            {"recent_messages", messages}};
}

int show(Context& context) {
    const std::string& user = context.args.positional.at(0);
    auto record = context.store->operations().friend_record(user);
    if (!record) {
        return context.store_failed(record.error());
    }
    if (!*record) {
        return context.fail(k_exit_failed, "no friend with LINE userId " + user +
                                               "; check the id (it starts with U)");
    }
    const auto& friend_record = **record;
    if (context.json) {
        return context.emit(friend_json(friend_record));
    }
    auto& out = context.out;
    out << "friend " << friend_record.line_user_id << " (#" << friend_record.id << ")\n";
    out << "  name:        "
        << (friend_record.display_name.empty() ? std::string("-")
                                               : mask_name(friend_record.display_name))
        << " (masked)\n";
    out << "  state:       " << friend_record.state << " (followed "
        << jst_time(friend_record.followed_at) << ", blocked " << jst_time(friend_record.blocked_at)
        << ")\n";
    std::string tags;
    for (const auto& tag : friend_record.tags) {
        tags += (tags.empty() ? "" : ", ") + tag;
    }
    out << "  tags:        " << (tags.empty() ? "none" : tags) << '\n';
    out << "  inflow:      "
        << (friend_record.inflow_source.empty() ? "-" : friend_record.inflow_source) << '\n';
    if (friend_record.link) {
        const auto& link = *friend_record.link;
        out << "  link:        " << link.method << " since " << jst_time(link.linked_at)
            << " (link #" << link.link_id << ", buyer #" << link.buyer_id;
        if (!link.given_name.empty()) {
            out << ", given name " << mask_name(link.given_name);
        }
        out << ")\n";
        out << "  orders:      " << link.orders << ", " << yen(link.total_spent) << " in total";
        if (!link.last_order_number.empty()) {
            out << ", last " << link.last_order_number << " on " << jst_time(link.last_order_at);
        }
        out << '\n';
    } else {
        out << "  link:        not linked\n";
    }
    out << "  enrollments: " << (friend_record.enrollments.empty() ? "none" : "") << '\n';
    for (const auto& e : friend_record.enrollments) {
        out << "    " << e.scenario << "  step " << (e.step.empty() ? "-" : e.step) << "  "
            << e.state;
        if (e.next_at) {
            out << "  next " << jst_time(e.next_at);
        }
        if (!e.waiting_on.empty()) {
            out << "  waiting for " << e.waiting_on;
        }
        if (!e.subject.empty()) {
            out << "  (" << e.subject << ")";
        }
        if (!e.end_reason.empty()) {
            out << "  ended: " << e.end_reason;
        }
        out << '\n';
    }
    out << "  messages:    " << (friend_record.recent_messages.empty() ? "none" : "the last 10")
        << '\n';
    for (const auto& entry : friend_record.recent_messages) {
        out << "    " << entry_line(entry) << '\n';
    }
    return k_exit_ok;
}

// The sources an operator's order number may come from, in the order they are looked up.
const std::vector<std::string> k_order_sources{"rakuten", "ecfeed"};

int link(Context& context) {
    const std::string& user = context.args.positional.at(0);
    const std::string& order_number = context.args.positional.at(1);
    const std::int64_t now = context.clock->now_ms();
    auto tx = context.store->links().begin();
    if (!tx) {
        return context.store_failed(tx.error());
    }
    auto friend_row = (*tx)->friend_by_line_user(user);
    if (!friend_row) {
        return context.store_failed(friend_row.error());
    }
    if (!*friend_row) {
        return context.fail(k_exit_failed, "no friend with LINE userId " + user +
                                               "; check the id (it starts with U)");
    }
    const std::int64_t friend_id = (*friend_row)->id;
    std::optional<store::OrderBuyer> buyer;
    for (const auto& source : k_order_sources) {
        auto found = (*tx)->order_buyer(source, order_number);
        if (!found) {
            return context.store_failed(found.error());
        }
        if (*found) {
            buyer = *found;
            break;
        }
    }
    if (!buyer) {
        return context.fail(k_exit_failed,
                            "no order " + order_number +
                                " with a buyer in the store; musubi knows the orders it has "
                                "read from RMS or the EC feed (check the number, or wait for the "
                                "next poll); nothing was changed");
    }
    auto holders = (*tx)->friends_linked_to(buyer->buyer_id);
    if (!holders) {
        return context.store_failed(holders.error());
    }
    for (const std::int64_t holder : *holders) {
        if (holder != friend_id) {
            return context.fail(k_exit_failed,
                                "the buyer of order " + order_number +
                                    " is linked to another friend (#" + std::to_string(holder) +
                                    "); unlink that friend first (musubictl unlink <their "
                                    "userId>); nothing was changed");
        }
    }
    // The same transaction as chat and web links: link, friend.linked fact, history.
    auto linked = linking::link_buyer(**tx, friend_id, buyer->buyer_id, "cli", order_number, now);
    if (!linked) {
        return context.store_failed(linked.error());
    }
    if (linked->outcome == linking::Outcome::linked) {
        if (auto recorded = (*tx)->record_attempt(friend_id, "cli", "linked", now); !recorded) {
            return context.store_failed(recorded.error());
        }
    }
    if (auto committed = (*tx)->commit(); !committed) {
        return context.store_failed(committed.error());
    }
    const bool is_new = linked->outcome == linking::Outcome::linked;
    if (is_new) {
        log::Logger("linking").info("friend_linked", {{"friend_id", friend_id},
                                                      {"link_id", linked->link_id},
                                                      {"method", "cli"},
                                                      {"order_number", order_number}});
    }
    if (context.json) {
        return context.emit({{"line_user_id", user},
                             {"order_number", order_number},
                             {"outcome", std::string(linking::outcome_name(linked->outcome))},
                             {"link_id", linked->link_id},
                             {"buyer_id", linked->buyer_id}});
    }
    if (is_new) {
        context.out << "linked " << user << " to the buyer of order " << order_number << " (link #"
                    << linked->link_id
                    << ", method cli); scenarios on friend.linked run as for a chat link\n";
    } else {
        context.out << user << " is already linked to the buyer of order " << order_number
                    << "; nothing to do\n";
    }
    return k_exit_ok;
}

int unlink(Context& context) {
    const std::string& user = context.args.positional.at(0);
    auto done = linking::unlink_friend(*context.store, user, context.clock->now_ms());
    if (!done) {
        return context.fail(k_exit_store, done.error().to_string() + "; nothing was changed");
    }
    const auto outcome_json = [&](const char* outcome) {
        return nlohmann::json{{"line_user_id", user}, {"outcome", outcome}};
    };
    switch (*done) {
    case linking::UnlinkResult::unlinked:
        if (context.json) {
            return context.emit(outcome_json("unlinked"));
        }
        context.out << "unlinked " << user << " (the link is kept as history)\n";
        return k_exit_ok;
    case linking::UnlinkResult::not_linked:
        if (context.json) {
            return context.emit(outcome_json("not_linked"));
        }
        context.out << user << " was not linked; nothing to do\n";
        return k_exit_ok;
    case linking::UnlinkResult::unknown_friend:
        return context.fail(k_exit_failed, "no friend with LINE userId " + user + " in " +
                                               context.store->info().location +
                                               "; check the id (it starts with U)");
    }
    return k_exit_failed;
}

} // namespace

std::vector<Command> friend_commands() {
    return {
        {"friend show",
         "<userId>",
         "one friend: state, tags, inflow, link and orders, enrollments, the last 10 messages "
         "(names masked)",
         Needs::store,
         {},
         {},
         1,
         1,
         show},
        {"link",
         "<userId> <order number>",
         "link the friend to the buyer of the order (method cli), as a chat link would",
         Needs::store,
         {},
         {},
         2,
         2,
         link},
        {"unlink",
         "<userId>",
         "end the friend's link (kept as history); no message is sent",
         Needs::store,
         {},
         {},
         1,
         1,
         unlink},
    };
}

} // namespace musubi::ctl
