#pragma once
// webhook.forward, at the endpoint: which targets a verified body goes to. A target takes a
// body when at least one of its events is of a type in the target's `events` (every type when
// that is empty); it then gets the WHOLE body — LINE's signature covers the whole body, so a
// part of it could not be verified by the other tool. Whether the matching events are new is
// decided in the store, in the transaction that stores them (store::ForwardCopy).

#include <string>
#include <vector>

#include "daemon/store/webhook_inbox.hpp"

namespace musubi::webhook {

struct ForwardFilter {
    std::string url;
    std::vector<std::string> events; // empty: every type
};

// Per target with a matching event: the ids of the matching events. `events` are the parsed
// events of the body (their `body` the event object as JSON).
std::vector<store::ForwardCopy> forward_copies(const std::vector<ForwardFilter>& targets,
                                               const std::vector<store::InboundEvent>& events);

} // namespace musubi::webhook
