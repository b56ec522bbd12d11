#!/usr/bin/env bash
# The catalog benchmark, one command (see bench/catalog/README.md):
#   bench/catalog/run.sh            3 organizations, 20,000 pipelines, 100,000 tables (takes long:
#                                   the catalog processes each of the ~121,500 entities twice over)
#   bench/catalog/run.sh --quick    1,000 pipelines and 5,000 tables
#   bench/catalog/run.sh --pipelines=N --tables=N --deltas=N --json=results.json
#   bench/catalog/run.sh --mutation-only   only the full mutation (time and memory), no catalog load
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/env.sh"
ensure_node
cd "$INGESTION_ROOT"
export NODE_ENV=production
exec node --expose-gc --max-old-space-size=6144 \
  --require @backstage/cli/config/nodeTransform.cjs \
  bench/catalog/catalog-bench.cjs "$@"
