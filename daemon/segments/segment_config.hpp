#pragma once
// Reads segments.yaml (the file `segments:` in musubi.yaml names), checking everything: each
// mistake becomes a diagnostic with file:line:col and what to write instead, as for scenarios.
//
//   segments:
//     - name: vip
//       description: 5回以上ご注文の方
//       when: {orders.count: {gte: 5}}
//     - name: guest            # no `when`: everyone left (must be last)

#include <filesystem>
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "daemon/config/diagnostics.hpp"
#include "daemon/segments/segment.hpp"

namespace musubi::segments {

// `file` is read; `shown` is how diagnostics name it (e.g. "config/segments.yaml").
// Mistakes are added to `diagnostics`; what was read correctly is returned either way.
std::vector<Segment> read_segments(const std::filesystem::path& file, const std::string& shown,
                                   config::Diagnostics& diagnostics);

// The same, as a result: the segments, or every mistake found.
tl::expected<std::vector<Segment>, config::Diagnostics>
load_segments(const std::filesystem::path& file, const std::string& shown);

} // namespace musubi::segments
