#!/usr/bin/env bash
# The whole suite, end-to-end tests included: `npm test`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
mapfile -t files < <(find test -name '*.test.ts' | sort)
# A hung test fails after 3 minutes instead of eating CI's time.
exec node --import tsx --test --test-concurrency=1 --test-timeout=180000 "$@" "${files[@]}"
