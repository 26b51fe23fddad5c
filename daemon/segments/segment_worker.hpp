#pragma once
// Keeps every friend's segment current (DESIGN.md: "segments are re-evaluated when a
// friend's facts change"):
// - new facts: the friends they are about (directly, or through the order's buyer) are
//   evaluated again; the last fact id handled is the cursor `segments:fact_id`;
// - time: a friend whose answer changes on a day with no new fact ("no order for 90 days")
//   has `next_check_at`; the sweep reads only the friends whose time has come, by index, so
//   its cost follows the friends whose segment changes, not the number of friends;
// - definitions: when segments.yaml changes (or on the first start), every friend is
//   evaluated once, in pages; `segments:definitions` records which definitions are applied.
// Each change is a segment_changes row and a `segment.changed` log line.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include <tl/expected.hpp>

#include "daemon/clock/clock.hpp"
#include "daemon/segments/segment.hpp"
#include "daemon/store/segment_store.hpp"

namespace musubi::segments {

inline constexpr const char* k_fact_cursor = "segments:fact_id";
inline constexpr const char* k_definitions_cursor = "segments:definitions";

struct PassCounts {
    std::size_t reloaded = 0; // friends evaluated for new definitions
    std::size_t by_facts = 0; // friends evaluated for new facts
    std::size_t by_time = 0;  // friends evaluated because their time had come
    std::size_t changed = 0;  // of those, friends whose segment changed
    bool more = false;        // a batch was full: call again before sleeping
};

class SegmentWorker {
public:
    SegmentWorker(store::SegmentStore& store, std::shared_ptr<const clock::Clock> clock);
    ~SegmentWorker();
    SegmentWorker(const SegmentWorker&) = delete;
    SegmentWorker& operator=(const SegmentWorker&) = delete;

    // New definitions: takes effect at the next pass; if they differ from the ones applied,
    // every friend is evaluated again ("config reload").
    void reload(std::shared_ptr<const std::vector<Segment>> segments);

    // One pass: a page of the re-evaluation after a reload, then up to `limit` facts, then up
    // to `limit` friends whose time has come. Used by the thread and directly by tests.
    tl::expected<PassCounts, store::StoreError> run_pass(std::size_t limit);

    void start();
    void stop();
    // New facts were recorded: look now instead of at the next idle tick.
    void wake();

private:
    struct Sweep {
        std::string fingerprint;
        std::int64_t after_friend_id = 0;
    };
    std::shared_ptr<const std::vector<Segment>> segments() const;
    // Evaluates `friend_ids` and saves the outcome with `cursor`; answers how many changed.
    // `why(friend_id, stored)` names the cause of a change; `quiet` logs changes at debug
    // level (a reload may move every friend at once; a summary is logged instead).
    using Why = std::function<std::string(std::int64_t, const store::Membership*)>;
    tl::expected<std::size_t, store::StoreError>
    evaluate(const std::vector<Segment>& segments, const std::vector<std::int64_t>& friend_ids,
             const Why& why, bool quiet,
             const std::optional<store::SegmentStore::CursorValue>& cursor);
    tl::expected<std::size_t, store::StoreError> reload_page(const std::vector<Segment>& segments,
                                                             std::size_t limit, PassCounts& counts);
    tl::expected<void, store::StoreError> load_cursors();
    void loop(std::stop_token stop);

    store::SegmentStore& m_store;
    std::shared_ptr<const clock::Clock> m_clock;

    mutable std::mutex m_segments_mutex;
    std::shared_ptr<const std::vector<Segment>> m_segments;

    // Touched only by the pass (one thread at a time).
    bool m_cursors_loaded = false;
    std::int64_t m_fact_cursor = 0;
    std::string m_applied_fingerprint; // what `segments:definitions` holds
    std::optional<Sweep> m_sweep;
    std::size_t m_sweep_changed = 0;
    std::size_t m_sweep_evaluated = 0;

    std::mutex m_wake_mutex;
    std::condition_variable_any m_wake;
    bool m_woken = false;
    std::jthread m_thread;
};

} // namespace musubi::segments
