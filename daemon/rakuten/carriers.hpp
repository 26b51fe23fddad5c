#pragma once
// RMS delivery company codes ("1001") → the carrier's name as RMS writes it (customers read it
// in shipping messages) and its tracking page, read from the shipped config/carriers.yaml (not
// code: shops and carriers change URLs).
//
// Each tracking_url is checked when loaded (and so by `musubid --check-config`): a well-formed
// http(s) URL that holds the placeholder {tracking_number} once, unless the entry says
// `search_page: true` (a carrier with no page per parcel: the link goes to its search page).

#include <filesystem>
#include <map>
#include <string>

#include <tl/expected.hpp>

#include "daemon/config/diagnostics.hpp"

namespace musubi::rakuten_poller {

inline constexpr std::string_view k_tracking_placeholder = "{tracking_number}";

struct Carrier {
    std::string name;         // e.g. "ヤマト運輸"
    std::string tracking_url; // holds {tracking_number} unless search_page; may be empty
    bool search_page = false; // the URL is the carrier's search page, not one parcel's
};

class Carriers {
public:
    Carriers() = default;
    explicit Carriers(std::map<std::string, Carrier> by_code)
        : m_by_code(std::move(by_code)) {}

    // Reads `carriers: {"1001": {name: …, tracking_url: …, search_page: …}, …}`. Every mistake
    // is one diagnostic naming file:line:col and what to write instead (Japanese through
    // config/messages_ja like the rest of the configuration).
    static tl::expected<Carriers, config::Diagnostics> load(const std::filesystem::path& file);

    const Carrier* find(const std::string& code) const;
    std::size_t size() const { return m_by_code.size(); }

    // The tracking page for one parcel: the template with {tracking_number} filled in
    // (percent-encoded), the template as is when it has no placeholder, or "" for an
    // unknown carrier.
    std::string tracking_url(const std::string& code, const std::string& tracking_number) const;

private:
    std::map<std::string, Carrier> m_by_code;
};

// Why `url` is not a usable tracking-link template (nullopt when it is), for `search_page`.
struct TrackingUrlProblem {
    std::string message;
    std::string hint;
};
std::optional<TrackingUrlProblem> check_tracking_url(const std::string& code,
                                                     const std::string& url, bool search_page);

} // namespace musubi::rakuten_poller
