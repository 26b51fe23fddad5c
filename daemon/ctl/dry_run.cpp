#include "daemon/ctl/dry_run.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <ostream>
#include <sstream>
#include <thread>
#include <utility>

#include <nlohmann/json.hpp>
#include <sqlite3.h>

#include "daemon/clock/manual_clock.hpp"
#include "daemon/engine/engine.hpp"
#include "daemon/engine/jst.hpp"
#include "daemon/linking/page_token.hpp"
#include "daemon/store/sqlite/sqlite_store.hpp"
#include "daemon/templates/template_set.hpp"

namespace musubi::ctl {

namespace {

using store::sqlite::Database;
using Error = DryRunError;

constexpr std::int64_t k_day_ms = 24LL * 60 * 60 * 1000;
// Enough for any scenario's steps within k_dry_run_days; a guard against a loop, not a limit
// anyone meets.
constexpr int k_max_passes = 10'000;

Error failed(std::string message) {
    return Error{1, std::move(message)};
}
Error unavailable(std::string message) {
    return Error{4, std::move(message)};
}

// A private folder for the copy (mode 0700: it holds the shop's customers), removed on exit.
class TempFolder {
public:
    static tl::expected<TempFolder, Error> make() {
        auto pattern = (std::filesystem::temp_directory_path() / "musubi-dry-run-XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr) {
            return tl::unexpected(
                unavailable("cannot create a temporary folder in " +
                            std::filesystem::temp_directory_path().string() +
                            " for the copy of the store; set TMPDIR to a writable folder"));
        }
        return TempFolder(pattern);
    }
    TempFolder(TempFolder&& other) noexcept
        : m_path(std::exchange(other.m_path, {})) {}
    TempFolder& operator=(TempFolder&&) = delete;
    ~TempFolder() {
        if (!m_path.empty()) {
            std::error_code ignored;
            std::filesystem::remove_all(m_path, ignored);
        }
    }
    const std::filesystem::path& path() const { return m_path; }

private:
    explicit TempFolder(std::filesystem::path path)
        : m_path(std::move(path)) {}
    std::filesystem::path m_path;
};

// Copies the live store with SQLite's online backup: one read transaction, so the copy is one
// consistent moment even while musubid writes. The live file is opened read-only.
tl::expected<void, Error> copy_store(const std::filesystem::path& from,
                                     const std::filesystem::path& to) {
    std::error_code error;
    if (!std::filesystem::exists(from, error)) {
        return tl::unexpected(unavailable("the store " + from.string() +
                                          " does not exist; check store.path (musubid creates "
                                          "it at its first start)"));
    }
    sqlite3* source = nullptr;
    sqlite3* target = nullptr;
    const auto close = [&] {
        sqlite3_close_v2(source);
        sqlite3_close_v2(target);
    };
    if (sqlite3_open_v2(from.c_str(), &source, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK ||
        sqlite3_open_v2(to.c_str(), &target, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
            SQLITE_OK) {
        const std::string why = sqlite3_errmsg(source != nullptr ? source : target);
        close();
        return tl::unexpected(unavailable("cannot open the store " + from.string() +
                                          " to copy it: " + why +
                                          "; run musubictl as a user who may read it"));
    }
    sqlite3_busy_timeout(source, 5000);
    sqlite3_backup* backup = sqlite3_backup_init(target, "main", source, "main");
    if (backup == nullptr) {
        const std::string why = sqlite3_errmsg(target);
        close();
        return tl::unexpected(unavailable("cannot copy the store " + from.string() + ": " + why));
    }
    int rc = SQLITE_OK;
    for (int tries = 0; tries < 100; ++tries) {
        rc = sqlite3_backup_step(backup, -1);
        if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED) {
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    sqlite3_backup_finish(backup);
    const std::string why = rc == SQLITE_DONE ? "" : sqlite3_errstr(rc);
    close();
    if (rc != SQLITE_DONE) {
        return tl::unexpected(unavailable("cannot copy the store " + from.string() + ": " + why +
                                          "; try again in a moment"));
    }
    return {};
}

tl::expected<void, Error> exec(Database& db, const std::string& sql) {
    if (auto done = db.exec(sql); !done) {
        return tl::unexpected(failed("the copy of the store: " + done.error().message));
    }
    return {};
}

// The first row's `columns` columns as text (empty vector: no row).
tl::expected<std::vector<std::string>, Error> first_row(Database& db, const std::string& sql,
                                                        const std::vector<std::string>& params,
                                                        int columns = 1) {
    auto statement = db.prepare(sql);
    if (!statement) {
        return tl::unexpected(failed("the copy of the store: " + statement.error().message));
    }
    for (std::size_t i = 0; i < params.size(); ++i) {
        statement->bind(static_cast<int>(i + 1), params[i]);
    }
    auto row = statement->step();
    if (!row) {
        return tl::unexpected(failed("the copy of the store: " + row.error().message));
    }
    std::vector<std::string> values;
    for (int i = 0; *row && i < columns; ++i) {
        values.push_back(statement->column_text(i));
    }
    return values;
}

const config::Scenario* find_scenario(const config::Config& config, const std::string& name) {
    const auto it = std::find_if(config.scenarios.begin(), config.scenarios.end(),
                                 [&](const config::Scenario& s) { return s.name == name; });
    return it == config.scenarios.end() ? nullptr : &*it;
}

std::string scenario_names(const config::Config& config) {
    std::string names;
    for (const auto& scenario : config.scenarios) {
        names += (names.empty() ? "" : ", ") + scenario.name;
    }
    return names.empty() ? "(none)" : names;
}

struct Subject {
    std::int64_t friend_id = 0;
    std::string line_user_id;
    std::string order_number; // for order facts
};

tl::expected<Subject, Error> find_subject(Database& db, const config::Scenario& scenario,
                                          const DryRunRequest& request,
                                          const std::string& location) {
    Subject subject;
    const bool order_trigger = config::is_order_fact(scenario.trigger);
    if (!request.line_user_id.empty()) {
        auto row = first_row(db, "SELECT id, line_user_id FROM friends WHERE line_user_id = ?1",
                             {request.line_user_id}, 2);
        if (!row) {
            return tl::unexpected(row.error());
        }
        if (row->empty()) {
            return tl::unexpected(failed("no friend with LINE userId " + request.line_user_id +
                                         " in " + location + "; check the id (it starts with U)"));
        }
        subject.friend_id = std::stoll((*row)[0]);
        subject.line_user_id = (*row)[1];
        if (order_trigger) {
            auto order = first_row(
                db,
                "SELECT o.order_number FROM orders o JOIN links l ON l.buyer_id = o.buyer_id AND "
                "l.unlinked_at IS NULL WHERE l.friend_id = ?1 ORDER BY o.ordered_at DESC, o.id "
                "DESC LIMIT 1",
                {(*row)[0]});
            if (!order) {
                return tl::unexpected(order.error());
            }
            if (order->empty()) {
                return tl::unexpected(failed(
                    "scenario " + scenario.name + " starts on " +
                    config::fact_name(scenario.trigger) + ", and friend " + request.line_user_id +
                    " has no order linked to them; give an order with --order <order number>"));
            }
            subject.order_number = (*order)[0];
        }
        return subject;
    }
    auto order = first_row(db, "SELECT order_number FROM orders WHERE order_number = ?1",
                           {request.order_number});
    if (!order) {
        return tl::unexpected(order.error());
    }
    if (order->empty()) {
        return tl::unexpected(failed("no order " + request.order_number + " in " + location +
                                     "; check the number (e.g. 123456-20261122-0000000001)"));
    }
    auto linked = first_row(db,
                            "SELECT f.id, f.line_user_id FROM orders o JOIN links l ON "
                            "l.buyer_id = o.buyer_id AND l.unlinked_at IS NULL JOIN friends f "
                            "ON f.id = l.friend_id WHERE o.order_number = ?1 ORDER BY "
                            "l.linked_at DESC LIMIT 1",
                            {request.order_number}, 2);
    if (!linked) {
        return tl::unexpected(linked.error());
    }
    if (linked->empty()) {
        return tl::unexpected(failed("order " + request.order_number +
                                     " is not linked to any friend, so musubi would send "
                                     "nothing for it; try --friend <LINE userId>"));
    }
    subject.friend_id = std::stoll((*linked)[0]);
    subject.line_user_id = (*linked)[1];
    if (order_trigger) {
        subject.order_number = request.order_number;
    }
    return subject;
}

// The payload of the synthetic trigger: the subject's own fact of that kind if there is one.
tl::expected<std::string, Error> trigger_payload(Database& db, const config::Scenario& scenario,
                                                 const Subject& subject,
                                                 std::vector<std::string>& notes) {
    const auto kind = config::fact_name(scenario.trigger);
    if (!subject.order_number.empty()) {
        auto own = first_row(
            db, "SELECT payload FROM facts WHERE subject = ?1 AND kind = ?2 ORDER BY id LIMIT 1",
            {subject.order_number, kind});
        if (!own) {
            return tl::unexpected(own.error());
        }
        if (!own->empty()) {
            return (*own)[0];
        }
        auto order = first_row(db,
                               "SELECT source, order_number, coalesce(progress, 0), "
                               "coalesce(total, ''), ordered_at, items, coalesce(buyer_id, ''), "
                               "coalesce(carrier_code, ''), coalesce(tracking_number, '') FROM "
                               "orders WHERE order_number = ?1",
                               {subject.order_number}, 9);
        if (!order) {
            return tl::unexpected(order.error());
        }
        const auto& o = *order;
        nlohmann::json payload{
            {"source", o[0]},
            {"order_number", o[1]},
            {"progress", std::stoll(o[2])},
            {"total", o[3].empty() ? nlohmann::json(nullptr) : nlohmann::json(std::stoll(o[3]))},
            {"ordered_at", std::stoll(o[4])},
            {"items", nlohmann::json::parse(o[5], nullptr, false)},
            {"buyer_id",
             o[6].empty() ? nlohmann::json(nullptr) : nlohmann::json(std::stoll(o[6]))}};
        if (kind == "order.shipped") {
            payload["carrier"] = {{"code", o[7]}, {"tracking_number", o[8]}};
            notes.push_back("order " + subject.order_number +
                            " has not shipped yet: the carrier's name and tracking page are not "
                            "known, so shipping details may be empty");
        }
        return payload.dump();
    }
    nlohmann::json payload = nlohmann::json::object();
    if (!scenario.keywords.empty()) {
        payload = {{"type", "text"}, {"text", scenario.keywords.front()}};
        notes.push_back("as if the friend sent 「" + scenario.keywords.front() + "」");
    } else if (scenario.postback) {
        payload = {{"data", *scenario.postback}};
    }
    return payload.dump();
}

std::int64_t earlier_enrollments(Database& db, const std::string& scenario,
                                 std::int64_t friend_id) {
    auto row = first_row(db,
                         "SELECT count(*) FROM enrollments WHERE scenario = ?1 AND friend_id = " +
                             std::to_string(friend_id),
                         {scenario});
    return row && !row->empty() ? std::stoll((*row)[0]) : 0;
}

// Makes the copy answer only this question (see dry_run.hpp).
tl::expected<void, Error> prepare_copy(Database& db, const config::Scenario& scenario,
                                       const Subject& subject, const std::string& payload,
                                       std::int64_t now) {
    const auto id = std::to_string(subject.friend_id);
    const auto at = std::to_string(now);
    for (const auto& sql : {
             "UPDATE facts SET processed_at = " + at + " WHERE processed_at IS NULL",
             "UPDATE enrollments SET state = 'ended', end_reason = 'dry run', ended_at = " + at +
                 " WHERE state = 'active'",
         }) {
        if (auto done = exec(db, sql); !done) {
            return done;
        }
    }
    auto aside = db.prepare("UPDATE enrollments SET scenario = scenario || ' (before the dry "
                            "run)' WHERE scenario = ?1 AND friend_id = ?2");
    auto insert = db.prepare(
        "INSERT INTO facts (natural_key, kind, subject, friend_id, occurred_at, recorded_at, "
        "payload) VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6)");
    if (!aside || !insert) {
        return tl::unexpected(
            failed("the copy of the store: " + (!aside ? aside.error() : insert.error()).message));
    }
    aside->bind(1, scenario.name).bind(2, subject.friend_id);
    const auto kind = config::fact_name(scenario.trigger);
    insert->bind(1, "dry-run:" + kind + ":" + id)
        .bind(2, kind)
        .bind_optional(3, subject.order_number.empty()
                              ? std::nullopt
                              : std::optional<std::string>(subject.order_number))
        .bind(4, subject.friend_id)
        .bind(5, now)
        .bind(6, payload);
    for (auto* statement : {&*aside, &*insert}) {
        if (auto done = statement->run(); !done) {
            return tl::unexpected(failed("the copy of the store: " + done.error().message));
        }
    }
    return {};
}

struct EnrollmentState {
    std::int64_t id = 0;
    std::string state, step, waiting_on, end_reason;
    std::optional<std::int64_t> next_at;
};

tl::expected<std::optional<EnrollmentState>, Error>
our_enrollment(Database& db, const std::string& scenario, std::int64_t friend_id) {
    auto statement = db.prepare(
        "SELECT id, state, coalesce(step, ''), coalesce(waiting_on, ''), "
        "coalesce(end_reason, ''), next_at FROM enrollments WHERE scenario = ?1 AND friend_id = "
        "?2 ORDER BY id DESC LIMIT 1");
    if (!statement) {
        return tl::unexpected(failed("the copy of the store: " + statement.error().message));
    }
    statement->bind(1, scenario).bind(2, friend_id);
    auto row = statement->step();
    if (!row) {
        return tl::unexpected(failed("the copy of the store: " + row.error().message));
    }
    if (!*row) {
        return std::optional<EnrollmentState>();
    }
    EnrollmentState e{statement->column_int64(0), statement->column_text(1),
                      statement->column_text(2),  statement->column_text(3),
                      statement->column_text(4),  std::nullopt};
    if (!statement->column_is_null(5)) {
        e.next_at = statement->column_int64(5);
    }
    return std::optional<EnrollmentState>(std::move(e));
}

tl::expected<std::vector<DryRunMessage>, Error> messages_of(Database& db,
                                                            std::int64_t enrollment_id) {
    auto statement =
        db.prepare("SELECT due_at, coalesce(step, ''), kind, state, coalesce(reason, ''), "
                   "payload FROM outbox WHERE enrollment_id = ?1 ORDER BY id");
    if (!statement) {
        return tl::unexpected(failed("the copy of the store: " + statement.error().message));
    }
    statement->bind(1, enrollment_id);
    std::vector<DryRunMessage> messages;
    while (true) {
        auto row = statement->step();
        if (!row) {
            return tl::unexpected(failed("the copy of the store: " + row.error().message));
        }
        if (!*row) {
            return messages;
        }
        messages.push_back({statement->column_int64(0), statement->column_text(1),
                            statement->column_text(2), statement->column_text(3),
                            statement->column_text(4), message_summary(statement->column_text(5)),
                            ""});
    }
}

std::string text_of(const nlohmann::json& object, const char* key) {
    return object.is_object() && object.contains(key) && object[key].is_string()
               ? object[key].get<std::string>()
               : std::string();
}

std::string template_summary(const nlohmann::json& message) {
    std::string text = text_of(message, "altText");
    const auto& body = message.contains("template") ? message["template"] : nlohmann::json();
    for (const char* key : {"title", "text"}) {
        if (const auto part = text_of(body, key); !part.empty()) {
            text += "\n" + part;
        }
    }
    if (body.is_object() && body.contains("actions") && body["actions"].is_array()) {
        for (const auto& action : body["actions"]) {
            auto target = text_of(action, "uri");
            if (target.empty()) {
                target = text_of(action, "text");
            }
            text += "\n[" + text_of(action, "label") + "] " + target;
        }
    }
    return text;
}

std::string days_text(std::chrono::milliseconds duration) {
    const auto ms = duration.count();
    if (ms % k_day_ms == 0) {
        return std::to_string(ms / k_day_ms) + "日";
    }
    return config::format_duration(duration);
}

} // namespace

std::string message_summary(const std::string& payload_json) {
    auto payload = nlohmann::json::parse(payload_json, nullptr, false);
    if (payload.is_object()) {
        payload = nlohmann::json::array({payload});
    }
    if (!payload.is_array()) {
        return payload_json;
    }
    std::string text;
    for (const auto& message : payload) {
        const auto type = text_of(message, "type");
        std::string one;
        if (type == "text") {
            one = text_of(message, "text");
        } else if (type == "template") {
            one = template_summary(message);
        } else if (type == "flex") {
            one = "[Flex] " + text_of(message, "altText");
        } else {
            one = "[" + type + "]";
        }
        text += (text.empty() ? "" : "\n----\n") + one;
    }
    return text;
}

tl::expected<DryRunResult, DryRunError> dry_run(const config::Config& config,
                                                const DryRunRequest& request, std::int64_t now) {
    const auto* scenario = find_scenario(config, request.scenario);
    if (scenario == nullptr) {
        return tl::unexpected(
            failed("no scenario named " + request.scenario +
                   " in the configuration; the scenarios are: " + scenario_names(config)));
    }
    auto templates = templates::TemplateSet::load(config.templates_dir);
    if (!templates) {
        std::string errors;
        for (const auto& error : templates.error()) {
            errors += "\n  " + error.to_string();
        }
        return tl::unexpected(
            failed("the templates in " + config.templates_dir.string() + " have errors:" + errors));
    }
    auto folder = TempFolder::make();
    if (!folder) {
        return tl::unexpected(folder.error());
    }
    const auto copy = folder->path() / "copy.db";
    if (auto copied = copy_store(config.store.path, copy); !copied) {
        return tl::unexpected(copied.error());
    }
    auto clock = std::make_shared<clock::ManualClock>(now);
    auto store = store::sqlite::SqliteStore::open(copy, config.store.busy_timeout, clock);
    if (!store) {
        return tl::unexpected(unavailable("the copy of " + config.store.path.string() +
                                          " cannot be opened: " + store.error().to_string()));
    }
    auto db = Database::open(copy);
    if (!db) {
        return tl::unexpected(unavailable("the copy of the store: " + db.error().message));
    }
    DryRunResult result;
    result.scenario = scenario->name;
    result.started_ms = now;
    auto subject = find_subject(*db, *scenario, request, config.store.path.string());
    if (!subject) {
        return tl::unexpected(subject.error());
    }
    result.line_user_id = subject->line_user_id;
    result.order_number = subject->order_number;
    auto payload = trigger_payload(*db, *scenario, *subject, result.notes);
    if (!payload) {
        return tl::unexpected(payload.error());
    }
    result.earlier_enrollments = earlier_enrollments(*db, scenario->name, subject->friend_id);
    if (auto prepared = prepare_copy(*db, *scenario, *subject, *payload, now); !prepared) {
        return tl::unexpected(prepared.error());
    }

    auto only_this = std::make_shared<config::Config>(config);
    only_this->scenarios = {*scenario};
    engine::EngineOptions options;
    options.config = only_this;
    options.templates = std::make_shared<const templates::TemplateSet>(std::move(*templates));
    options.link_url = [linking = config.linking, key = config.privacy.hashing_key.reveal(),
                        clock](std::int64_t friend_id) {
        return linking::make_page_url(linking, key, friend_id, clock->now_ms());
    };
    engine::Engine engine((*store)->engine(), clock, nullptr);
    engine.reload(std::move(options));

    const auto fail = [](const store::StoreError& error) {
        return tl::unexpected(failed("the engine on the copy of the store: " + error.message));
    };
    if (auto done = engine.process_facts(1000); !done) {
        return fail(done.error());
    }
    const auto end = now + k_dry_run_days * k_day_ms;
    std::optional<EnrollmentState> last;
    for (int pass = 0; pass < k_max_passes; ++pass) {
        auto current = our_enrollment(*db, scenario->name, subject->friend_id);
        if (!current) {
            return tl::unexpected(current.error());
        }
        last = *current;
        if (!last || last->state != "active" || !last->waiting_on.empty() || !last->next_at ||
            *last->next_at > end) {
            break;
        }
        clock->set(std::max(clock->now_ms(), *last->next_at));
        if (auto done = engine.run_due_steps(1000); !done) {
            return fail(done.error());
        }
    }
    if (!last) {
        result.end = "the scenario would not start for this friend now";
        std::string conditions;
        for (const auto& condition : scenario->when) {
            conditions += (conditions.empty() ? "" : ", ") + condition.field;
        }
        if (!conditions.empty()) {
            result.end += " (its conditions: " + conditions + ")";
        }
        return result;
    }
    result.started = true;
    auto messages = messages_of(*db, last->id);
    if (!messages) {
        return tl::unexpected(messages.error());
    }
    result.messages = std::move(*messages);
    for (auto& message : result.messages) {
        for (const auto& step : scenario->steps) {
            if (step.name == message.step && step.send) {
                message.template_name = *step.send;
            }
        }
    }
    if (last->state != "active") {
        result.end = last->end_reason.empty() ? last->state : last->end_reason;
    } else if (!last->waiting_on.empty()) {
        DryRunWait wait{last->step, last->waiting_on, last->next_at, std::nullopt, ""};
        for (const auto& step : scenario->steps) {
            if (step.name == last->step) {
                wait.within = step.within;
                wait.then_send = step.send.value_or("");
            }
        }
        result.waiting = std::move(wait);
        result.end = "waiting for " + last->waiting_on;
    } else {
        result.end = "still running after " + std::to_string(k_dry_run_days) + " days, at step " +
                     last->step;
    }
    return result;
}

namespace {

std::string jst_text(std::int64_t at) {
    return engine::jst::minute_text(at) + " JST";
}

std::string state_text(const DryRunMessage& message) {
    if (message.state == "pending") {
        return message.kind == "reply" ? "reply" : "push";
    }
    return message.state + (message.reason.empty() ? "" : ": " + message.reason);
}

// What a fact kind is called in the shop's words.
std::string fact_words(const std::string& kind) {
    static const std::vector<std::pair<std::string, std::string>> k_words = {
        {"order.placed", "ご注文"},         {"order.shipped", "発送"},
        {"order.cancelled", "キャンセル"},  {"review.posted", "レビュー投稿"},
        {"friend.followed", "友だち追加"},  {"friend.unfollowed", "ブロック"},
        {"friend.linked", "連携"},          {"friend.unlinked", "連携解除"},
        {"friend.message", "メッセージ"},   {"friend.postback", "ボタン操作"},
        {"tag.added", "タグ追加"},          {"tag.removed", "タグ削除"},
        {"friend.imported", "既存の友だち"}};
    for (const auto& [name, words] : k_words) {
        if (name == kind) {
            return words + " (" + kind + ")";
        }
    }
    return kind;
}

std::string wait_text(const DryRunWait& wait) {
    std::string text = fact_words(wait.fact) + " を待ちます";
    if (wait.within) {
        text += " (" + days_text(*wait.within) + "以内";
        if (wait.deadline_ms) {
            text += "、" + jst_text(*wait.deadline_ms) + " まで";
        }
        text += ")";
    }
    if (!wait.then_send.empty()) {
        text += "; 届いたら " + wait.then_send + " を送ります";
    }
    return text;
}

void print_text(const DryRunResult& result, std::ostream& out) {
    out << "dry run of scenario " << result.scenario << " for " << result.line_user_id;
    if (!result.order_number.empty()) {
        out << " (order " << result.order_number << ")";
    }
    out << ", triggered at " << jst_text(result.started_ms) << "; nothing was sent\n";
    for (const auto& note : result.notes) {
        out << "note: " << note << "\n";
    }
    if (result.earlier_enrollments > 0) {
        out << "note: this friend went through this scenario " << result.earlier_enrollments
            << " time(s) before; shown as if for the first time (re-entry may stop it in "
               "musubid)\n";
    }
    for (const auto& message : result.messages) {
        out << "\n" << jst_text(message.at_ms) << "  " << message.step;
        if (!message.template_name.empty()) {
            out << " (" << message.template_name << ")";
        }
        out << "  " << state_text(message) << "\n";
        std::istringstream lines(message.text);
        for (std::string line; std::getline(lines, line);) {
            out << "    " << line << "\n";
        }
    }
    if (result.waiting) {
        out << "\n" << result.waiting->step << ": " << wait_text(*result.waiting) << "\n";
    }
    out << "\nend: " << result.end << "\n";
}

void print_json(const DryRunResult& result, std::ostream& out) {
    nlohmann::json messages = nlohmann::json::array();
    for (const auto& m : result.messages) {
        messages.push_back({{"at", jst_text(m.at_ms)},
                            {"at_ms", m.at_ms},
                            {"step", m.step},
                            {"template", m.template_name},
                            {"kind", m.kind},
                            {"state", m.state},
                            {"reason", m.reason},
                            {"text", m.text}});
    }
    nlohmann::json doc{{"scenario", result.scenario},
                       {"friend", result.line_user_id},
                       {"order", result.order_number},
                       {"triggered_at", jst_text(result.started_ms)},
                       {"started", result.started},
                       {"earlier_enrollments", result.earlier_enrollments},
                       {"messages", std::move(messages)},
                       {"notes", result.notes},
                       {"end", result.end},
                       {"waiting", nullptr}};
    if (result.waiting) {
        const auto& w = *result.waiting;
        doc["waiting"] = {
            {"step", w.step},
            {"on", w.fact},
            {"within", w.within ? nlohmann::json(config::format_duration(*w.within)) : nullptr},
            {"until", w.deadline_ms ? nlohmann::json(jst_text(*w.deadline_ms)) : nullptr},
            {"then_send", w.then_send}};
    }
    out << doc.dump() << "\n";
}

} // namespace

int dry_run_command_at(const config::Config& config, const std::vector<std::string>& words,
                       bool json, std::int64_t now_ms, std::ostream& out, std::ostream& err) {
    if (words.size() != 4 || words[0] != "dry-run" ||
        (words[2] != "--friend" && words[2] != "--order") || words[3].empty()) {
        err << "usage: musubictl dry-run <scenario> --friend <LINE userId>\n"
               "       musubictl dry-run <scenario> --order <order number>\n";
        return 2;
    }
    DryRunRequest request;
    request.scenario = words[1];
    (words[2] == "--friend" ? request.line_user_id : request.order_number) = words[3];
    auto result = dry_run(config, request, now_ms);
    if (!result) {
        err << "musubictl: " << result.error().message << "\n";
        return result.error().exit_code;
    }
    if (json) {
        print_json(*result, out);
    } else {
        print_text(*result, out);
    }
    return 0;
}

int dry_run_command(const config::Config& config, const std::vector<std::string>& words, bool json,
                    std::ostream& out, std::ostream& err) {
    const auto clock = clock::make_clock(config.clock.follow);
    return dry_run_command_at(config, words, json, clock->now_ms(), out, err);
}

} // namespace musubi::ctl
