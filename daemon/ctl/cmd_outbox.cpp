// musubictl outbox list | show | failed | retry: what the dispatcher did with each message,
// and a deliberate resend of one that did not reach the friend.
#include <charconv>
#include <sstream>

#include "daemon/config/duration.hpp"
#include "daemon/config/suggest.hpp"
#include "daemon/ctl/commands.hpp"
#include "daemon/ctl/format.hpp"
#include "daemon/log/log.hpp"
#include "daemon/outbox/retry_key.hpp"

namespace musubi::ctl {

namespace {

const std::vector<std::string> k_states{"pending", "sending", "sent",
                                        "failed",  "skipped", "expired"};

std::optional<std::int64_t> positive_number(const std::string& text) {
    std::int64_t value = 0;
    const auto* end = text.data() + text.size();
    const auto [stop, error] = std::from_chars(text.data(), end, value);
    if (error != std::errc() || stop != end || value <= 0) {
        return std::nullopt;
    }
    return value;
}

// --limit N (default `fallback`); nullopt (after saying why) when it is not a number.
std::optional<std::int64_t> limit_option(const Context& context, std::int64_t fallback) {
    const auto text = context.args.value("--limit");
    if (!text) {
        return fallback;
    }
    auto limit = positive_number(*text);
    if (!limit) {
        context.fail(k_exit_usage, "--limit wants a whole number above 0, not '" + *text + "'");
    }
    return limit;
}

// The <id> argument; nullopt (after saying why) when it is not one.
std::optional<std::int64_t> id_argument(const Context& context) {
    std::string text = context.args.positional.at(0);
    if (!text.empty() && text[0] == '#') {
        text.erase(0, 1);
    }
    auto id = positive_number(text);
    if (!id) {
        context.fail(k_exit_usage, "an outbox id is a number such as 12 (see musubictl outbox "
                                   "list), not '" +
                                       context.args.positional.at(0) + "'");
    }
    return id;
}

void print_entries(std::ostream& out, const std::vector<store::OutboxEntry>& entries) {
    for (const auto& entry : entries) {
        out << "  " << entry_line(entry) << '\n';
    }
}

nlohmann::json entries_json(const std::vector<store::OutboxEntry>& entries) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& entry : entries) {
        list.push_back(entry_json(entry, false));
    }
    return list;
}

int list(Context& context) {
    store::OutboxQuery query;
    if (auto state = context.args.value("--state")) {
        if (std::find(k_states.begin(), k_states.end(), *state) == k_states.end()) {
            const auto near = config::closest_match(*state, k_states);
            return context.fail(k_exit_usage,
                                "there is no outbox state '" + *state + "'" +
                                    (near.empty() ? "" : "; did you mean '" + near + "'?") +
                                    " (states: " + config::join(k_states) + ")");
        }
        query.state = *state;
    }
    for (const auto& users : context.args.all("--friend")) {
        std::istringstream split(users);
        for (std::string user; std::getline(split, user, ',');) {
            if (!user.empty()) {
                query.line_user_ids.push_back(user);
            }
        }
    }
    query.scenario = context.args.value("--scenario");
    const auto limit = limit_option(context, 50);
    if (!limit) {
        return k_exit_usage;
    }
    query.limit = *limit;
    auto entries = context.store->operations().list_outbox(query);
    if (!entries) {
        return context.store_failed(entries.error());
    }
    if (context.json) {
        return context.emit({{"rows", entries_json(*entries)}, {"limit", query.limit}});
    }
    if (entries->empty()) {
        context.out << "no outbox rows match\n";
        return k_exit_ok;
    }
    context.out << entries->size() << (entries->size() == 1 ? " row" : " rows")
                << ", newest first (ID, STATE, UPDATED, FRIEND, SCENARIO/STEP, ATTEMPTS, "
                   "REASON):\n";
    print_entries(context.out, *entries);
    if (static_cast<std::int64_t>(entries->size()) == query.limit) {
        context.out << "(the first " << query.limit << "; --limit N shows more)\n";
    }
    return k_exit_ok;
}

int show(Context& context) {
    const auto id = id_argument(context);
    if (!id) {
        return k_exit_usage;
    }
    auto& operations = context.store->operations();
    auto entry = operations.outbox_entry(*id);
    if (!entry) {
        return context.store_failed(entry.error());
    }
    if (!*entry) {
        return context.fail(k_exit_failed, "no outbox row #" + std::to_string(*id));
    }
    auto deliveries = operations.deliveries(*id);
    if (!deliveries) {
        return context.store_failed(deliveries.error());
    }
    auto retries = operations.retries_of(*id);
    if (!retries) {
        return context.store_failed(retries.error());
    }
    const auto& row = **entry;
    if (context.json) {
        nlohmann::json attempts = nlohmann::json::array();
        for (const auto& delivery : *deliveries) {
            attempts.push_back(
                {{"attempted_at", delivery.attempted_at},
                 {"http_status", delivery.http_status ? nlohmann::json(*delivery.http_status)
                                                      : nlohmann::json(nullptr)},
                 {"outcome", delivery.outcome},
                 {"request_id", delivery.request_id},
                 {"detail", delivery.detail}});
        }
        auto document = entry_json(row, true);
        document["deliveries"] = attempts;
        document["retried_as"] = entries_json(*retries);
        return context.emit(document);
    }
    auto& out = context.out;
    out << "outbox #" << row.id << ": " << row.state << '\n';
    out << "  friend:     "
        << (row.line_user_id.empty()
                ? std::string("(multicast: recipients in the payload)")
                : row.line_user_id + " (friend #" + std::to_string(row.friend_id.value_or(0)) + ")")
        << '\n';
    out << "  scenario:   " << (row.scenario.empty() ? "-" : row.scenario) << ", step "
        << (row.step.empty() ? "-" : row.step) << " (" << row.kind
        << (row.critical ? ", critical" : "") << ")\n";
    out << "  retry key:  " << row.retry_key << '\n';
    out << "  created:    " << jst_time(row.created_at) << '\n';
    out << "  due:        " << jst_time(row.due_at) << '\n';
    out << "  updated:    " << jst_time(row.updated_at) << '\n';
    out << "  attempts:   " << row.attempts << " (first " << jst_time(row.first_attempt_at)
        << ")\n";
    out << "  reason:     " << row.reason.value_or("-") << '\n';
    if (row.retry_of) {
        out << "  retry of:   #" << *row.retry_of << '\n';
    }
    for (const auto& retry : *retries) {
        out << "  retried as: #" << retry.id << " (" << retry.state << ")\n";
    }
    out << "  payload:\n";
    const auto payload = nlohmann::json::parse(row.payload, nullptr, false);
    std::istringstream lines(payload.is_discarded() ? row.payload : payload.dump(2));
    for (std::string line; std::getline(lines, line);) {
        out << "    " << line << '\n';
    }
    out << "  deliveries: " << (deliveries->empty() ? "none yet" : "") << '\n';
    for (const auto& delivery : *deliveries) {
        out << "    " << jst_time(delivery.attempted_at) << "  "
            << (delivery.http_status && *delivery.http_status != 0
                    ? "HTTP " + std::to_string(*delivery.http_status)
                    : std::string("no answer"))
            << "  " << delivery.outcome << "  request id "
            << (delivery.request_id.empty() ? "-" : delivery.request_id);
        if (!delivery.detail.empty()) {
            out << "  " << delivery.detail;
        }
        out << '\n';
    }
    return k_exit_ok;
}

int failed(Context& context) {
    const std::string since_text = context.args.value("--since").value_or("24h");
    const auto since = config::parse_duration(since_text);
    if (!since) {
        return context.fail(k_exit_usage, "--since '" + since_text + "': " + since.error() + "; " +
                                              config::k_duration_hint);
    }
    const auto limit = limit_option(context, 50);
    if (!limit) {
        return k_exit_usage;
    }
    const std::int64_t since_ms = context.clock->now_ms() - since->count();
    auto& operations = context.store->operations();
    auto reasons = operations.failure_reasons(since_ms);
    if (!reasons) {
        return context.store_failed(reasons.error());
    }
    store::OutboxQuery query;
    query.state = "failed";
    query.updated_since = since_ms;
    query.limit = *limit;
    auto entries = operations.list_outbox(query);
    if (!entries) {
        return context.store_failed(entries.error());
    }
    std::int64_t total = 0;
    for (const auto& reason : *reasons) {
        total += reason.count;
    }
    if (context.json) {
        nlohmann::json by_reason = nlohmann::json::array();
        for (const auto& reason : *reasons) {
            by_reason.push_back({{"reason", reason.reason}, {"count", reason.count}});
        }
        return context.emit({{"since", since_ms},
                             {"failed", total},
                             {"reasons", by_reason},
                             {"rows", entries_json(*entries)}});
    }
    auto& out = context.out;
    out << total << " failed message" << (total == 1 ? "" : "s") << " since " << jst_time(since_ms)
        << " (last " << config::format_duration(*since) << ")\n";
    if (total == 0) {
        return k_exit_ok;
    }
    out << "by reason:\n";
    for (const auto& reason : *reasons) {
        out << "  " << reason.count << "  " << reason.reason << '\n';
    }
    out << "rows, newest first:\n";
    print_entries(out, *entries);
    out << "next: musubictl outbox show <id> (every attempt), musubictl outbox retry <id> "
           "(send it again)\n";
    return k_exit_ok;
}

// Why `refusal` stops a retry of `original`, in words for the operator.
std::string refusal_text(store::RetryRefusal refusal, const store::RetryOutcome& outcome) {
    const auto& row = outcome.original;
    const std::string id = "#" + std::to_string(row.id);
    switch (refusal) {
    case store::RetryRefusal::not_found:
        return "no outbox row " + id;
    case store::RetryRefusal::not_final:
        return id + " is " + row.state + " (due " + jst_time(row.due_at) +
               "): musubid still sends it; retrying now would send it twice";
    case store::RetryRefusal::sent:
        return id + " was sent at " + jst_time(row.updated_at) + "; retrying would send it twice";
    case store::RetryRefusal::still_blocked:
        return id + " was skipped because the friend blocked the shop's account, and they still "
                    "do; a retry would be skipped too";
    case store::RetryRefusal::retried_before:
        return id + " was retried before as #" + std::to_string(outcome.retry->id) + " (" +
               outcome.retry->state + "); if that one failed too, retry #" +
               std::to_string(outcome.retry->id) + " instead";
    }
    return id + " cannot be retried";
}

int retry(Context& context) {
    const auto id = id_argument(context);
    if (!id) {
        return k_exit_usage;
    }
    auto& operations = context.store->operations();
    auto original = operations.outbox_entry(*id);
    if (!original) {
        return context.store_failed(original.error());
    }
    if (!*original) {
        return context.fail(k_exit_failed, "no outbox row #" + std::to_string(*id));
    }
    // A new retry key, derived from the old one: LINE must not take the retry for a resend
    // of what it refused (or never saw). Retrying is allowed once per row, so n is 1 unless
    // an earlier retry was written by a musubictl without that rule.
    auto earlier = operations.retries_of(*id);
    if (!earlier) {
        return context.store_failed(earlier.error());
    }
    const std::string key = outbox::derive_retry_key(
        (*original)->retry_key + ":retry:" + std::to_string(earlier->size() + 1));
    const std::string note = "retried by operator (musubictl outbox retry " + std::to_string(*id) +
                             ", was " + (*original)->state + ")";
    auto outcome = operations.retry(*id, key, note);
    if (!outcome) {
        return context.store_failed(outcome.error());
    }
    if (outcome->refused) {
        return context.fail(k_exit_failed, refusal_text(*outcome->refused, *outcome));
    }
    const auto& written = *outcome->retry;
    log::Logger("musubictl")
        .info("outbox.retried", {{"outbox_id", *id},
                                 {"retry_id", written.id},
                                 {"was", outcome->original.state},
                                 {"scenario", written.scenario},
                                 {"step", written.step}});
    const bool maybe_delivered = outcome->original.state == "expired";
    if (context.json) {
        return context.emit({{"retried", entry_json(outcome->original, false)},
                             {"retry", entry_json(written, false)},
                             {"may_have_been_delivered", maybe_delivered}});
    }
    context.out << "retried outbox #" << *id << " as #" << written.id << " (pending, new retry key "
                << written.retry_key << "); #" << *id << " stays " << outcome->original.state
                << '\n';
    if (maybe_delivered) {
        context.out << "note: #" << *id
                    << " expired after attempts LINE may have received without answering; with "
                       "a new retry key LINE cannot tell a duplicate (see musubictl outbox show "
                    << *id << ")\n";
    }
    context.out << "musubid sends it within seconds; follow it with: musubictl outbox show "
                << written.id << '\n';
    return k_exit_ok;
}

} // namespace

std::vector<Command> outbox_commands() {
    return {
        {"outbox list",
         "[--state S] [--friend U…] [--scenario NAME] [--limit N]",
         "outbox rows, newest first (states: pending sending sent failed skipped expired)",
         Needs::store,
         {"--state", "--friend", "--scenario", "--limit"},
         {},
         0,
         0,
         list},
        {"outbox show",
         "<id>",
         "one row: its payload and every delivery attempt (status, outcome, LINE request id)",
         Needs::store,
         {},
         {},
         1,
         1,
         show},
        {"outbox failed",
         "[--since 24h] [--limit N]",
         "failed rows with their reasons, and how many failed for each reason",
         Needs::store,
         {"--since", "--limit"},
         {},
         0,
         0,
         failed},
        {"outbox retry",
         "<id>",
         "send a failed or expired row again as a new row with a new retry key (the old row "
         "stays); refused for rows that were sent or are still pending",
         Needs::store,
         {},
         {},
         1,
         1,
         retry},
    };
}

} // namespace musubi::ctl
