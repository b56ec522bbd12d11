#!/usr/bin/env bash
# The ingestion API benchmark, one command (see bench/README.md):
#   bench/run.sh                 full run: 100,000 pipelines, 1,000,000 runs, 50 connections, 15 s each
#   bench/run.sh --quick         smoke run: a tenth of the data, 5 s each
#   bench/run.sh --only=runs     one scenario (health, pipelines, pipelines-deep, runs, runs-deep,
#                                tables, quality, audit, costs-spend, costs-summary, costs-pipelines,
#                                dashboard, dashboard-pipelines, catalog-by-query)
#   bench/run.sh --reseed        rebuild the seeded template database
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/env.sh"
ensure_node
cd "$INGESTION_ROOT"
for tool in psql pgbench; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is required (PostgreSQL client)" >&2; exit 1; }
done
[ -d node_modules/autocannon ] || { echo "bench: node_modules/autocannon is missing; run ./portal start or yarn install first" >&2; exit 1; }
exec node bench/bench.mjs "$@"
