// musubictl campaign list | start | report: the campaigns of campaigns.yaml, starting one by
// hand, and who got a run (LINE userIds and masked names only, as friend show).
#include <algorithm>
#include <charconv>
#include <sstream>

#include "daemon/campaigns/campaign_config.hpp"
#include "daemon/ctl/commands.hpp"
#include "daemon/ctl/format.hpp"
#include "daemon/log/log.hpp"
#include "daemon/store/campaigns.hpp"

namespace musubi::ctl {

namespace {

using campaigns::Campaign;

// A start more than this far in the past is a typo, not "now".
constexpr std::int64_t k_past_slack_ms = 60'000;

const campaigns::CampaignSet* declared(const Context& context) {
    return context.config->campaigns ? context.config->campaigns.get() : nullptr;
}

std::string known_names(const campaigns::CampaignSet* set) {
    std::string names;
    if (set != nullptr) {
        for (const auto& campaign : set->campaigns) {
            names += (names.empty() ? "" : ", ") + campaign.name;
        }
    }
    return names.empty() ? "none is declared (campaigns: in musubi.yaml names the file)" : names;
}

nlohmann::json optional_json(const std::optional<std::int64_t>& value) {
    return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

nlohmann::json run_json(const store::CampaignRun& run) {
    return {{"id", run.id},
            {"campaign", run.campaign},
            {"occurrence", run.occurrence},
            {"segment", run.segment},
            {"template", run.template_name},
            {"multicast", run.multicast},
            {"due_at", run.due_at_ms},
            {"state", run.state},
            {"started_by", run.started_by},
            {"created_at", run.created_at_ms},
            {"finished_at", optional_json(run.finished_at_ms)}};
}

std::string counts_text(const std::map<std::string, std::int64_t>& counts) {
    std::string text;
    for (const auto& [outcome, count] : counts) {
        text += (text.empty() ? "" : ", ") + std::to_string(count) + " " + outcome;
    }
    return text.empty() ? "no recipients yet" : text;
}

int list(Context& context) {
    const auto* set = declared(context);
    const std::int64_t now = context.clock->now_ms();
    nlohmann::json all = nlohmann::json::array();
    std::ostringstream text;
    if (set == nullptr || set->campaigns.empty()) {
        text << "no campaigns are declared (" << known_names(set) << ")\n";
    }
    for (const auto& campaign : set != nullptr ? set->campaigns : std::vector<Campaign>{}) {
        auto runs = context.store->campaigns().runs(campaign.name, 1);
        if (!runs) {
            return context.store_failed(runs.error());
        }
        nlohmann::json last = nullptr;
        std::string last_text = "never run";
        if (!runs->empty()) {
            const auto& run = runs->front();
            auto report = context.store->campaigns().report(run.id);
            if (!report) {
                return context.store_failed(report.error());
            }
            last = run_json(run);
            last["counts"] = report->counts;
            last_text = "run #" + std::to_string(run.id) + " " + run.state + " (" +
                        jst_time(run.due_at_ms) + "): " + counts_text(report->counts);
        }
        // 0: no next time (disabled, by hand only, or a one-off that is past).
        const std::int64_t next =
            campaign.enabled ? campaigns::next_occurrence(campaign, now).value_or(0) : 0;
        all.push_back({{"name", campaign.name},
                       {"description", campaign.description},
                       {"segment", campaign.segment},
                       {"template", campaign.send},
                       {"schedule", campaigns::schedule_text(campaign)},
                       {"same_for_all", campaign.same_for_all},
                       {"enabled", campaign.enabled},
                       {"next", next != 0 ? nlohmann::json(next) : nlohmann::json(nullptr)},
                       {"last_run", last}});
        text << campaign.name << (campaign.enabled ? "" : " (disabled)") << "\n"
             << "  segment " << campaign.segment << ", template " << campaign.send
             << (campaign.same_for_all ? ", same for all (multicast)" : ", rendered per friend")
             << "\n  " << campaigns::schedule_text(campaign)
             << (next != 0 ? "; next " + jst_time(next) : std::string())
             << "\n  last: " << last_text << "\n";
    }
    if (context.json) {
        return context.emit({{"campaigns", all}});
    }
    context.out << text.str();
    return k_exit_ok;
}

int start(Context& context) {
    const std::string& name = context.args.positional.at(0);
    const auto* set = declared(context);
    const Campaign* campaign = set != nullptr ? set->find(name) : nullptr;
    if (campaign == nullptr) {
        return context.fail(k_exit_failed, "no campaign '" + name + "' in campaigns.yaml; " +
                                               "campaigns are: " + known_names(set));
    }
    if (!campaign->enabled) {
        return context.fail(k_exit_failed, "campaign '" + name +
                                               "' has enabled: false; set it to true in "
                                               "campaigns.yaml and reload musubid first");
    }
    const std::int64_t now = context.clock->now_ms();
    std::int64_t due = now;
    if (const auto at = context.args.value("--at")) {
        const auto parsed = campaigns::parse_jst_datetime(*at);
        if (!parsed) {
            return context.fail(k_exit_usage, "--at wants a JST date and time such as \"2026-12-01 "
                                              "10:00\", not '" +
                                                  *at + "'");
        }
        if (*parsed < now - k_past_slack_ms) {
            return context.fail(k_exit_usage,
                                "--at " + *at + " is in the past; leave --at out to start now");
        }
        due = std::max(*parsed, now);
    }
    auto runs = context.store->campaigns().runs(name, 1);
    if (!runs) {
        return context.store_failed(runs.error());
    }
    if (!runs->empty() && runs->front().state != "done") {
        const auto& open = runs->front();
        return context.fail(k_exit_failed, "campaign '" + name + "' has run #" +
                                               std::to_string(open.id) + " " + open.state +
                                               " (due " + jst_time(open.due_at_ms) +
                                               "); wait until it is done (musubictl campaign "
                                               "report " +
                                               std::to_string(open.id) + ")");
    }
    store::NewCampaignRun run{name,
                              "musubictl:" + std::to_string(now),
                              campaign->segment,
                              campaign->send,
                              campaign->same_for_all,
                              due,
                              "musubictl"};
    auto created = context.store->campaigns().create_run(run);
    if (!created) {
        return context.store_failed(created.error());
    }
    log::Logger("musubictl")
        .info("campaign.started_by_operator", {{"campaign", name}, {"run", created->first}});
    if (context.json) {
        return context.emit({{"run", created->first}, {"campaign", name}, {"due_at", due}});
    }
    context.out << "campaign " << name << ": run #" << created->first << " starts "
                << (due > now ? "at " + jst_time(due) : std::string("now"))
                << " (musubid picks it up within a second; musubictl campaign report "
                << created->first << " shows who got it)\n";
    return k_exit_ok;
}

std::optional<std::int64_t> run_number(const std::string& text) {
    std::int64_t value = 0;
    const std::string digits = !text.empty() && text[0] == '#' ? text.substr(1) : text;
    const auto* end = digits.data() + digits.size();
    const auto [stop, error] = std::from_chars(digits.data(), end, value);
    if (digits.empty() || error != std::errc() || stop != end || value <= 0) {
        return std::nullopt;
    }
    return value;
}

int report(Context& context) {
    const std::string& which = context.args.positional.at(0);
    auto& store = context.store->campaigns();
    std::optional<std::int64_t> run_id = run_number(which);
    if (!run_id) {
        auto runs = store.runs(which, 1);
        if (!runs) {
            return context.store_failed(runs.error());
        }
        if (runs->empty()) {
            return context.fail(k_exit_failed, "campaign '" + which +
                                                   "' has no runs yet; campaigns are: " +
                                                   known_names(declared(context)));
        }
        run_id = runs->front().id;
    }
    auto found = store.run(*run_id);
    if (!found) {
        return context.store_failed(found.error());
    }
    if (!*found) {
        return context.fail(k_exit_failed, "no campaign run #" + std::to_string(*run_id) +
                                               "; musubictl campaign list shows the last runs");
    }
    auto result = store.report(*run_id);
    if (!result) {
        return context.store_failed(result.error());
    }
    if (context.json) {
        nlohmann::json recipients = nlohmann::json::array();
        for (const auto& line : result->recipients) {
            recipients.push_back({{"line_user_id", line.line_user_id},
                                  {"display_name", mask_name(line.display_name)},
                                  {"outcome", line.outcome},
                                  {"reason", line.reason}});
        }
        return context.emit({{"run", run_json(result->run)},
                             {"counts", result->counts},
                             {"recipients", recipients}});
    }
    const auto& run = result->run;
    auto& out = context.out;
    out << "campaign " << run.campaign << ", run #" << run.id << " (" << run.state << ")\n"
        << "  segment " << run.segment << ", template " << run.template_name
        << (run.multicast ? ", multicast" : ", per friend") << "\n"
        << "  due " << jst_time(run.due_at_ms) << ", started by " << run.started_by
        << (run.finished_at_ms ? ", snapshot done " + jst_time(run.finished_at_ms) : "") << "\n"
        << "  " << counts_text(result->counts) << "\n";
    for (const auto& line : result->recipients) {
        out << "  " << line.line_user_id << "  "
            << (line.display_name.empty() ? std::string("-") : mask_name(line.display_name)) << "  "
            << line.outcome << (line.reason.empty() ? "" : "  " + line.reason) << "\n";
    }
    return k_exit_ok;
}

} // namespace

std::vector<Command> campaign_commands() {
    return {
        {"campaign list",
         "",
         "the campaigns of campaigns.yaml: segment, template, schedule, next time, last run",
         Needs::store,
         {},
         {},
         0,
         0,
         list},
        {"campaign start",
         "<name> [--at \"YYYY-MM-DD HH:MM\"]",
         "run a declared campaign now (or once at a JST time); refused while one of its runs "
         "is not done",
         Needs::store,
         {"--at"},
         {},
         1,
         1,
         start},
        {"campaign report",
         "<name|run-id>",
         "counts by outcome and each recipient (LINE userId, masked name, outcome, reason) of "
         "a run, or of the campaign's last run",
         Needs::store,
         {},
         {},
         1,
         1,
         report},
    };
}

} // namespace musubi::ctl
