#pragma once
// Schema version 4, the part for RichMenuLinks (see schema_v4.hpp and rich_menu_links.hpp).

namespace musubi::store::sqlite {

inline constexpr const char* k_schema_v4_reconciler = R"SQL(
)SQL";

} // namespace musubi::store::sqlite
