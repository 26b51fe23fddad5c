#!/usr/bin/env bash
# spec.copy_current: the repository's copy of LINE's OpenAPI specification (tests/spec/
# line-openapi, built into musubi-sim) must equal the one in shared/platform/line-openapi beside
# the repository, which is the judge. Skipped (77) where no shared/ folder is found.
set -euo pipefail
copy=$(cd "$(dirname "$0")/line-openapi" && pwd)
dir=$(cd "$(dirname "$0")/../.." && pwd)
shared=''
while [ "$dir" != / ]; do
  dir=$(dirname "$dir")
  if [ -f "$dir/shared/platform/line-openapi/messaging-api.yml" ]; then
    shared="$dir/shared/platform/line-openapi"
    break
  fi
done
if [ -z "$shared" ]; then
  echo "SKIP: no shared/platform/line-openapi beside the repository to compare with"
  exit 77
fi
if ! diff -r "$shared" "$copy" >/dev/null; then
  echo "FAIL: tests/spec/line-openapi differs from $shared:" >&2
  diff -rq "$shared" "$copy" >&2 || true
  echo "Copy the new specification: cp $shared/* $copy/ — then rebuild musubi-sim and rerun the suite." >&2
  exit 1
fi
echo "PASS: tests/spec/line-openapi equals $shared"
