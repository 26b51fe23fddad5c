#pragma once
// `musubictl dry-run <scenario> --friend <LINE userId> | --order <order number>`: what the
// scenario would send, and when, if its trigger happened now, with nothing sent.
//
// How: the live store is copied with SQLite's online backup (a consistent snapshot while
// musubid writes; the live file is only read) into a private temporary folder, and the real
// engine runs on the copy with a clock the dry run moves from one due time to the next, for up
// to k_dry_run_days. No dispatcher runs, so nothing reaches LINE; the copy is deleted at the
// end. On the copy, before the trigger:
//   - facts still waiting for the engine are marked processed and running enrollments end, so
//     that only this trigger moves (what a backlog would do is not this question);
//   - the friend's earlier enrollments in this scenario are set aside, so re-entry and
//     cool-down do not hide the answer (the output says how many there were);
//   - the engine knows this scenario only.
// The trigger is a copy of the subject's own fact of the trigger's kind when there is one
// (so an order.shipped carries its real carrier and tracking number), made "now"; otherwise a
// fact of that kind made from what the store knows (an order's row; a keyword scenario's first
// keyword; a postback scenario's data). Messages are listed as the engine writes them
// (rendered, checked against LINE's limits, `failed` with the reason if a template is broken).
// A step that waits `on:` a fact ends the dry run there: what comes after depends on it.

#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "daemon/config/config.hpp"

namespace musubi::ctl {

inline constexpr int k_dry_run_days = 60;

struct DryRunRequest {
    std::string scenario;
    std::string line_user_id; // --friend
    std::string order_number; // --order
};

struct DryRunMessage {
    std::int64_t at_ms = 0; // when the engine wrote it (it is due then)
    std::string step;
    std::string kind;  // push | reply
    std::string state; // pending (would be sent), skipped, failed
    std::string reason;
    std::string text; // the messages as a person reads them (see message_summary)
    std::string template_name;
};

struct DryRunWait {
    std::string step;
    std::string fact; // e.g. review.posted
    std::optional<std::int64_t> deadline_ms;
    std::optional<std::chrono::milliseconds> within;
    std::string then_send; // the step's template, if it sends
};

struct DryRunResult {
    std::string scenario;
    std::string line_user_id;
    std::string order_number; // empty for a friend-triggered scenario
    std::int64_t started_ms = 0;
    std::int64_t earlier_enrollments = 0;
    bool started = false;
    std::vector<DryRunMessage> messages;
    std::optional<DryRunWait> waiting;
    std::string end; // how it ended: "all steps done", "still running at step …", …
    std::vector<std::string> notes;
};

struct DryRunError {
    int exit_code = 1; // as musubictl: 1 not found / failed, 4 store unavailable
    std::string message;
};

// The dry run at `now_ms` (the trigger's time).
tl::expected<DryRunResult, DryRunError> dry_run(const config::Config& config,
                                                const DryRunRequest& request, std::int64_t now_ms);

// LINE message objects (a JSON array) as text for a person: a text message's text; a template
// message's altText, title, text and buttons; a Flex message's altText, marked [Flex].
std::string message_summary(const std::string& payload_json);

// musubictl's command: `words` = {"dry-run", <scenario>, "--friend"|"--order", <value>}.
// Exit status: 0 done, 1 not found or failed, 2 usage, 4 store unavailable.
int dry_run_command(const config::Config& config, const std::vector<std::string>& words, bool json,
                    std::ostream& out, std::ostream& err);
// The same at a given time (tests).
int dry_run_command_at(const config::Config& config, const std::vector<std::string>& words,
                       bool json, std::int64_t now_ms, std::ostream& out, std::ostream& err);

} // namespace musubi::ctl
