#pragma once
// The scenario engine: reads unprocessed facts in order and starts, wakes and cancels
// enrollments; runs enrollment steps when they fall due, writing rendered messages to the
// outbox. Each fact, and each due step, is one transaction with everything it causes.
//
// Semantics store staff rely on (documented in config/scenarios/README.md):
// - a step's `after`/`at` count from when the previous step finished (the first step: from the
//   trigger fact's time); `window` defers a due step to the window's next opening; `on` waits
//   for a fact about the same subject, `within` bounds the wait (then the step is skipped);
//   `unless` skips the step's send when such a fact exists for the subject.
// - reload: running enrollments continue by step name; one whose scenario or step no longer
//   exists ends with reason "scenario removed" / "step ... no longer exists".

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <stop_token>
#include <string>
#include <thread>

#include <tl/expected.hpp>

#include "daemon/clock/clock.hpp"
#include "daemon/config/config.hpp"
#include "daemon/engine/subject.hpp"
#include "daemon/store/engine_store.hpp"
#include "daemon/templates/template_set.hpp"

namespace musubi::engine {

struct EngineOptions {
    std::shared_ptr<const config::Config> config;
    std::shared_ptr<const templates::TemplateSet> templates;
    // The friend's link-page URL for templates ({{link.url}}); empty when there is none.
    std::function<std::string(std::int64_t friend_id)> link_url;
};

class Engine {
public:
    // `on_messages` is called after outbox rows were written (the dispatcher's wake-up).
    Engine(store::EngineStore& store, std::shared_ptr<const clock::Clock> clock,
           std::function<void()> on_messages);
    ~Engine();
    Engine(const Engine&) = delete;
    Engine& operator=(const Engine&) = delete;

    // Takes effect for the next fact or step; running enrollments keep going by step name.
    void reload(EngineOptions options);

    // One pass each, at most `limit` items; answer how many were handled. Used by the thread
    // and directly by tests.
    tl::expected<std::size_t, store::StoreError> process_facts(std::size_t limit);
    tl::expected<std::size_t, store::StoreError> run_due_steps(std::size_t limit);

    void start();
    void stop();
    // New facts were recorded: look now instead of at the next idle tick.
    void wake();

private:
    struct Pass;
    std::shared_ptr<const EngineOptions> options() const;
    void loop(std::stop_token stop);

    store::EngineStore& m_store;
    std::shared_ptr<const clock::Clock> m_clock;
    std::function<void()> m_on_messages;

    mutable std::mutex m_options_mutex;
    std::shared_ptr<const EngineOptions> m_options;

    std::mutex m_wake_mutex;
    std::condition_variable_any m_wake;
    bool m_woken = false;
    std::jthread m_thread;
};

} // namespace musubi::engine
