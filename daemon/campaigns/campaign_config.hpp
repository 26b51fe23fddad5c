#pragma once
// campaigns.yaml (the file `campaigns:` in musubi.yaml names): one-off and recurring sends to a
// segment at a JST time. Every mistake names file:line:col and says what to write instead.
//
//   campaigns:
//     - name: winter-sale              # lower-case letters, digits, '_' and '-'
//       description: 冬のセールのお知らせ
//       segment: linked                 # a segment of segments.yaml
//       send: campaign_winter_sale      # templates/campaign_winter_sale.txt or .json
//       at: "2026-12-01 10:00"          # once, at this JST time
//     - name: weekly-news
//       segment: guest
//       send: campaign_weekly
//       every: [tue, fri]               # or daily, weekdays, weekends
//       time: "12:00"                   # JST
//       window: "10:00-20:00"           # a run outside it waits for its opening
//       limits: {per_friend_per_day: 2} # a friend who had 2 messages today is skipped
//       same_for_all: true              # one multicast per 500 friends (no friend.* values)
//       vars: {coupon_code: WEEKLY100}
//
// A campaign with neither `at` nor `every` runs only when started with musubictl.

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "daemon/config/diagnostics.hpp"
#include "daemon/config/scenario.hpp"
#include "daemon/config/time_window.hpp"

namespace musubi::config {
struct Config;
}

namespace musubi::campaigns {

// An occurrence more than this late (musubid was not running) is not sent but logged as
// missed: a sale announced at 10:00 must not arrive at midnight.
inline constexpr std::int64_t k_late_limit_ms = 60LL * 60 * 1000;

struct Campaign {
    std::string name;
    std::string description;
    std::string segment;
    std::string send; // template name
    std::map<std::string, std::string> vars;
    std::optional<std::int64_t> at_ms;     // one-off: epoch ms of the JST time written
    std::optional<std::string> at_text;    // as written, "2026-12-01 10:00"
    std::vector<int> every;                // recurring: weekdays 0 = Sunday … 6 = Saturday
    std::optional<config::TimeOfDay> time; // with `every`
    std::optional<config::TimeWindow> window;
    config::Limits limits;
    bool same_for_all = false; // multicast in 500s
    bool enabled = true;
    config::Position where;

    bool recurring() const { return !every.empty(); }
    bool scheduled() const { return at_ms.has_value() || recurring(); }
};

struct CampaignSet {
    std::vector<Campaign> campaigns;
    const Campaign* find(const std::string& name) const;
};

// The latest occurrence of `campaign` at or before `now_ms` (JST), if any.
std::optional<std::int64_t> latest_occurrence(const Campaign& campaign, std::int64_t now_ms);
// The first occurrence after `now_ms`, if any.
std::optional<std::int64_t> next_occurrence(const Campaign& campaign, std::int64_t now_ms);
// "2026-12-01 10:00" (JST) → epoch ms; also accepts "2026-12-01T10:00" and "2026/12/01 10:00".
std::optional<std::int64_t> parse_jst_datetime(const std::string& text);
// "every tue, fri at 12:00", "once at 2026-12-01 10:00", "by musubictl only"
std::string schedule_text(const Campaign& campaign);

// Reads `file` (`shown` is how diagnostics name it) after the rest of `config` was read, so
// that segment and template names can be checked. Mistakes are added to `diagnostics`.
std::shared_ptr<const CampaignSet> read_campaigns(const std::filesystem::path& file,
                                                  const std::string& shown,
                                                  const config::Config& config,
                                                  config::Diagnostics& diagnostics);

} // namespace musubi::campaigns
