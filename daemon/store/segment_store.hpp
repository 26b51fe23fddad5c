#pragma once
// Segments (issue 7): what a friend's segment conditions are evaluated over, and the segment
// each friend is in now.

namespace musubi::store {

class SegmentStore {
public:
    virtual ~SegmentStore() = default;
};

} // namespace musubi::store
