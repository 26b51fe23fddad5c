#pragma once
// The rich-menu reconciler's part of the store: which menu musubi last linked each friend to,
// and every change it made (friend, from, to, why) for operators.

#include "daemon/store/store_error.hpp"

namespace musubi::store {

class RichMenuLinks {
public:
    virtual ~RichMenuLinks() = default;
};

} // namespace musubi::store
