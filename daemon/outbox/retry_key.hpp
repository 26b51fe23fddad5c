#pragma once
// Retry keys are fixed when a message is decided, derived from what the message is for (e.g.
// "scenario:review-request/step:ask/friend:42/subject:123456-20261122-0000000001"), so that
// deciding the same message again — after a crash, on a redelivered event — yields the same
// key, hits the outbox's UNIQUE constraint, and is never written or sent twice.

#include <string>
#include <string_view>

namespace musubi::outbox {

// A UUID (version 8, RFC 9562 "custom") made from the SHA-256 of `identity`, spelled as LINE's
// X-Line-Retry-Key accepts it.
std::string derive_retry_key(std::string_view identity);

} // namespace musubi::outbox
