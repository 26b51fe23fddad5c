#pragma once
// Data retention: personal data of old orders and of friends who unlinked is purged, keeping
// the counts that analytics need.

namespace musubi::store {

class Retention {
public:
    virtual ~Retention() = default;
};

} // namespace musubi::store
