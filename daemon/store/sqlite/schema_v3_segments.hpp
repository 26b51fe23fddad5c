#pragma once
// Schema version 3, the part for SegmentStore (see schema_v3.hpp).

namespace musubi::store::sqlite {

inline constexpr const char* k_schema_v3_segments = R"SQL(
)SQL";

} // namespace musubi::store::sqlite
