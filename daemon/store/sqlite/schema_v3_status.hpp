#pragma once
// Schema version 3, the part for StatusReport (see schema_v3.hpp): indexes that let the
// status page's queries read small indexes instead of the outbox's rendered payloads.

namespace musubi::store::sqlite {

inline constexpr const char* k_schema_v3_status = R"SQL(
-- Sends per hour: a range over attempted_at, counted by outcome (covering).
CREATE INDEX status_deliveries_by_time ON deliveries (attempted_at, outcome);
-- Failures: few rows, found without scanning the outbox.
CREATE INDEX status_outbox_failed ON outbox (updated_at) WHERE state = 'failed';
-- Scenario funnels: (scenario, step) groups with their states and enrollments (covering).
CREATE INDEX status_outbox_by_step ON outbox (scenario, step, state, enrollment_id)
    WHERE scenario IS NOT NULL;
CREATE INDEX status_enrollments_by_scenario ON enrollments (scenario, state, step);
-- Followers and blocks counted from an index rather than the friends' rows.
CREATE INDEX status_friends_by_state ON friends (state);
-- Links per day, by method.
CREATE INDEX status_links_by_time ON links (linked_at, method);
)SQL";

} // namespace musubi::store::sqlite
