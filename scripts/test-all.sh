#!/usr/bin/env bash
# The whole test suite: type-check, lint, formatting, unit and integration tests (backend tests on
# SQLite and on the local PostgreSQL), then the end-to-end smoke test of the running portal.
# Run through ./portal test, which installs the toolchain first.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
source "$INGESTION_ROOT/scripts/services.sh"
cd "$INGESTION_ROOT"

step() { log "── $* ──"; }

ensure_postgres
ensure_mariadb
ensure_redis
ensure_chromium

export CI=true
# No OpenTelemetry SDK in the tests (no metrics endpoint, so a busy :9464 never matters); the smoke
# test turns it on for its portal on a free port to check the endpoint.
export OTEL_SDK_DISABLED=true
# Backstage's TestDatabases runs each database test on SQLite and on this server as well.
export BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING="${BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING:-postgresql://postgres@127.0.0.1:5432}"
# Cache tests (rate limits shared by replicas) run on memory and on this Redis.
export BACKSTAGE_TEST_CACHE_REDIS7_CONNECTION_STRING="${BACKSTAGE_TEST_CACHE_REDIS7_CONNECTION_STRING:-redis://127.0.0.1:6379}"
export INGESTION_TEST_MYSQL_CONNECTION_STRING="${INGESTION_TEST_MYSQL_CONNECTION_STRING:-mysql://root@127.0.0.1:3306/test}"

step "type-check"
yarn tsc
step "lint"
yarn backstage-cli repo lint
step "formatting"
yarn prettier --check --loglevel warn .
step "Python SDK (against the OpenAPI document and a stub server)"
(cd sdk/python && PYTHONPATH=src timeout 300 python3 -m unittest discover -s tests -t .)
step "unit and integration tests"
yarn backstage-cli repo test
step "end-to-end smoke test"
bash scripts/e2e-smoke.sh
log "all tests passed"
