#!/usr/bin/env bash
# it.soak: the soak's short variant (scripts/soak runs the month): two simulated days of a busy
# shop at 4000x — thousands of RMS orders, friends following, blocking and coming back, linked
# buyers ordering again, a LINE outage, a config reload, review exports, an expired license key
# renewed — then LINE's ledger must show every message exactly once and the store every order
# as a fact. (Memory is checked by the long variant only: two days are all warm-up.)
set -euo pipefail
: "${MUSUBID:?path to musubid}" "${MUSUBI_SIM:?path to musubi-sim}" "${MUSUBICTL:?path to musubictl}"
: "${MUSUBI_SOURCE_DIR:?source tree}"
MUSUBI_SOAK_DAYS=${MUSUBI_SOAK_DAYS:-2} MUSUBI_SOAK_LINKED=${MUSUBI_SOAK_LINKED:-5} \
  exec "$MUSUBI_SOURCE_DIR/scripts/soak"
