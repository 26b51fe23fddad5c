#pragma once
// Schema version 3, the part for Operations (see schema_v3.hpp).

namespace musubi::store::sqlite {

inline constexpr const char* k_schema_v3_ops = R"SQL(
-- An operator's deliberate resend (musubictl outbox retry) is a new row with a new retry key;
-- retry_of names the row it retries, which stays as it was.
ALTER TABLE outbox ADD COLUMN retry_of INTEGER REFERENCES outbox(id);
CREATE INDEX outbox_retries ON outbox (retry_of) WHERE retry_of IS NOT NULL;
)SQL";

} // namespace musubi::store::sqlite
