#pragma once
// The spec spool: when $MUSUBI_SPEC_SPOOL names a folder, the simulator writes there the raw body
// of every request it is sent on the LINE side and of every webhook body it sends, one file
// each, so that the spec check (tests/node/spec-check/) can validate them against LINE's OpenAPI
// specification after the tests ran. Without the variable nothing is written.
//
// File names (tests/sim/README.md): `<process>-<seq>-<what>.json`, where <process> is the pid
// and a random tag, <seq> counts up per process, and <what> is `webhook` for a webhook body or
// the method and the percent-encoded path for a request (`POST%2Fv2%2Fbot%2Fmessage%2Fpush`).
// Each file is written under a `.tmp` name and renamed, so a reader never sees half of one.

#include <string>
#include <string_view>

#include "service.hpp"

namespace musubi::sim {

// A request to the LINE platform (api host): POST/PUT bodies under /v2/bot/ and /oauth2/.
void spool_line_request(const Request& request);
// A webhook body as it is POSTed to the webhook URL.
void spool_webhook(std::string_view body);

// The file name part for a request: method + percent-encoded path (exposed for tests).
std::string spool_request_tag(std::string_view method, std::string_view path);

} // namespace musubi::sim
