#!/usr/bin/env bash
# it.daemon_crash_reply: it.daemon_crash with fresh follow events, so that the greetings go
# out as free replies (no retry key). A reply LINE accepted just before a SIGKILL must not be
# sent again after the restart: the dispatcher replies again with the same token, and LINE's
# "Invalid reply token" tells it the earlier attempt got through.
set -euo pipefail
export MUSUBI_CRASH_EVENT_AGE_MS=0 MUSUBI_CRASH_LOG_NAME=daemon_crash_reply
exec "$(dirname "$0")/daemon_crash.sh" "$@"
