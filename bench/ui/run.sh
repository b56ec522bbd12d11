#!/usr/bin/env bash
# The UI benchmark, one command (see bench/README.md, "UI benchmark"):
#   bench/ui/run.sh                    10,000 pipelines, 1,000,000 runs, 5 rounds
#   bench/ui/run.sh --rounds=2 --runs=100000
#   bench/ui/run.sh --rebuild          rebuild the frontend even if its sources did not change
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/env.sh"
ensure_node
cd "$INGESTION_ROOT"
command -v psql >/dev/null || { echo "bench/ui: psql is required (PostgreSQL client)" >&2; exit 1; }
[ -d node_modules/playwright-core ] || { echo "bench/ui: node_modules/playwright-core is missing; run yarn install first" >&2; exit 1; }
exec node --max-old-space-size=4096 bench/ui/bench-ui.mjs "$@"
