#pragma once
// RMS delivery company codes ("1001") → the carrier's Japanese name and its tracking page,
// read from the shipped config/carriers.yaml (not code: shops and carriers change URLs).

#include <filesystem>
#include <map>
#include <string>

#include <tl/expected.hpp>

namespace musubi::rakuten_poller {

struct Carrier {
    std::string name;         // e.g. "ヤマト運輸"
    std::string tracking_url; // may contain {tracking_number}; may be empty
};

class Carriers {
public:
    Carriers() = default;
    explicit Carriers(std::map<std::string, Carrier> by_code)
        : m_by_code(std::move(by_code)) {}

    // Reads `carriers: {"1001": {name: …, tracking_url: …}, …}`. Errors name the file, the
    // entry and what to write instead.
    static tl::expected<Carriers, std::string> load(const std::filesystem::path& file);

    const Carrier* find(const std::string& code) const;
    std::size_t size() const { return m_by_code.size(); }

    // The tracking page for one parcel: the template with {tracking_number} filled in
    // (percent-encoded), the template as is when it has no placeholder, or "" for an
    // unknown carrier.
    std::string tracking_url(const std::string& code, const std::string& tracking_number) const;

private:
    std::map<std::string, Carrier> m_by_code;
};

} // namespace musubi::rakuten_poller
