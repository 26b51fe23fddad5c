#!/usr/bin/env bash
# Benchmark (not a test): musubi's dispatcher against musubi-sim at LINE's 2,000/s push limit,
# and CPU per message compared with the official Node SDK (tests/node/push_bench.mjs) in the
# same run. Use a Release build for figures.
#   tests/bench/dispatch/push_bench.sh [build dir] [count] [workers]
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
source_dir="$(cd "$here/../../.." && pwd)"
build="${1:-${MUSUBI_BUILD_DIR:-$source_dir/build}}"
count="${2:-20000}"
workers="${3:-8}"

bench="$(find "$build" -name dispatch_bench -type f -perm -u+x | head -1)"
sim="$(find "$build" -name musubi-sim -type f -perm -u+x | head -1)"
[ -n "$bench" ] || { echo "push_bench: no dispatch_bench under $build (build the target dispatch_bench)" >&2; exit 2; }
[ -n "$sim" ] || { echo "push_bench: no musubi-sim under $build" >&2; exit 2; }
command -v node >/dev/null || { echo "push_bench: node is missing (scripts/install-deps installs it)" >&2; exit 2; }
[ -d "$source_dir/tests/node/node_modules/@line/bot-sdk" ] || { echo "push_bench: run 'npm ci' in tests/node first" >&2; exit 2; }

grep -q 'CMAKE_BUILD_TYPE:STRING=Release' "$build/CMakeCache.txt" 2>/dev/null ||
  echo "push_bench: note: $build is not a Release build; figures will be pessimistic" >&2

MUSUBI_SIM="$sim" "$bench" --count "$count" --workers "$workers" \
  --node-script "$source_dir/tests/node/push_bench.mjs"
