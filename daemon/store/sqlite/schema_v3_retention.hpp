#pragma once
// Schema version 3, the part for Retention (see schema_v3.hpp).

namespace musubi::store::sqlite {

inline constexpr const char* k_schema_v3_retention = R"SQL(
)SQL";

} // namespace musubi::store::sqlite
