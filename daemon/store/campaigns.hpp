#pragma once
// Segment campaigns' part of the store: each campaign run, its recipients and what became of
// each send, so that a campaign reaches every friend exactly once across a crash.

#include "daemon/store/store_error.hpp"

namespace musubi::store {

class Campaigns {
public:
    virtual ~Campaigns() = default;
};

} // namespace musubi::store
