#pragma once
// What the status page shows: sends per hour, failures with reasons, outbox depth, link rate,
// each scenario's funnel. Read-only.

namespace musubi::store {

class StatusReport {
public:
    virtual ~StatusReport() = default;
};

} // namespace musubi::store
