#pragma once
// The account's existing friends, read from LINE's followers list (GET /v2/bot/followers/ids):
// import runs that resume after a crash, and imported friends' profiles read lazily.
//
// A user musubi does not know becomes a following friend with one `friend.imported` fact
// (natural key "line:imported:<userId>": once per user, ever). Friends musubi knows are left
// as they are: the list holds only users of LINE for iOS and Android, so neither presence nor
// absence overrides what the webhook said. A friend is marked gone only by an unfollow event or
// a profile answer of 404 (mark_gone).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "daemon/store/store_error.hpp"

namespace musubi::store {

// abandoned: LINE refused the saved continuation token (400); a new run starts from the top.
enum class ImportOutcome { running, done, forbidden, abandoned };

struct ImportRun {
    std::int64_t id = 0;
    std::int64_t started_at_ms = 0;
    std::string next_token; // empty: the first page (running) or nothing left (finished)
    std::int64_t pages = 0;
    std::int64_t listed = 0;   // ids LINE listed so far
    std::int64_t imported = 0; // of those, new friends
    std::optional<std::int64_t> finished_at_ms;
    ImportOutcome outcome = ImportOutcome::running;
};

struct ProfileDue {
    std::int64_t friend_id = 0;
    std::string line_user_id;
    std::int64_t attempts = 0;
};

struct ImportTotals {
    std::int64_t imported = 0;       // friends ever imported (friend.imported facts)
    std::int64_t profiles_due = 0;   // imported friends whose name is still to be read
    std::optional<ImportRun> latest; // the newest run
};

class FollowersImport {
public:
    virtual ~FollowersImport() = default;

    // The newest run (unfinished or not); nullopt before the first.
    virtual tl::expected<std::optional<ImportRun>, StoreError> latest_run() = 0;
    virtual tl::expected<ImportRun, StoreError> begin_run(std::int64_t at_ms) = 0;
    // One page, in one transaction: each unknown user becomes a following friend with its
    // friend.imported fact and a profile due; the run's counters move on and its next token
    // becomes `next` (empty: the run is done, finished in the same transaction). Answers how
    // many friends were new.
    virtual tl::expected<std::int64_t, StoreError>
    apply_page(std::int64_t run_id, const std::vector<std::string>& user_ids,
               const std::string& next, std::int64_t at_ms) = 0;
    // Ends a run early: forbidden after LINE's 403, abandoned after a refused token.
    virtual tl::expected<void, StoreError> finish_run(std::int64_t run_id, ImportOutcome outcome,
                                                      std::int64_t at_ms) = 0;

    // Profiles due by `now_ms`, oldest first.
    virtual tl::expected<std::vector<ProfileDue>, StoreError> profiles_due(std::int64_t now_ms,
                                                                           std::size_t limit) = 0;
    // The name LINE gave; the profile is no longer due.
    virtual tl::expected<void, StoreError> set_profile(std::int64_t friend_id,
                                                       const std::string& display_name) = 0;
    // The profile could not be read this time: try again at `due_at_ms`.
    virtual tl::expected<void, StoreError> postpone_profile(std::int64_t friend_id,
                                                            std::int64_t due_at_ms) = 0;
    // LINE answered 404 (blocked, or no longer a friend): the friend is blocked, with a
    // friend.unfollowed fact, unless a follow newer than `asked_at_ms` arrived meanwhile.
    // Answers whether the friend was marked.
    virtual tl::expected<bool, StoreError> mark_gone(std::int64_t friend_id,
                                                     std::int64_t asked_at_ms) = 0;

    virtual tl::expected<ImportTotals, StoreError> totals() = 0;
};

} // namespace musubi::store
