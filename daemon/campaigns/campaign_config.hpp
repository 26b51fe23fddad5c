#pragma once
// campaigns.yaml (the file `campaigns:` in musubi.yaml names): one-off and recurring sends to a
// segment at a JST time. Every mistake names file:line:col and says what to write instead.

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "daemon/config/diagnostics.hpp"

namespace musubi::config {
struct Config;
}

namespace musubi::campaigns {

struct CampaignSet {};

// Reads `file` (`shown` is how diagnostics name it) after the rest of `config` was read, so
// that segment and template names can be checked. Mistakes are added to `diagnostics`.
std::shared_ptr<const CampaignSet> read_campaigns(const std::filesystem::path& file,
                                                  const std::string& shown,
                                                  const config::Config& config,
                                                  config::Diagnostics& diagnostics);

} // namespace musubi::campaigns
