#!/usr/bin/env bash
# `npm start`: install what is missing, build, and run the daemon in the
# foreground (see scripts/start.ts).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
npm run --silent build >&2
exec node --import tsx scripts/start.ts "$@"
