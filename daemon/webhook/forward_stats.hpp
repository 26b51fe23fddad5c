#pragma once
// What the forward worker reports per target (webhook.forward), for /metrics and the status
// page. `target` is the URL without its query (which may hold the other tool's token).

#include <cstdint>
#include <string>

namespace musubi::webhook {

struct ForwardTargetStats {
    std::string target;
    std::int64_t forwarded = 0; // answered 2xx, since start
    std::int64_t given_up = 0;  // dropped after webhook.forward_give_up_after, since start
    std::int64_t queued = 0;    // waiting now (the store's queue)
    std::int64_t retrying = 0;  // of them, tried and failed, waiting for the next try
    std::string last_error;     // the last failure ("HTTP 503", "connection refused"), or ""
};

} // namespace musubi::webhook
