#pragma once
// Schema version 3, the part for StatusReport (see schema_v3.hpp).

namespace musubi::store::sqlite {

inline constexpr const char* k_schema_v3_status = R"SQL(
)SQL";

} // namespace musubi::store::sqlite
