#pragma once
// Schema version 3: operations (musubictl, status page, retention), segments, rich menus. Each part
// keeps its SQL in its own file; the migration runs them in this order.

#include <string>

#include "daemon/store/sqlite/schema_v3_ops.hpp"
#include "daemon/store/sqlite/schema_v3_retention.hpp"
#include "daemon/store/sqlite/schema_v3_richmenus.hpp"
#include "daemon/store/sqlite/schema_v3_segments.hpp"
#include "daemon/store/sqlite/schema_v3_status.hpp"

namespace musubi::store::sqlite {

inline std::string schema_v3() {
    return std::string(k_schema_v3_ops) + k_schema_v3_status + k_schema_v3_retention +
           k_schema_v3_segments + k_schema_v3_richmenus;
}

} // namespace musubi::store::sqlite
