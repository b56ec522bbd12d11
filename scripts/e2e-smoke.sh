#!/usr/bin/env bash
# End-to-end smoke test: starts the portal as `./portal start` does (frontend :3000, backend :7007,
# on a throw-away in-memory database), checks the HTTP contract with curl, then drives the UI in
# headless Chromium with Playwright. Stops everything it started.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$INGESTION_ROOT"

for port in 3000 7007; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "port $port is already in use; stop the running portal before the smoke test" >&2
    exit 1
  fi
done

logfile="$(mktemp -t portal-e2e.XXXXXX.log)"
export APP_CONFIG_backend_database_connection='":memory:"'
setsid yarn start >"$logfile" 2>&1 &
portal_pid=$!
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
cleanup() {
  kill -TERM -- "-$portal_pid" 2>/dev/null || true
  wait "$portal_pid" 2>/dev/null || true
  # Let the servers release their ports, so a following run can start at once.
  for _ in $(seq 1 20); do
    port_in_use 7007 || port_in_use 3000 || break
    sleep 0.5
  done
}
trap cleanup EXIT

wait_for() {
  local url="$1" deadline=$((SECONDS + 240))
  until curl -fsS -o /dev/null "$url" 2>/dev/null; do
    if ((SECONDS > deadline)) || ! kill -0 "$portal_pid" 2>/dev/null; then
      echo "the portal did not answer at $url; its log:" >&2
      tail -n 80 "$logfile" >&2
      exit 1
    fi
    sleep 2
  done
}
wait_for http://localhost:7007/api/ingestion/v1/health
wait_for http://localhost:3000

fail() { echo "smoke test failed: $*" >&2; exit 1; }
expect_status() {
  local expected="$1"; shift
  local status
  status="$(curl -s -o /dev/null -w '%{http_code}' "$@")"
  [ "$status" = "$expected" ] || fail "$* answered $status, expected $expected"
}

expect_status 200 http://localhost:7007/api/ingestion/v1/health
curl -s http://localhost:7007/api/ingestion/v1/health | node -e \
  'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>process.exit(JSON.stringify(JSON.parse(s))==="{\"status\":\"ok\"}"?0:1))' \
  || fail 'health body is not {"status":"ok"}'
expect_status 401 http://localhost:7007/api/ingestion/v1/organizations

# The catalog reads the demo org file in the background: wait until the demo users exist.
token=""
for _ in $(seq 1 60); do
  token="$(curl -s -H 'X-Requested-With: XMLHttpRequest' \
    'http://localhost:7007/api/auth/demo/refresh?user=finance-analyst' | node -e \
    'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{try{process.stdout.write(JSON.parse(s).backstageIdentity.token)}catch{}})')"
  [ -n "$token" ] && break
  sleep 2
done
[ -n "$token" ] || fail "no demo token for finance-analyst"
orgs="$(curl -s -H "Authorization: Bearer $token" http://localhost:7007/api/ingestion/v1/organizations)"
orgs="$(echo "$orgs" | tr -d ' \n')"
echo "$orgs" | grep -q '"id":"finance"' || fail "finance-analyst does not see finance: $orgs"
if echo "$orgs" | grep -q '"id":"retail"'; then fail "finance-analyst sees retail: $orgs"; fi
# Catalog entities of an organization are visible to its members only (the ingestion policy).
expect_status 200 -H "Authorization: Bearer $token" http://localhost:7007/api/catalog/entities/by-name/group/default/finance
expect_status 404 -H "Authorization: Bearer $token" http://localhost:7007/api/catalog/entities/by-name/group/default/retail
curl -fsS http://localhost:3000 | grep -q '<div id="root">' || fail "the frontend does not serve the app"

yarn playwright test --config playwright.config.ts
log "end-to-end smoke test passed"
