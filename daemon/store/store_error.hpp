#pragma once
// A store failure an operator can act on: what happened, and what to do.

#include <string>

namespace musubi::store {

struct StoreError {
    std::string message;
    std::string hint;

    std::string to_string() const { return hint.empty() ? message : message + "; " + hint; }
};

} // namespace musubi::store
