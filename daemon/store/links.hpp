#pragma once
// Linking friends to buyers: chat sessions, attempts, web and account-link tokens, links.

namespace musubi::store {

class Links {
public:
    virtual ~Links() = default;
};

} // namespace musubi::store
