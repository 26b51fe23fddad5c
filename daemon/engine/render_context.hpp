#pragma once
// The values a template sees (documented in daemon/templates/template_set.hpp), built from the
// friend, their buyer and order, the facts at hand and the step's `vars`.

#include <map>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "daemon/config/config.hpp"
#include "daemon/engine/subject.hpp"
#include "daemon/store/engine_store.hpp"

namespace musubi::engine {

// "5,400円"
std::string yen_text(std::int64_t amount);

// `trigger`: the fact that started the enrollment; `cause`: the fact that made this step run
// (e.g. the review that a coupon step waited for).
nlohmann::json render_context(const config::Config& config, const Subject& subject,
                              const std::optional<store::FactRow>& trigger,
                              const std::optional<store::FactRow>& cause,
                              const std::map<std::string, std::string>& vars,
                              const std::string& link_url);

} // namespace musubi::engine
