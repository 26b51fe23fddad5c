#pragma once
// Imported RMS reviews: each row once, recorded with its `review.posted` fact.

namespace musubi::store {

class Reviews {
public:
    virtual ~Reviews() = default;
};

} // namespace musubi::store
