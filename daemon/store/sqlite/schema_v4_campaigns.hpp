#pragma once
// Schema version 4, the part for Campaigns (see schema_v4.hpp and campaigns.hpp).

namespace musubi::store::sqlite {

inline constexpr const char* k_schema_v4_campaigns = R"SQL(
)SQL";

} // namespace musubi::store::sqlite
