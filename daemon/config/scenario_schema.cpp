#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "daemon/config/conditions.hpp"
#include "daemon/config/schema.hpp"

namespace musubi::config {

namespace {

EnumType<FactKind> fact_type() {
    return EnumType<FactKind>{fact_kinds()};
}

bool is_name(const std::string& text) {
    return !text.empty() && text.size() <= 64 && std::all_of(text.begin(), text.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    });
}

// A scenario or step name: lower-case letters, digits, '_' and '-'.
struct NameType {
    using value_type = std::string;
    bool allow_empty = false;
    std::string type_name() const { return "name"; }
    bool read(const YAML::Node& node, std::string& out, const ReadContext& context) const {
        const std::string hint = "use lower-case letters, digits, '_' and '-', e.g. "
                                 "review-request";
        if (!expect_scalar(node, context, "a name", hint)) {
            return false;
        }
        if (allow_empty && node.Scalar().empty()) {
            out.clear();
            return true;
        }
        if (!is_name(node.Scalar())) {
            context.error(node, "'" + node.Scalar() + "' is not a valid name", hint);
            return false;
        }
        out = node.Scalar();
        return true;
    }
    void dump(const std::string& value, YAML::Emitter& out) const { out << value; }
};

// `send: review_request` must name templates/review_request.txt or .json.
struct TemplateNameType {
    using value_type = std::string;
    std::filesystem::path templates_dir;

    std::string type_name() const { return "template name"; }
    bool read(const YAML::Node& node, std::string& out, const ReadContext& context) const {
        if (!NameType{}.read(node, out, context)) {
            return false;
        }
        for (const char* extension : {".txt", ".json"}) {
            if (std::filesystem::exists(templates_dir / (out + extension))) {
                return true;
            }
        }
        const std::vector<std::string> known = available();
        const std::string close = closest_match(out, known);
        context.error(
            node,
            "no template '" + out + "' (looked for " + out + ".txt and " + out + ".json in " +
                templates_dir.string() + ")",
            (close.empty() ? "" : "did you mean '" + close + "'? ") +
                (known.empty() ? "create the template file" : "templates are: " + join(known)));
        return false;
    }
    void dump(const std::string& value, YAML::Emitter& out) const { out << value; }

    std::vector<std::string> available() const {
        std::vector<std::string> names;
        std::error_code error;
        for (const auto& entry : std::filesystem::directory_iterator(templates_dir, error)) {
            const auto extension = entry.path().extension();
            if (extension == ".txt" || extension == ".json") {
                names.push_back(entry.path().stem().string());
            }
        }
        std::sort(names.begin(), names.end());
        names.erase(std::unique(names.begin(), names.end()), names.end());
        return names;
    }
};

void check_step(const Step& step, const YAML::Node& map, const ReadContext& context) {
    const int waits = (step.after ? 1 : 0) + (step.at ? 1 : 0) + (step.on ? 1 : 0);
    if (waits > 1) {
        context.error(map,
                      "a step can wait in one way only, but this one has more than one of "
                      "'after', 'at' and 'on'",
                      "keep one; to wait and then wait again, write two steps");
    }
    if (step.within && !step.on) {
        context.error(map["within"], "'within' only goes with 'on'",
                      "write 'on: <fact>' to wait for a fact for at most this long, or remove "
                      "'within'");
    }
    if (step.on && !step.within) {
        context.error(map["on"], "a step that waits for a fact needs 'within'",
                      "add e.g. 'within: 14d' so the step gives up when the fact never comes");
    }
    // Judged by the keys written, not the values read, so a misspelt template name is not
    // reported a second time as "does nothing".
    const bool sends = map["send"].IsDefined();
    if (!sends && step.add_tags.empty() && step.remove_tags.empty() &&
        !map["add_tags"].IsDefined() && !map["remove_tags"].IsDefined()) {
        context.error(map, "this step does nothing",
                      "add 'send: <template>', 'add_tags: [...]' or 'remove_tags: [...]'");
    }
    if (!step.vars.empty() && !sends) {
        context.error(map["vars"], "'vars' only goes with 'send'",
                      "add 'send: <template>' or remove 'vars'");
    }
}

Section<Step> step_section(const std::filesystem::path& templates_dir) {
    Section<Step> section("step");
    section
        .key("name", &Step::name, NameType{true}, Default{"\"\""},
             "the step's name; running enrollments follow it across reloads (default: "
             "step1, step2, ... by position)")
        .key("after", &Step::after, DurationType{}, Optional{},
             "wait this long after the previous step (or the trigger)")
        .key("at", &Step::at, TimeOfDayType{}, Optional{}, "wait until this JST time of day")
        .key("on", &Step::on, fact_type(), Optional{}, "wait for this fact about the same subject")
        .key("within", &Step::within, DurationType{}, Optional{},
             "with 'on': give up after this long")
        .key("window", &Step::window, TimeWindowType{}, Optional{},
             "JST hours the step may send in; outside them it waits for the next opening")
        .key("unless", &Step::unless, fact_type(), Optional{},
             "skip the step when this fact exists for the same subject by then")
        .key("send", &Step::send, TemplateNameType{templates_dir}, Optional{},
             "the template to send")
        .key("vars", &Step::vars, MapType<StringType>{}, Default{"{}"},
             "values the template can use, e.g. {coupon_code: REVIEW500}")
        .key("add_tags", &Step::add_tags, ListType<NameType>{}, Default{"[]"},
             "tags to add to the friend")
        .key("remove_tags", &Step::remove_tags, ListType<NameType>{}, Default{"[]"},
             "tags to remove from the friend")
        .key("critical", &Step::critical, BoolType{}, Default{"false"},
             "a message friends need (e.g. a shipping notice): daily caps never hold it back")
        .check(check_step);
    return section;
}

Section<Limits> limits_section() {
    Section<Limits> section("limits");
    section.key("per_friend_per_day", &Limits::per_friend_per_day, IntType{1, 100}, Optional{},
                "the most messages from this scenario a friend gets in one JST day");
    return section;
}

void check_scenario(const Scenario& scenario, const YAML::Node& map, const ReadContext& context) {
    if (!scenario.keywords.empty() && scenario.trigger != FactKind::friend_message) {
        context.error(map["keywords"], "'keywords' only goes with 'trigger: friend.message'",
                      "change the trigger to friend.message or remove 'keywords'");
    }
    if (scenario.postback && scenario.trigger != FactKind::friend_postback) {
        context.error(map["postback"], "'postback' only goes with 'trigger: friend.postback'",
                      "change the trigger to friend.postback or remove 'postback'");
    }
    if (scenario.cooldown && scenario.reentry == Reentry::once) {
        context.error(map["cooldown"], "'cooldown' has no effect with 'reentry: once'",
                      "use 'reentry: per_subject' or 'reentry: always', or remove 'cooldown'");
    }
    if (scenario.reentry == Reentry::per_subject && !is_order_fact(scenario.trigger)) {
        context.error(map["reentry"],
                      "'reentry: per_subject' needs a trigger about an order, but '" +
                          fact_name(scenario.trigger) + "' has no order",
                      "use 'reentry: once' or 'reentry: always'");
    }
    if (!is_order_fact(scenario.trigger)) {
        const YAML::Node when = map["when"];
        for (const auto& condition : scenario.when) {
            const auto& fields = condition_fields();
            const auto field = std::find_if(fields.begin(), fields.end(), [&](const auto& f) {
                return f.name == condition.field;
            });
            if (field != fields.end() && field->needs_order) {
                context.diagnostics->add(condition.where,
                                         "'" + condition.field +
                                             "' needs a trigger about an "
                                             "order, but this scenario's trigger is '" +
                                             fact_name(scenario.trigger) + "'",
                                         "use a friend.* or orders.* field, or an order trigger");
            }
        }
    }
    if (scenario.steps.empty()) {
        context.error(map, "scenario '" + scenario.name + "' has no steps",
                      "add 'steps:' with at least one step that sends a template");
    }
    std::vector<std::string> names;
    for (const auto& step : scenario.steps) {
        if (!step.name.empty() && std::find(names.begin(), names.end(), step.name) != names.end()) {
            context.error(map["steps"], "two steps are named '" + step.name + "'",
                          "give each step its own name");
        }
        names.push_back(step.name);
    }
}

// --- in_groups (issue 17): a keyword scenario that also answers in group chats and rooms.
// Its answer goes into the group by the message's reply token, where everyone reads it: it
// may say nothing about a friend or an order, and it cannot wait (the token lives a minute).

// The first {{tag}} of `text` at or after `from` that names a friend's or an order's value,
// with its name; npos when none.
std::pair<std::size_t, std::string> personal_tag(const std::string& text, std::size_t from) {
    static const char* const k_personal[] = {"friend",   "buyer",  "order",
                                             "shipping", "review", "link"};
    for (auto open = text.find("{{", from); open != std::string::npos;
         open = text.find("{{", open + 2)) {
        const auto close = text.find("}}", open + 2);
        if (close == std::string::npos) {
            break;
        }
        std::string name = text.substr(open + 2, close - open - 2);
        name.erase(0, name.find_first_not_of("{#^/&! \t"));
        name.erase(name.find_last_not_of("} \t") + 1);
        const std::string head = name.substr(0, name.find('.'));
        for (const char* personal : k_personal) {
            if (head == personal) {
                return {open, name};
            }
        }
    }
    return {std::string::npos, {}};
}

// Where `at` is in `text`: 1-based line and column (in characters, not bytes).
std::pair<int, int> line_and_column(const std::string& text, std::size_t at) {
    int line = 1;
    int column = 1;
    for (std::size_t i = 0; i < at; ++i) {
        if (text[i] == '\n') {
            ++line;
            column = 1;
        } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
            ++column;
        }
    }
    return {line, column};
}

void check_in_groups(const Scenario& scenario, const YAML::Node& map, const ReadContext& context,
                     const std::filesystem::path& templates_dir) {
    if (!scenario.in_groups) {
        return;
    }
    if (scenario.keywords.empty()) {
        context.error(map["in_groups"], "'in_groups' only goes with 'keywords'",
                      "add 'keywords: [...]' (with 'trigger: friend.message') or remove "
                      "'in_groups'");
    }
    if (!scenario.when.empty()) {
        context.error(map["when"],
                      "'when' cannot be used with 'in_groups: true': a group chat has no friend "
                      "or order to check",
                      "write a separate scenario without 'in_groups' for the conditions");
    }
    const YAML::Node steps = map["steps"];
    for (std::size_t i = 0; i < scenario.steps.size(); ++i) {
        const Step& step = scenario.steps[i];
        const YAML::Node node = steps.IsSequence() && i < steps.size() ? steps[i] : map;
        if (step.after || step.at || step.on) {
            context.error(node,
                          "a step of a scenario with 'in_groups: true' cannot wait ('after', "
                          "'at' or 'on'): a group chat is answered only by the reply token, "
                          "which lives about a minute",
                          "remove the wait from this step, or remove 'in_groups'");
        }
        if (!step.send) {
            continue;
        }
        for (const char* extension : {".txt", ".json"}) {
            const auto file = templates_dir / (*step.send + extension);
            std::ifstream in(file, std::ios::binary);
            if (!in) {
                continue;
            }
            std::ostringstream content;
            content << in.rdbuf();
            const std::string text = content.str();
            for (auto found = personal_tag(text, 0); found.first != std::string::npos;
                 found = personal_tag(text, found.first + 2)) {
                const auto [line, column] = line_and_column(text, found.first);
                context.diagnostics->add(
                    Position{file.string(), line, column},
                    "{{" + found.second +
                        "}} cannot be used in a reply into a group chat: scenario '" +
                        scenario.name +
                        "' has 'in_groups: true' and everyone in the group would see it",
                    "use only {{shop.name}} and {{vars.<name>}} here, or give the group "
                    "scenario its own template");
            }
        }
    }
}

} // namespace

Section<Scenario> scenario_section(const std::filesystem::path& templates_dir) {
    Section<Scenario> section("scenario");
    section
        .key("scenario", &Scenario::name, NameType{}, Required{},
             "the scenario's name, unique among all scenario files")
        .key("description", &Scenario::description, StringType{true}, Default{"\"\""},
             "what the scenario is for, in words staff understand")
        .key("trigger", &Scenario::trigger, fact_type(), Required{},
             "the fact that starts the scenario")
        .key("when", &Scenario::when, ConditionsType{}, Default{"{}"},
             "conditions that must all hold when the trigger happens")
        .key("keywords", &Scenario::keywords, ListType<StringType>{}, Default{"[]"},
             "with trigger friend.message: words that start the scenario")
        .key("postback", &Scenario::postback, StringType{}, Optional{},
             "with trigger friend.postback: the button data to answer")
        .key("in_groups", &Scenario::in_groups, BoolType{}, Default{"false"},
             "with keywords: also answer them in group chats and rooms (by reply only; the "
             "template may use shop.name and vars only)")
        .key("reentry", &Scenario::reentry,
             EnumType<Reentry>{{{"once", Reentry::once},
                                {"per_subject", Reentry::per_subject},
                                {"always", Reentry::always}}},
             Default{"once"},
             "may a friend go through it again: once ever, once per order, or always")
        .key("cooldown", &Scenario::cooldown, DurationType{}, Optional{},
             "with per_subject or always: the least time between two starts for a friend")
        .key("steps", &Scenario::steps,
             ListType<SectionType<Step>>{
                 {std::make_shared<const Section<Step>>(step_section(templates_dir))}},
             Required{}, "what to do, in order")
        .key("cancel_on", &Scenario::cancel_on, ListType<EnumType<FactKind>>{fact_type()},
             Default{"[]"}, "facts that end the scenario early for that friend")
        .key("limits", &Scenario::limits,
             SectionType<Limits>{std::make_shared<const Section<Limits>>(limits_section())},
             Default{"{}"}, "caps on how often friends hear from this scenario")
        .check(check_scenario)
        .check([templates_dir](const Scenario& scenario, const YAML::Node& map,
                               const ReadContext& context) {
            check_in_groups(scenario, map, context, templates_dir);
        });
    return section;
}

const std::vector<std::pair<std::string, FactKind>>& fact_kinds() {
    static const std::vector<std::pair<std::string, FactKind>> kinds{
        {"order.placed", FactKind::order_placed},
        {"order.shipped", FactKind::order_shipped},
        {"order.cancelled", FactKind::order_cancelled},
        {"review.posted", FactKind::review_posted},
        {"friend.followed", FactKind::friend_followed},
        {"friend.unfollowed", FactKind::friend_unfollowed},
        {"friend.linked", FactKind::friend_linked},
        {"friend.unlinked", FactKind::friend_unlinked},
        {"friend.message", FactKind::friend_message},
        {"friend.postback", FactKind::friend_postback},
        {"tag.added", FactKind::tag_added},
        {"tag.removed", FactKind::tag_removed},
        {"friend.imported", FactKind::friend_imported}};
    return kinds;
}

std::string fact_name(FactKind kind) {
    for (const auto& [name, candidate] : fact_kinds()) {
        if (candidate == kind) {
            return name;
        }
    }
    return "?";
}

bool is_order_fact(FactKind kind) {
    return kind == FactKind::order_placed || kind == FactKind::order_shipped ||
           kind == FactKind::order_cancelled || kind == FactKind::review_posted;
}

} // namespace musubi::config
