#pragma once
// Schema version 3, the part for Retention (see schema_v3.hpp and daemon/store/retention.hpp):
// when a row lost its personal data, so that each purge touches only what is new, and an index
// that finds the orders past the horizon without reading the others.

namespace musubi::store::sqlite {

inline constexpr const char* k_schema_v3_retention = R"SQL(
ALTER TABLE orders ADD COLUMN purged_at INTEGER;
ALTER TABLE buyers ADD COLUMN purged_at INTEGER;
ALTER TABLE links ADD COLUMN purged_at INTEGER;
CREATE INDEX orders_unpurged ON orders (ordered_at) WHERE purged_at IS NULL;
)SQL";

} // namespace musubi::store::sqlite
