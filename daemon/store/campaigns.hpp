#pragma once
// Segment campaigns' part of the store: each campaign run, its recipients and what became of
// each send, so that a campaign reaches every friend exactly once across a crash.
//
// A run (campaign_runs) is one send of a campaign: created by the schedule (unique per
// campaign and occurrence, so a restart never creates the same one twice) or by musubictl.
// Its recipients are snapshotted in pages of friends in the segment, by friend id; each page
// is one transaction that writes the recipients (unique per run and friend), their outbox rows
// (retry keys derived from run and friend, or run and multicast group) and the run's cursor.
// A crash anywhere leaves either the whole page or none of it, and the next start goes on
// from the cursor.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "daemon/store/new_message.hpp"
#include "daemon/store/store_error.hpp"

namespace musubi::store {

struct CampaignRun {
    std::int64_t id = 0;
    std::string campaign;
    std::string occurrence; // "2026-12-01 10:00" for the schedule, "musubictl:<ms>" by hand
    std::string segment;
    std::string template_name;
    bool multicast = false;
    std::int64_t due_at_ms = 0;
    std::string state; // scheduled | running | done
    std::string started_by;
    std::int64_t after_friend_id = 0; // the snapshot's cursor
    std::int64_t pages = 0;           // pages written (the next multicast group's number)
    std::int64_t created_at_ms = 0;
    std::optional<std::int64_t> finished_at_ms;
};

struct NewCampaignRun {
    std::string campaign;
    std::string occurrence;
    std::string segment;
    std::string template_name;
    bool multicast = false;
    std::int64_t due_at_ms = 0;
    std::string started_by; // "schedule" | "musubictl"
};

// A friend of the run's segment, as a page reads them, with what rendering and caps need.
struct CampaignCandidate {
    std::int64_t friend_id = 0;
    std::string line_user_id;
    std::string display_name;
    bool following = true;
    bool linked = false;
    std::string given_name; // the linked buyer's, for greetings
    std::vector<std::string> tags;
    std::int64_t messages_today = 0; // counted as scenario caps count them (0 unless asked)
};

struct CampaignRecipient {
    std::int64_t friend_id = 0;
    std::string outcome; // queued | skipped
    std::string reason;  // why skipped
    std::string retry_key;
};

// One page of a run, written in one transaction.
struct CampaignPage {
    std::int64_t run_id = 0;
    std::int64_t from_friend_id = 0; // the cursor the page was read after (a guard)
    std::int64_t to_friend_id = 0;   // the new cursor
    bool last = false;               // the snapshot is complete: the run is done
    std::vector<CampaignRecipient> recipients;
    std::vector<NewMessage> messages;
};

struct CampaignReportLine {
    std::int64_t friend_id = 0;
    std::string line_user_id;
    std::string display_name; // as stored (callers mask it)
    std::string outcome;      // sent | pending | sending | failed | expired | skipped
    std::string reason;
};

struct CampaignReport {
    CampaignRun run;
    std::map<std::string, std::int64_t> counts; // by outcome
    std::vector<CampaignReportLine> recipients; // by friend id
};

class Campaigns {
public:
    virtual ~Campaigns() = default;

    // Adds a run unless one exists for its campaign and occurrence; the run's id and whether
    // it is new.
    virtual tl::expected<std::pair<std::int64_t, bool>, StoreError>
    create_run(const NewCampaignRun& run) = 0;
    // Runs with work left: running, or scheduled and due by `now_ms`; oldest due first.
    virtual tl::expected<std::vector<CampaignRun>, StoreError> due_runs(std::int64_t now_ms) = 0;
    // The earliest due time of a scheduled run.
    virtual tl::expected<std::optional<std::int64_t>, StoreError> next_due_at() = 0;
    virtual tl::expected<std::optional<CampaignRun>, StoreError> run(std::int64_t run_id) = 0;
    // The campaign's runs, newest first.
    virtual tl::expected<std::vector<CampaignRun>, StoreError> runs(const std::string& campaign,
                                                                    std::size_t limit) = 0;
    // A scheduled run waits (a send window): its new due time.
    virtual tl::expected<void, StoreError> postpone(std::int64_t run_id,
                                                    std::int64_t due_at_ms) = 0;

    // Up to `limit` friends in the run's segment now with id > the run's cursor, by id.
    // `day_from_ms`..`day_to_ms`: count each one's messages in that span (for caps); both 0:
    // do not count.
    virtual tl::expected<std::vector<CampaignCandidate>, StoreError>
    candidates(const CampaignRun& run, std::size_t limit, std::int64_t day_from_ms,
               std::int64_t day_to_ms) = 0;
    // Writes a page: recipients, outbox rows and the cursor, in one transaction (the run
    // becomes running, or done with the last page). Refused when the run's cursor is no
    // longer `from_friend_id` (another writer went on).
    virtual tl::expected<void, StoreError> write_page(const CampaignPage& page) = 0;

    // Each recipient with their outcome (the outbox row's state for queued ones).
    virtual tl::expected<CampaignReport, StoreError> report(std::int64_t run_id) = 0;

    // The segment definitions the segment worker has applied to every friend
    // (`segments:definitions`), so a run waits until segments are current.
    virtual tl::expected<std::optional<std::string>, StoreError> applied_segments() = 0;
};

} // namespace musubi::store
