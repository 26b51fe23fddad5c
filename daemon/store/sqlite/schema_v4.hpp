#pragma once
// Schema version 4: the rich-menu reconciler, segment campaigns and indexes for scale. Each part
// keeps its SQL in its own file; the migration runs them in this order.

#include <string>

#include "daemon/store/sqlite/schema_v4_campaigns.hpp"
#include "daemon/store/sqlite/schema_v4_indexes.hpp"
#include "daemon/store/sqlite/schema_v4_reconciler.hpp"

namespace musubi::store::sqlite {

inline std::string schema_v4() {
    return std::string(k_schema_v4_reconciler) + k_schema_v4_campaigns + k_schema_v4_indexes;
}

} // namespace musubi::store::sqlite
