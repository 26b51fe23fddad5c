#include "daemon/campaigns/campaign_config.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>

#include "daemon/config/config.hpp"
#include "daemon/config/section.hpp"
#include "daemon/config/suggest.hpp"
#include "daemon/config/value_types.hpp"
#include "daemon/config/yaml_file.hpp"
#include "daemon/engine/jst.hpp"
#include "daemon/templates/variable_names.hpp"

namespace musubi::campaigns {

namespace {

using config::ReadContext;
namespace jst = engine::jst;

const std::vector<std::string>& day_words() {
    static const std::vector<std::string> words{"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
    return words;
}

bool is_name(const std::string& text) {
    return !text.empty() && text.size() <= 64 && std::all_of(text.begin(), text.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    });
}

struct CampaignNameType {
    using value_type = std::string;
    std::string type_name() const { return "name"; }
    bool read(const YAML::Node& node, std::string& out, const ReadContext& context) const {
        const std::string hint = "use lower-case letters, digits, '_' and '-', e.g. winter-sale";
        if (!config::expect_scalar(node, context, "a name", hint)) {
            return false;
        }
        if (!is_name(node.Scalar())) {
            context.error(node, "'" + node.Scalar() + "' is not a valid campaign name", hint);
            return false;
        }
        out = node.Scalar();
        return true;
    }
    void dump(const std::string& value, YAML::Emitter& out) const { out << value; }
};

// One of `known`, with a suggestion for a near miss; `what` is "segment" or "template".
struct KnownNameType {
    using value_type = std::string;
    std::string what;
    std::vector<std::string> known;
    std::string looked_in; // for the message: where the names come from
    std::string type_name() const { return what + " name"; }
    bool read(const YAML::Node& node, std::string& out, const ReadContext& context) const {
        if (!config::expect_scalar(node, context, "a name",
                                   "write the " + what + "'s name, e.g. " +
                                       (known.empty() ? std::string("guest") : known.front()))) {
            return false;
        }
        out = node.Scalar();
        if (std::find(known.begin(), known.end(), out) != known.end()) {
            return true;
        }
        const std::string close = config::closest_match(out, known);
        context.error(
            node, "no " + what + " '" + out + "' " + looked_in,
            (close.empty() ? "" : "did you mean '" + close + "'? ") +
                (known.empty() ? "define it first" : what + "s are: " + config::join(known)));
        return false;
    }
    void dump(const std::string& value, YAML::Emitter& out) const { out << value; }
};

struct DateTimeType {
    using value_type = std::int64_t;
    std::string type_name() const { return "JST date and time"; }
    bool read(const YAML::Node& node, std::int64_t& out, const ReadContext& context) const {
        const std::string hint = "write a JST date and time as \"YYYY-MM-DD HH:MM\", e.g. "
                                 "\"2026-12-01 10:00\"";
        if (!config::expect_scalar(node, context, "a date and time", hint)) {
            return false;
        }
        const auto parsed = parse_jst_datetime(node.Scalar());
        if (!parsed) {
            context.error(node, "'" + node.Scalar() + "' is not a date and time", hint);
            return false;
        }
        out = *parsed;
        return true;
    }
    void dump(std::int64_t value, YAML::Emitter& out) const { out << jst::minute_text(value); }
};

// `every: [tue, fri]`, `every: daily`, `weekdays` or `weekends`.
struct DaysType {
    using value_type = std::vector<int>;
    static constexpr bool is_block = true;
    std::string type_name() const { return "days of the week"; }
    bool read(const YAML::Node& node, std::vector<int>& out, const ReadContext& context) const {
        const std::string hint = "write daily, weekdays, weekends, or a list of days such as "
                                 "[tue, fri] (days: sun, mon, tue, wed, thu, fri, sat)";
        out.clear();
        if (node.IsScalar()) {
            const std::string& word = node.Scalar();
            if (word == "daily") {
                out = {0, 1, 2, 3, 4, 5, 6};
                return true;
            }
            if (word == "weekdays") {
                out = {1, 2, 3, 4, 5};
                return true;
            }
            if (word == "weekends") {
                out = {0, 6};
                return true;
            }
        }
        YAML::Node list = node;
        if (node.IsScalar()) {
            list = YAML::Node(YAML::NodeType::Sequence);
            list.push_back(node);
        }
        if (!list.IsSequence() || list.size() == 0) {
            context.error(node, std::string("expected days, found ") + config::describe_node(node),
                          hint);
            return false;
        }
        bool ok = true;
        std::set<int> days;
        for (const auto& item : list) {
            const std::string word = item.IsScalar() ? item.Scalar() : "";
            const auto& words = day_words();
            const auto found = std::find(words.begin(), words.end(), word);
            if (found == words.end()) {
                const std::string close = config::closest_match(word, words);
                context.error(item, "'" + word + "' is not a day of the week",
                              (close.empty() ? "" : "did you mean '" + close + "'? ") + hint);
                ok = false;
                continue;
            }
            days.insert(static_cast<int>(found - words.begin()));
        }
        out.assign(days.begin(), days.end());
        return ok;
    }
    void dump(const std::vector<int>& value, YAML::Emitter& out) const {
        out << YAML::Flow << YAML::BeginSeq;
        for (int day : value) {
            out << day_words()[static_cast<std::size_t>(day)];
        }
        out << YAML::EndSeq;
    }
};

// One `- name: ...` item as read.
struct Item {
    std::string name;
    std::string description;
    std::string segment;
    std::string send;
    std::map<std::string, std::string> vars;
    std::optional<std::int64_t> at;
    std::optional<std::vector<int>> every;
    std::optional<config::TimeOfDay> time;
    std::optional<config::TimeWindow> window;
    config::Limits limits;
    bool same_for_all = false;
    bool enabled = true;
};

config::Section<config::Limits> limits_section() {
    config::Section<config::Limits> section("limits");
    section.key("per_friend_per_day", &config::Limits::per_friend_per_day, config::IntType{1, 100},
                config::Optional{},
                "a friend who already got this many messages today (JST) is skipped");
    return section;
}

std::vector<std::string> template_names(const std::filesystem::path& folder) {
    std::vector<std::string> names;
    std::error_code error;
    for (const auto& entry : std::filesystem::directory_iterator(folder, error)) {
        const auto extension = entry.path().extension();
        if (extension == ".txt" || extension == ".json") {
            names.push_back(entry.path().stem().string());
        }
    }
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    return names;
}

std::string read_text(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// The first {{name}} in template `send` that is about one friend; "" when none.
std::string per_friend_name(const std::filesystem::path& templates_dir, const std::string& send) {
    // What a message the same for everyone may use: the shop, the campaign's vars.
    const nlohmann::json shared = {{"shop", {{"name", "x"}}}, {"vars", nlohmann::json::object()}};
    for (const char* extension : {".txt", ".json"}) {
        const auto file = templates_dir / (send + extension);
        if (!std::filesystem::exists(file)) {
            continue;
        }
        for (const auto& unknown : templates::unknown_names(read_text(file), shared)) {
            if (unknown.name.starts_with("friend.") || unknown.name.starts_with("buyer.") ||
                unknown.name.starts_with("link.")) {
                return unknown.name;
            }
        }
    }
    return "";
}

config::Section<Item> item_section(const config::Config& config) {
    std::vector<std::string> segments;
    for (const auto& segment : config.segments) {
        segments.push_back(segment.name);
    }
    const std::string segments_file = config.segments_file
                                          ? "in " + config.segments_file->filename().string()
                                          : "(musubi.yaml names no segments file: add 'segments: "
                                            "segments.yaml')";
    config::Section<Item> s("campaigns");
    s.key("name", &Item::name, CampaignNameType{}, config::Required{},
          "the campaign's name, for musubictl and reports")
        .key("description", &Item::description, config::StringType{true}, config::Default{"\"\""},
             "what the campaign is for, for people")
        .key("segment", &Item::segment, KnownNameType{"segment", segments, segments_file},
             config::Required{}, "the segment whose friends get it (segments.yaml)")
        .key("send", &Item::send,
             KnownNameType{"template", template_names(config.templates_dir),
                           "(looked for <name>.txt and <name>.json in " +
                               config.templates_dir.string() + ")"},
             config::Required{}, "the template to send")
        .key("vars", &Item::vars, config::MapType<config::StringType>{}, config::Default{"{}"},
             "values the template can use as {{vars.<name>}}")
        .key("at", &Item::at, DateTimeType{}, config::Optional{},
             "once, at this JST date and time (\"2026-12-01 10:00\")")
        .key("every", &Item::every, DaysType{}, config::Optional{},
             "recurring: daily, weekdays, weekends or a list such as [tue, fri]")
        .key("time", &Item::time, config::TimeOfDayType{}, config::Optional{},
             "with every: the JST time of day (\"12:00\")")
        .key("window", &Item::window, config::TimeWindowType{}, config::Optional{},
             "JST send window; a run started outside it waits for its opening")
        .key("limits", &Item::limits,
             config::SectionType<config::Limits>{
                 std::make_shared<const config::Section<config::Limits>>(limits_section())},
             config::Default{"{}"}, "caps: friends over them are skipped (and reported)")
        .key("same_for_all", &Item::same_for_all, config::BoolType{}, config::Default{"false"},
             "true: one multicast per 500 friends; the template may not use friend values")
        .key("enabled", &Item::enabled, config::BoolType{}, config::Default{"true"},
             "false: kept in the file, never sent");
    return s;
}

void check_item(const Item& item, const YAML::Node& node, const ReadContext& context,
                const config::Config& config) {
    if (item.at && item.every) {
        context.error(node["every"], "a campaign is either once ('at') or recurring ('every')",
                      "keep 'at: \"YYYY-MM-DD HH:MM\"' for one send, or 'every:' with 'time:' "
                      "for a recurring one");
    }
    if (item.every && !item.time) {
        context.error(node["every"], "'every' needs 'time'",
                      "add 'time: \"10:00\"' (JST) below 'every:'");
    }
    if (item.time && !item.every) {
        context.error(node["time"], "'time' only goes with 'every'",
                      "add 'every: daily' (or a list of days), or write 'at: \"YYYY-MM-DD "
                      "HH:MM\"' for one send");
    }
    if (item.window) {
        std::optional<config::TimeOfDay> starts;
        if (item.time) {
            starts = item.time;
        } else if (item.at) {
            starts = jst::time_of_day(*item.at);
        }
        if (starts && !item.window->contains(*starts)) {
            context.error(node[item.time ? "time" : "at"],
                          "the campaign starts at " + starts->to_string() +
                              ", outside its window " + item.window->to_string(),
                          "choose a time inside the window, or change the window");
        }
    }
    if (item.same_for_all && !item.send.empty()) {
        const std::string name = per_friend_name(config.templates_dir, item.send);
        if (!name.empty()) {
            context.error(node["same_for_all"],
                          "template '" + item.send + "' uses {{" + name +
                              "}}, which differs from friend to friend, but 'same_for_all' is "
                              "true",
                          "remove 'same_for_all: true' to render the message for each friend, "
                          "or remove {{" +
                              name + "}} from the template");
        }
    }
}

void read_list(const YAML::Node& list, CampaignSet& out, const ReadContext& context,
               const config::Config& config) {
    const auto section = item_section(config);
    std::map<std::string, int> defined_at;
    for (const auto& node : list) {
        const std::size_t before = context.diagnostics->size();
        if (!node.IsMap()) {
            context.error(node,
                          std::string("expected a campaign, found ") + config::describe_node(node),
                          "write each campaign as '- name: <name>' with its keys below it");
            continue;
        }
        Item item;
        section.read(node, item, context);
        if (context.diagnostics->size() == before) { // no follow-on errors of a bad value
            check_item(item, node, context, config);
        }
        if (context.diagnostics->size() != before) {
            continue;
        }
        const config::Position where = context.at(node);
        auto [existing, inserted] = defined_at.emplace(item.name, where.line);
        if (!inserted) {
            context.error(node["name"],
                          "campaign '" + item.name + "' is already defined on line " +
                              std::to_string(existing->second),
                          "give each campaign its own name");
            continue;
        }
        Campaign campaign;
        campaign.name = item.name;
        campaign.description = item.description;
        campaign.segment = item.segment;
        campaign.send = item.send;
        campaign.vars = item.vars;
        campaign.at_ms = item.at;
        if (item.at) {
            campaign.at_text = jst::minute_text(*item.at);
        }
        campaign.every = item.every.value_or(std::vector<int>{});
        campaign.time = item.time;
        campaign.window = item.window;
        campaign.limits = item.limits;
        campaign.same_for_all = item.same_for_all;
        campaign.enabled = item.enabled;
        campaign.where = where;
        out.campaigns.push_back(std::move(campaign));
    }
}

int weekday(std::int64_t at_ms) {
    const auto days = std::chrono::sys_days(
        std::chrono::days((jst::day_start(at_ms) + jst::k_offset_ms) / jst::k_day_ms));
    return static_cast<int>(std::chrono::weekday(days).c_encoding());
}

bool runs_on(const Campaign& campaign, std::int64_t day_start_ms) {
    return std::find(campaign.every.begin(), campaign.every.end(), weekday(day_start_ms)) !=
           campaign.every.end();
}

} // namespace

const Campaign* CampaignSet::find(const std::string& name) const {
    for (const auto& campaign : campaigns) {
        if (campaign.name == name) {
            return &campaign;
        }
    }
    return nullptr;
}

std::optional<std::int64_t> parse_jst_datetime(const std::string& text) {
    int year = 0;
    unsigned month = 0;
    unsigned day = 0;
    int hour = 0;
    int minute = 0;
    char separator = 0;
    char tail = 0;
    std::string normal = text;
    std::replace(normal.begin(), normal.end(), '/', '-');
    if (std::sscanf(normal.c_str(), "%4d-%2u-%2u%c%2d:%2d%c", &year, &month, &day, &separator,
                    &hour, &minute, &tail) != 6 ||
        (separator != ' ' && separator != 'T') || hour < 0 || hour > 23 || minute < 0 ||
        minute > 59) {
        return std::nullopt;
    }
    const std::chrono::year_month_day date{std::chrono::year(year), std::chrono::month(month),
                                           std::chrono::day(day)};
    if (!date.ok()) {
        return std::nullopt;
    }
    const std::int64_t days = std::chrono::sys_days(date).time_since_epoch().count();
    return days * jst::k_day_ms + (hour * 60LL + minute) * jst::k_minute_ms - jst::k_offset_ms;
}

std::optional<std::int64_t> latest_occurrence(const Campaign& campaign, std::int64_t now_ms) {
    if (campaign.at_ms) {
        return *campaign.at_ms <= now_ms ? campaign.at_ms : std::nullopt;
    }
    if (!campaign.recurring() || !campaign.time) {
        return std::nullopt;
    }
    for (int back = 0; back <= 7; ++back) {
        const std::int64_t day = jst::day_start(now_ms) - back * jst::k_day_ms;
        const std::int64_t at = day + campaign.time->minutes * jst::k_minute_ms;
        if (at <= now_ms && runs_on(campaign, day)) {
            return at;
        }
    }
    return std::nullopt;
}

std::optional<std::int64_t> next_occurrence(const Campaign& campaign, std::int64_t now_ms) {
    if (campaign.at_ms) {
        return *campaign.at_ms > now_ms ? campaign.at_ms : std::nullopt;
    }
    if (!campaign.recurring() || !campaign.time) {
        return std::nullopt;
    }
    for (int ahead = 0; ahead <= 7; ++ahead) {
        const std::int64_t day = jst::day_start(now_ms) + ahead * jst::k_day_ms;
        const std::int64_t at = day + campaign.time->minutes * jst::k_minute_ms;
        if (at > now_ms && runs_on(campaign, day)) {
            return at;
        }
    }
    return std::nullopt;
}

std::string schedule_text(const Campaign& campaign) {
    if (campaign.at_ms) {
        return "once at " + jst::minute_text(*campaign.at_ms) + " JST";
    }
    if (campaign.recurring() && campaign.time) {
        std::string days;
        if (campaign.every.size() == 7) {
            days = "daily";
        } else {
            for (int day : campaign.every) {
                days += (days.empty() ? "" : ", ") + day_words()[static_cast<std::size_t>(day)];
            }
        }
        return "every " + days + " at " + campaign.time->to_string() + " JST";
    }
    return "by musubictl only";
}

std::shared_ptr<const CampaignSet> read_campaigns(const std::filesystem::path& file,
                                                  const std::string& shown,
                                                  const config::Config& config,
                                                  config::Diagnostics& diagnostics) {
    auto set = std::make_shared<CampaignSet>();
    auto root = config::parse_yaml_file(file, shown, "campaigns", diagnostics);
    if (!root) {
        return set;
    }
    const ReadContext context{shown, file.parent_path(), &diagnostics};
    const std::string start_hint = "start the file with 'campaigns:' and list one '- name: ...' "
                                   "per campaign below it";
    if (root->IsNull()) {
        context.error(*root, "the campaigns file is empty", start_hint);
        return set;
    }
    if (!root->IsMap()) {
        context.error(*root, "the campaigns file must be a mapping with 'campaigns:'", start_hint);
        return set;
    }
    for (const auto& entry : *root) {
        if (entry.first.Scalar() != "campaigns") {
            const std::string close = config::closest_match(entry.first.Scalar(), {"campaigns"});
            context.error(entry.first, "unknown key '" + entry.first.Scalar() + "'",
                          close.empty() ? "the only key here is 'campaigns:'"
                                        : "did you mean 'campaigns'?");
        }
    }
    const YAML::Node& top = *root;
    const YAML::Node list = top["campaigns"];
    if (!list.IsDefined()) {
        context.error(*root, "missing 'campaigns:'", start_hint);
        return set;
    }
    if (list.IsNull()) {
        return set; // `campaigns:` with nothing below: none declared yet
    }
    if (!list.IsSequence()) {
        context.error(
            list, std::string("expected a list of campaigns, found ") + config::describe_node(list),
            "write one campaign per item, e.g. '  - name: winter-sale'; to have none, "
            "write 'campaigns: []'");
        return set;
    }
    read_list(list, *set, context, config);
    return set;
}

} // namespace musubi::campaigns
