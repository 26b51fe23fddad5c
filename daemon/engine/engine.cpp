#include "daemon/engine/engine.hpp"

#include <algorithm>

#include "daemon/engine/jst.hpp"
#include "daemon/engine/render_context.hpp"
#include "daemon/log/log.hpp"
#include "daemon/outbox/retry_key.hpp"

namespace musubi::engine {

namespace {

using store::EngineTx;
using store::StoreError;
using Result = tl::expected<void, StoreError>;

// A reply token lives about a minute; keep a margin for the dispatcher's round trip.
constexpr std::int64_t k_reply_window_ms = 50'000;

const log::Logger& logger() {
    static const log::Logger instance("engine");
    return instance;
}

bool is_order_kind(const std::string& kind) {
    return kind.starts_with("order.") || kind == "review.posted";
}

const config::Scenario* find_scenario(const config::Config& config, const std::string& name) {
    const auto it = std::find_if(config.scenarios.begin(), config.scenarios.end(),
                                 [&](const config::Scenario& s) { return s.name == name; });
    return it == config.scenarios.end() ? nullptr : &*it;
}

std::optional<std::size_t> find_step(const config::Scenario& scenario, const std::string& name) {
    for (std::size_t i = 0; i < scenario.steps.size(); ++i) {
        if (scenario.steps[i].name == name) {
            return i;
        }
    }
    return std::nullopt;
}

bool subjects_match(const std::string& enrollment_subject, const std::string& fact_subject) {
    return enrollment_subject.empty() || fact_subject.empty() || enrollment_subject == fact_subject;
}

nlohmann::json payload_of(const store::FactRow& fact) {
    auto payload = nlohmann::json::parse(fact.payload_json, nullptr, false);
    return payload.is_object() ? payload : nlohmann::json::object();
}

std::string payload_text(const nlohmann::json& payload, const char* key) {
    return payload.contains(key) && payload[key].is_string() ? payload[key].get<std::string>()
                                                             : std::string();
}

// Keyword and postback scenarios only start when the message or postback is theirs.
bool trigger_matches(const config::Scenario& scenario, const nlohmann::json& payload) {
    if (!scenario.keywords.empty()) {
        const std::string text = payload_text(payload, "text");
        return std::any_of(
            scenario.keywords.begin(), scenario.keywords.end(),
            [&](const std::string& word) { return text.find(word) != std::string::npos; });
    }
    if (scenario.postback) {
        return payload_text(payload, "data") == *scenario.postback;
    }
    return true;
}

} // namespace

// One transaction's work: a fact or a due enrollment, with the configuration of the moment.
struct Engine::Pass {
    const EngineOptions& options;
    EngineTx& tx;
    std::int64_t now;
    bool wrote_messages = false;

    const config::Config& config() const { return *options.config; }

    tl::expected<std::optional<Subject>, StoreError> load_subject(std::int64_t friend_id,
                                                                  const std::string& order) {
        auto view = tx.friend_view(friend_id);
        if (!view) {
            return tl::unexpected(view.error());
        }
        if (!*view) {
            return std::optional<Subject>();
        }
        Subject subject{std::move(**view), std::nullopt, std::nullopt, now};
        if (subject.friend_view.buyer_id) {
            auto stats = tx.buyer_stats(*subject.friend_view.buyer_id);
            if (!stats) {
                return tl::unexpected(stats.error());
            }
            subject.buyer = *stats;
        }
        if (!order.empty()) {
            auto row = tx.order(order);
            if (!row) {
                return tl::unexpected(row.error());
            }
            subject.order = std::move(*row);
        }
        return std::optional<Subject>(std::move(subject));
    }

    // Enters step `index` at `base`: records when it is due or what it waits for, and runs it
    // at once when it is due already (so a keyword reply goes out with the reply token).
    Result enter_step(const config::Scenario& scenario, const store::EnrollmentRow& enrollment,
                      std::size_t index, std::int64_t base, const Subject& subject,
                      const std::optional<store::FactRow>& cause) {
        if (index >= scenario.steps.size()) {
            return tx.end_enrollment(enrollment.id, "done", "all steps done", now);
        }
        const auto& step = scenario.steps[index];
        if (step.on) {
            // What is awaited may have come first: a review imported before its order reached
            // musubi, or before the shipment. It counts as arriving now.
            if (!enrollment.subject.empty()) {
                auto arrived = tx.first_fact(config::fact_name(*step.on), enrollment.subject);
                if (!arrived) {
                    return tl::unexpected(arrived.error());
                }
                if (*arrived) {
                    if (auto moved = tx.move_enrollment(enrollment.id, step.name, now, "");
                        !moved) {
                        return moved;
                    }
                    auto current = enrollment;
                    current.step = step.name;
                    current.next_at_ms = now;
                    return run_step(scenario, current, index, subject, *arrived);
                }
            }
            std::optional<std::int64_t> deadline;
            if (step.within) {
                deadline = base + step.within->count();
            }
            return tx.move_enrollment(enrollment.id, step.name, deadline,
                                      config::fact_name(*step.on));
        }
        std::int64_t due = base;
        if (step.after) {
            due += step.after->count();
        }
        if (step.at) {
            due = jst::next_time_of_day(*step.at, due);
        }
        if (auto moved = tx.move_enrollment(enrollment.id, step.name, due, ""); !moved) {
            return moved;
        }
        if (due > now) {
            return {};
        }
        auto current = enrollment;
        current.step = step.name;
        current.next_at_ms = due;
        return run_step(scenario, current, index, subject, cause);
    }

    // Runs a due step: window, unless, cap, send, tags; then enters the next step.
    Result run_step(const config::Scenario& scenario, const store::EnrollmentRow& enrollment,
                    std::size_t index, const Subject& subject,
                    const std::optional<store::FactRow>& cause) {
        const auto& step = scenario.steps[index];
        if (step.window) {
            const auto opening = jst::next_opening(*step.window, now);
            if (opening > now) {
                return tx.move_enrollment(enrollment.id, step.name, opening, "");
            }
        }
        bool send = step.send.has_value();
        if (step.unless && !enrollment.subject.empty()) {
            auto found = tx.first_fact(config::fact_name(*step.unless), enrollment.subject);
            if (!found) {
                return tl::unexpected(found.error());
            }
            send = send && !found->has_value();
        }
        if (send && !step.critical && scenario.limits.per_friend_per_day) {
            const auto day = jst::day_start(now);
            auto counted = tx.counted_messages(enrollment.friend_id, day, day + jst::k_day_ms);
            if (!counted) {
                return tl::unexpected(counted.error());
            }
            if (*counted >= *scenario.limits.per_friend_per_day) {
                // Tomorrow, at the window's opening if the step has one.
                auto next = day + jst::k_day_ms;
                if (step.window) {
                    next = jst::next_opening(*step.window, next);
                }
                return tx.move_enrollment(enrollment.id, step.name, next, "");
            }
        }
        if (send) {
            if (auto written = write_message(scenario, step, enrollment, subject, cause);
                !written) {
                return written;
            }
        }
        if (auto tagged = apply_tags(step, enrollment); !tagged) {
            return tagged;
        }
        return enter_step(scenario, enrollment, index + 1, now, subject, std::nullopt);
    }

    Result write_message(const config::Scenario& scenario, const config::Step& step,
                         const store::EnrollmentRow& enrollment, const Subject& subject,
                         const std::optional<store::FactRow>& cause) {
        std::optional<store::FactRow> trigger;
        if (enrollment.trigger_fact_id) {
            auto fact = tx.fact(*enrollment.trigger_fact_id);
            if (!fact) {
                return tl::unexpected(fact.error());
            }
            trigger = std::move(*fact);
        }
        const auto link_url =
            options.link_url ? options.link_url(enrollment.friend_id) : std::string();
        const auto context = render_context(config(), subject, trigger, cause, step.vars, link_url);

        store::NewMessage message;
        message.retry_key =
            outbox::derive_retry_key("scenario:" + scenario.name + "/step:" + step.name +
                                     "/enrollment:" + std::to_string(enrollment.id));
        message.enrollment_id = enrollment.id;
        message.friend_id = enrollment.friend_id;
        message.scenario = scenario.name;
        message.step = step.name;
        message.critical = step.critical;
        message.due_at = now;
        // The fact that made this step run now may carry a reply token (free to use).
        const auto& replying = cause ? cause : trigger;
        if (replying) {
            const auto payload = payload_of(*replying);
            const auto token = payload_text(payload, "reply_token");
            if (!token.empty() && replying->occurred_at_ms + k_reply_window_ms > now) {
                message.kind = "reply";
                message.reply_token = token;
                message.reply_until = replying->occurred_at_ms + k_reply_window_ms;
            }
        }
        if (subject.friend_view.blocked) {
            message.state = "skipped";
            message.reason = "friend has blocked the account";
            message.payload = "[]";
        } else if (!options.templates) {
            message.state = "failed";
            message.reason = "templates are not loaded";
            message.payload = "[]";
        } else if (auto rendered = options.templates->render(*step.send, context); rendered) {
            message.payload = rendered->dump();
        } else {
            message.state = "failed";
            message.reason = "template " + *step.send + ": " + rendered.error().message;
            message.payload = "[]";
            logger().warn(
                "message.failed",
                {{"scenario", scenario.name}, {"step", step.name}, {"reason", *message.reason}});
        }
        auto written = tx.write_message(message);
        if (!written) {
            return tl::unexpected(written.error());
        }
        wrote_messages = wrote_messages || (*written && message.state == "pending");
        return {};
    }

    Result apply_tags(const config::Step& step, const store::EnrollmentRow& enrollment) {
        const auto record = [&](const std::string& tag, const char* change) -> Result {
            const nlohmann::json payload{{"tag", tag}, {"scenario", enrollment.scenario}};
            return tx.record_fact(
                "tag:" + std::to_string(enrollment.friend_id) + ":" + tag + ":" + change + ":" +
                    std::to_string(enrollment.id) + ":" + step.name,
                std::string("tag.") + change, "", enrollment.friend_id, now, payload.dump());
        };
        for (const auto& tag : step.add_tags) {
            auto changed = tx.add_tag(enrollment.friend_id, tag);
            if (!changed) {
                return tl::unexpected(changed.error());
            }
            if (*changed) {
                if (auto recorded = record(tag, "added"); !recorded) {
                    return recorded;
                }
            }
        }
        for (const auto& tag : step.remove_tags) {
            auto changed = tx.remove_tag(enrollment.friend_id, tag);
            if (!changed) {
                return tl::unexpected(changed.error());
            }
            if (*changed) {
                if (auto recorded = record(tag, "removed"); !recorded) {
                    return recorded;
                }
            }
        }
        return {};
    }

    // Ends enrollments whose scenario or step is gone after a reload.
    Result end_orphan(const store::EnrollmentRow& enrollment, const config::Scenario* scenario) {
        const std::string reason = scenario == nullptr
                                       ? "scenario removed"
                                       : "step '" + enrollment.step + "' no longer exists";
        logger().info(
            "enrollment.ended",
            {{"enrollment", enrollment.id}, {"scenario", enrollment.scenario}, {"reason", reason}});
        return tx.end_enrollment(enrollment.id, "ended", reason, now);
    }

    Result process_fact(const store::FactRow& fact) {
        std::optional<std::int64_t> friend_id = fact.friend_id;
        if (!friend_id && is_order_kind(fact.kind) && !fact.subject.empty()) {
            auto linked = tx.friend_for_order(fact.subject);
            if (!linked) {
                return tl::unexpected(linked.error());
            }
            friend_id = *linked;
        }
        if (!friend_id) {
            return tx.mark_fact_processed(fact.id, std::nullopt);
        }
        const std::string order = is_order_kind(fact.kind) ? fact.subject : std::string();
        auto loaded = load_subject(*friend_id, order);
        if (!loaded) {
            return tl::unexpected(loaded.error());
        }
        if (!*loaded) {
            return tx.mark_fact_processed(fact.id, friend_id);
        }
        const Subject& subject = **loaded;

        auto active = tx.active_enrollments(*friend_id);
        if (!active) {
            return tl::unexpected(active.error());
        }
        for (const auto& enrollment : *active) {
            const auto* scenario = find_scenario(config(), enrollment.scenario);
            if (scenario == nullptr || !subjects_match(enrollment.subject, fact.subject)) {
                continue;
            }
            const bool cancels = std::any_of(
                scenario->cancel_on.begin(), scenario->cancel_on.end(),
                [&](config::FactKind kind) { return config::fact_name(kind) == fact.kind; });
            if (cancels) {
                const std::string reason = "cancelled by " + fact.kind;
                if (auto ended = tx.end_enrollment(enrollment.id, "cancelled", reason, now);
                    !ended) {
                    return ended;
                }
                if (auto skipped = tx.skip_pending_messages(enrollment.id, reason); !skipped) {
                    return tl::unexpected(skipped.error());
                }
                continue;
            }
            if (enrollment.waiting_on == fact.kind) {
                const auto index = find_step(*scenario, enrollment.step);
                if (!index) {
                    if (auto ended = end_orphan(enrollment, scenario); !ended) {
                        return ended;
                    }
                    continue;
                }
                if (auto ran = run_step(*scenario, enrollment, *index, subject, fact); !ran) {
                    return ran;
                }
            }
        }
        if (auto started = start_scenarios(fact, subject); !started) {
            return started;
        }
        return tx.mark_fact_processed(fact.id, friend_id);
    }

    Result start_scenarios(const store::FactRow& fact, const Subject& subject) {
        if (subject.friend_view.blocked) {
            return {};
        }
        const auto payload = payload_of(fact);
        const auto friend_id = subject.friend_view.id;
        for (const auto& scenario : config().scenarios) {
            if (config::fact_name(scenario.trigger) != fact.kind ||
                !trigger_matches(scenario, payload) || !conditions_hold(scenario.when, subject)) {
                continue;
            }
            const std::string enrollment_subject =
                config::is_order_fact(scenario.trigger) ? fact.subject : std::string();
            auto allowed = reentry_allows(scenario, friend_id, enrollment_subject);
            if (!allowed) {
                return tl::unexpected(allowed.error());
            }
            if (!*allowed) {
                continue;
            }
            store::NewEnrollment enrollment{scenario.name,
                                            friend_id,
                                            enrollment_subject,
                                            scenario.steps.front().name,
                                            std::nullopt,
                                            "",
                                            fact.id,
                                            now};
            auto id = tx.start_enrollment(enrollment);
            if (!id) {
                return tl::unexpected(id.error());
            }
            store::EnrollmentRow row{
                *id, scenario.name, friend_id, enrollment_subject, enrollment.step, std::nullopt,
                "",  fact.id,       now};
            // Waits count from when the fact happened, not from when musubi saw it.
            if (auto entered =
                    enter_step(scenario, row, 0, std::min(fact.occurred_at_ms, now), subject, fact);
                !entered) {
                return entered;
            }
        }
        return {};
    }

    tl::expected<bool, StoreError> reentry_allows(const config::Scenario& scenario,
                                                  std::int64_t friend_id,
                                                  const std::string& subject) {
        using config::Reentry;
        const std::optional<std::string> scope =
            scenario.reentry == Reentry::once ? std::nullopt : std::optional<std::string>(subject);
        auto history = tx.history(scenario.name, friend_id, scope);
        if (!history) {
            return tl::unexpected(history.error());
        }
        if (scenario.reentry != Reentry::always && history->count > 0) {
            return false;
        }
        if (history->active) {
            return false;
        }
        if (scenario.cooldown && history->last_started_at_ms &&
            *history->last_started_at_ms + scenario.cooldown->count() > now) {
            return false;
        }
        return true;
    }

    // A due enrollment: its wait ran out, or its step's time has come.
    Result run_due(std::int64_t enrollment_id) {
        auto row = tx.enrollment(enrollment_id);
        if (!row) {
            return tl::unexpected(row.error());
        }
        if (!*row || !(*row)->next_at_ms || *(*row)->next_at_ms > now) {
            return {}; // handled meanwhile
        }
        const auto& enrollment = **row;
        const auto* scenario = find_scenario(config(), enrollment.scenario);
        const auto index = scenario ? find_step(*scenario, enrollment.step) : std::nullopt;
        if (!index) {
            return end_orphan(enrollment, scenario);
        }
        auto loaded = load_subject(enrollment.friend_id, enrollment.subject);
        if (!loaded) {
            return tl::unexpected(loaded.error());
        }
        if (!*loaded) {
            return tx.end_enrollment(enrollment.id, "ended", "friend not found", now);
        }
        if (!enrollment.waiting_on.empty()) {
            // `within` ran out: this step is skipped, the next one (if any) goes on.
            return enter_step(*scenario, enrollment, *index + 1, now, **loaded, std::nullopt);
        }
        return run_step(*scenario, enrollment, *index, **loaded, std::nullopt);
    }
};

} // namespace musubi::engine

namespace musubi::engine {

Engine::Engine(store::EngineStore& store, std::shared_ptr<const clock::Clock> clock,
               std::function<void()> on_messages)
    : m_store(store)
    , m_clock(std::move(clock))
    , m_on_messages(std::move(on_messages)) {}

Engine::~Engine() {
    stop();
}

void Engine::reload(EngineOptions options) {
    auto shared = std::make_shared<const EngineOptions>(std::move(options));
    std::lock_guard lock(m_options_mutex);
    m_options = std::move(shared);
}

std::shared_ptr<const EngineOptions> Engine::options() const {
    std::lock_guard lock(m_options_mutex);
    return m_options;
}

tl::expected<std::size_t, StoreError> Engine::process_facts(std::size_t limit) {
    const auto current = options();
    if (!current || !current->config) {
        return 0;
    }
    auto facts = m_store.unprocessed_facts(limit);
    if (!facts) {
        return tl::unexpected(facts.error());
    }
    bool wrote = false;
    for (const auto& fact : *facts) {
        auto done = m_store.transaction([&](EngineTx& tx) {
            Pass pass{*current, tx, m_clock->now_ms()};
            auto result = pass.process_fact(fact);
            wrote = wrote || pass.wrote_messages;
            return result;
        });
        if (!done) {
            return tl::unexpected(done.error());
        }
    }
    if (wrote && m_on_messages) {
        m_on_messages();
    }
    return facts->size();
}

tl::expected<std::size_t, StoreError> Engine::run_due_steps(std::size_t limit) {
    const auto current = options();
    if (!current || !current->config) {
        return 0;
    }
    auto due = m_store.due_enrollments(m_clock->now_ms(), limit);
    if (!due) {
        return tl::unexpected(due.error());
    }
    // Due steps are independent of each other, so a few share one commit: a commit writes
    // every page it changed to the log, and steps written together share most of theirs
    // (the outbox's newest pages, its indexes' busy pages, the counts), which made the commit
    // a third of a step's cost at 1,000,000 friends. Few enough that the write lock is held
    // briefly; a step that fails rolls its group back, and the group is done again next time.
    constexpr std::size_t k_steps_per_commit = 16;
    bool wrote = false;
    for (std::size_t first = 0; first < due->size(); first += k_steps_per_commit) {
        const std::size_t end = std::min(due->size(), first + k_steps_per_commit);
        auto done = m_store.transaction([&](EngineTx& tx) -> Result {
            for (std::size_t i = first; i < end; ++i) {
                Pass pass{*current, tx, m_clock->now_ms()};
                auto result = pass.run_due((*due)[i]);
                if (!result) {
                    return result;
                }
                wrote = wrote || pass.wrote_messages;
            }
            return {};
        });
        if (!done) {
            return tl::unexpected(done.error());
        }
    }
    if (wrote && m_on_messages) {
        m_on_messages();
    }
    return due->size();
}

void Engine::start() {
    if (!m_thread.joinable()) {
        m_thread = std::jthread([this](std::stop_token stop) { loop(stop); });
    }
}

void Engine::stop() {
    if (m_thread.joinable()) {
        m_thread.request_stop();
        wake();
        m_thread.join();
    }
}

void Engine::wake() {
    {
        std::lock_guard lock(m_wake_mutex);
        m_woken = true;
    }
    m_wake.notify_all();
}

void Engine::loop(std::stop_token stop) {
    constexpr std::size_t k_batch = 200;
    // New facts from the pollers are noticed within this (real) time even without a wake().
    constexpr auto k_idle = std::chrono::milliseconds(250);
    // A store that refuses writes (a full disk, a read-only file) refuses every try until
    // an operator acts: the first refusal is an error, the next ones debug lines.
    bool refused = false;
    while (!stop.stop_requested()) {
        auto facts = process_facts(k_batch);
        auto steps = run_due_steps(k_batch);
        if (!facts || !steps) {
            const auto& error = !facts ? facts.error().message : steps.error().message;
            if (!refused) {
                logger().error(
                    "engine.store_error",
                    {{"error", error}, {"action", "retrying every second; nothing is lost"}});
            } else {
                logger().debug("engine.store_error", {{"error", error}});
            }
            refused = true;
        } else if (refused) {
            refused = false;
            logger().info("engine.store_ok", {{"why", "the store takes writes again"}});
        }
        if (facts && steps && (*facts == k_batch || *steps == k_batch)) {
            continue; // more is waiting
        }
        auto wait = k_idle;
        if (auto next = m_store.next_due_at(); next && *next) {
            const auto until =
                std::chrono::milliseconds(std::max<std::int64_t>(**next - m_clock->now_ms(), 0));
            wait = std::min(wait, clock::real_time(*m_clock, until));
        }
        if (!facts || !steps) {
            wait = std::chrono::seconds(1);
        }
        std::unique_lock lock(m_wake_mutex);
        m_wake.wait_for(lock, stop, wait, [this] { return m_woken; });
        m_woken = false;
    }
}

} // namespace musubi::engine
