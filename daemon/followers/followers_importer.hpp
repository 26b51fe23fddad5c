#pragma once
// The account's existing friends (line.followers_import). On first start and then every
// `interval` (musubi's clock) one run reads LINE's followers list, GET /v2/bot/followers/ids,
// 1,000 ids a page (LINE's default is 300), following `next`. Each page is stored in one
// transaction together with the token of the page after it, so a crash resumes the run where
// it stopped, and each user musubi did not know becomes a friend with one `friend.imported`
// fact (scenarios may start on it; the greeting, on friend.followed, does not go to them).
//
// Between runs the imported friends' profiles (display names) are read in the background,
// `profiles_per_second` at most; a profile answered 404 means the friend blocked the account
// (or left), the only way besides an unfollow event that a friend is marked gone: the list
// holds only users of LINE for iOS and Android, so absence from it proves nothing.
//
// An account that may not call the list (403: neither verified nor premium) is logged once
// (line.followers_unavailable) and shown on the status page; nothing else changes, and friends
// become known as they next act. Its own thread and client, like the quota watch.

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "connectors/line/messaging_client.hpp"
#include "daemon/clock/clock.hpp"
#include "daemon/config/config.hpp"
#include "daemon/dispatch/token_bucket.hpp"
#include "daemon/log/log.hpp"
#include "daemon/store/followers_import.hpp"

namespace musubi::followers {

inline constexpr int k_page_size = 1000;               // LINE's maximum
inline constexpr double k_followers_per_second = 2000; // LINE's limit for the list

struct ImporterOptions {
    config::FollowersImportConfig settings;
    std::shared_ptr<line::MessagingClient> client;
};

// What one step did (for the thread and for tests).
enum class Step {
    idle,      // nothing due
    page,      // a page of the followers list was stored
    finished,  // the run's last page was stored
    forbidden, // LINE refused the list (403)
    profiles,  // profiles were read
    failed,    // LINE or the store failed; try again later
};

class FollowersImporter {
public:
    FollowersImporter(store::FollowersImport& store, std::shared_ptr<const clock::Clock> clock,
                      std::function<void()> on_facts);
    ~FollowersImporter();
    FollowersImporter(const FollowersImporter&) = delete;
    FollowersImporter& operator=(const FollowersImporter&) = delete;

    // Starts the thread once; again: new settings (a reload). Disabled: the thread idles.
    void start(ImporterOptions options);
    void stop();

    // One step: a page of a run that is running or due, else up to `max_profiles` profiles
    // due. Used by the thread and directly by tests.
    Step step(const ImporterOptions& options, std::size_t max_profiles);

private:
    void loop();
    Step import_page(line::MessagingClient& client, const config::FollowersImportConfig& settings);
    Step read_profiles(line::MessagingClient& client, std::size_t max_profiles);
    void failed(std::string_view what, const line::ApiResult& result);

    store::FollowersImport& m_store;
    std::shared_ptr<const clock::Clock> m_clock;
    std::function<void()> m_on_facts;
    dispatch::TokenBucket m_list_bucket{k_followers_per_second, 1};
    dispatch::TokenBucket m_profile_bucket{20, 1};

    std::mutex m_mutex;
    std::condition_variable m_cv;
    std::optional<ImporterOptions> m_options;
    bool m_stopping = false;
    bool m_restart = false;
    std::thread m_thread;

    // The worker thread's own state.
    bool m_told_forbidden = false; // line.followers_unavailable is logged once per process
    bool m_failing = false;        // the last call failed (logged once, not on every try)
    std::chrono::milliseconds m_backoff{0};
    log::Logger m_logger{"followers"};
};

} // namespace musubi::followers
