#pragma once
// Operator views and deliberate actions behind musubictl: the outbox and its failures, a
// friend's record with personal data masked, retrying a failed message under a new retry key.

namespace musubi::store {

class Operations {
public:
    virtual ~Operations() = default;
};

} // namespace musubi::store
