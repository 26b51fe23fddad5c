#pragma once
// How musubictl shows values to a shop's operator: times in JST (the shop's time), yen with
// separators, and personal data masked (a name is shown only by its first character).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "daemon/store/operations.hpp"

namespace musubi::ctl {

// "山田太郎" → "山***", "Taro" → "T***", "山" → "山*", "" → "" (one star per hidden
// character, at least one, so that the length of a one-letter name is not given away either).
std::string mask_name(std::string_view name);

// "2026-11-22 19:05:06 JST"; "-" for nullopt.
std::string jst_time(std::int64_t epoch_ms);
std::string jst_time(const std::optional<std::int64_t>& epoch_ms);

// 5400 → "5,400円"
std::string yen(std::int64_t amount);

// One outbox row on one line, for lists:
// "#12  failed   2026-11-22 19:05:06 JST  U…  order-thanks/thanks  3 attempts  reason"
std::string entry_line(const store::OutboxEntry& entry);

// An outbox row as JSON (times in epoch ms); the payload (parsed) only when `with_payload`.
nlohmann::json entry_json(const store::OutboxEntry& entry, bool with_payload);

} // namespace musubi::ctl
