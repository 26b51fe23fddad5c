#pragma once
// Schema version 6: the platforms as they really are (issues 17 and 18). Each part keeps its SQL
// in its own file; the migration runs them in this order.

#include <string>

#include "daemon/store/sqlite/schema_v6_followers.hpp"
#include "daemon/store/sqlite/schema_v6_forward.hpp"
#include "daemon/store/sqlite/schema_v6_review_exports.hpp"

namespace musubi::store::sqlite {

inline std::string schema_v6() {
    return std::string(k_schema_v6_review_exports) + k_schema_v6_forward + k_schema_v6_followers;
}

} // namespace musubi::store::sqlite
