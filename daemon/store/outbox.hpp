#pragma once
// The dispatcher's view of the outbox: claiming due rows, recording each attempt's outcome.
// Rows are written by the engine and by linking (inside their own transactions); see
// schema_v1.hpp/schema_v2.hpp for the columns.

namespace musubi::store {

class Outbox {
public:
    virtual ~Outbox() = default;
};

} // namespace musubi::store
