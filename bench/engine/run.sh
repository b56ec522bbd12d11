#!/usr/bin/env bash
# Engine benchmark: the local engine against DuckDB alone (the floor), and the engine's MariaDB
# source against the mariadb CLI, each phase in its own process, measured in the same run.
#   bench/engine/run.sh [--rows=N] [--mariadb-rows=N] [--rounds=N]
#     (defaults 10,000,000 rows, 2,000,000 MariaDB rows, 5 rounds)
# Each round runs the floor and the engine back to back, alternating which goes first, so a
# machine whose speed drifts during the run weighs on both; the summary reports each round's
# ratio and the median with its spread.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
cd "$ROOT"
source scripts/env.sh
ensure_node
ensure_yarn

ROWS=10000000
MARIADB_ROWS=2000000
ROUNDS=5
for arg in "$@"; do
  case "$arg" in
    --rows=*) ROWS="${arg#*=}" ;;
    --mariadb-rows=*) MARIADB_ROWS="${arg#*=}" ;;
    --rounds=*) ROUNDS="${arg#*=}" ;;
    *) echo "unknown argument $arg" >&2; exit 2 ;;
  esac
done
WORK="$HERE/.work"
mkdir -p "$WORK"
RESULTS="$WORK/results.jsonl"
: >"$RESULTS"
CSV="$WORK/storage/raw/transactions/transactions.csv"
MARIADB=(mariadb -h "${MARIADB_HOST:-127.0.0.1}" -P "${MARIADB_PORT:-3306}" -u "${MARIADB_USER:-root}")
[ -n "${MARIADB_PASSWORD:-}" ] && MARIADB+=("-p$MARIADB_PASSWORD")

# TypeScript runs with the same loader as `backstage-cli package start` (SWC via pirates), no jest.
# A phase's JSON line gets the round it belongs to (0: set-up).
ROUND=0
phase() {
  echo "== $1 (round $ROUND)" >&2
  node --require @backstage/cli/config/nodeTransform.cjs "$HERE/phase.ts" "$1" "$WORK" "$2" |
    sed "s/^{/{\"round\":$ROUND,/" | tee -a "$RESULTS" >&2
}

# 1. Data (kept between runs when the row count is the same).
if [ ! -f "$WORK/csv-rows" ] || [ "$(cat "$WORK/csv-rows")" != "$ROWS" ] || [ ! -f "$CSV" ]; then
  phase generate "$ROWS"
  echo "$ROWS" >"$WORK/csv-rows"
fi

# 2. Batch pipeline: floor and engine in each round, the first alternating (page cache warm).
cat "$CSV" >/dev/null
for ((ROUND = 1; ROUND <= ROUNDS; ROUND++)); do
  if ((ROUND % 2)); then
    phase floor "$ROWS"
    phase engine "$ROWS"
  else
    phase engine "$ROWS"
    phase floor "$ROWS"
  fi
done
ROUND=0

# 3. MariaDB extraction.
echo "== mariadb load ($MARIADB_ROWS rows)" >&2
head -n $((MARIADB_ROWS + 1)) "$CSV" >"$WORK/mariadb.csv"
load_start=$(date +%s.%N)
"${MARIADB[@]}" --local-infile=1 <<SQL
CREATE DATABASE IF NOT EXISTS ingestion_bench;
USE ingestion_bench;
DROP TABLE IF EXISTS transactions;
CREATE TABLE transactions (
  customer_id VARCHAR(8), date DATE, amount DECIMAL(12,2), status VARCHAR(10), updated_at DATETIME(3)
) ENGINE=InnoDB;
LOAD DATA LOCAL INFILE '$WORK/mariadb.csv' INTO TABLE transactions
  FIELDS TERMINATED BY ',' LINES TERMINATED BY '\n' IGNORE 1 LINES
  (customer_id, date, amount, status, @u)
  SET updated_at = STR_TO_DATE(@u, '%Y-%m-%dT%H:%i:%s.%fZ');
SQL
load_end=$(date +%s.%N)
echo "{\"phase\":\"mariadb-load\",\"rows\":$MARIADB_ROWS,\"seconds\":$(awk "BEGIN{printf \"%.3f\", $load_end - $load_start}")}" | tee -a "$RESULTS" >&2

mariadb_cli() {
  echo "== mariadb CLI (round $ROUND)" >&2
  cli_start=$(date +%s.%N)
  "${MARIADB[@]}" --batch -e 'SELECT customer_id, date, amount, status, updated_at FROM ingestion_bench.transactions' >"$WORK/mariadb-cli.tsv"
  cli_end=$(date +%s.%N)
  cli_rows=$(($(wc -l <"$WORK/mariadb-cli.tsv") - 1))
  echo "{\"round\":$ROUND,\"phase\":\"mariadb-cli\",\"rows\":$cli_rows,\"seconds\":$(awk "BEGIN{printf \"%.3f\", $cli_end - $cli_start}")}" | tee -a "$RESULTS" >&2
  rm -f "$WORK/mariadb-cli.tsv"
}
for ((ROUND = 1; ROUND <= ROUNDS; ROUND++)); do
  if ((ROUND % 2)); then
    mariadb_cli
    phase engine-mariadb "$MARIADB_ROWS"
  else
    phase engine-mariadb "$MARIADB_ROWS"
    mariadb_cli
  fi
done

# 4. Summary.
node "$HERE/summary.mjs" "$RESULTS"
