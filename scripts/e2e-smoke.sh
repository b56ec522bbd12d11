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
# The OpenTelemetry metrics endpoint (packages/backend/src/instrumentation.js) on a free port, so a
# busy :9464 never matters; the metrics check below scrapes it.
metrics_port="$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
export OTEL_SDK_DISABLED=false OTEL_EXPORTER_PROMETHEUS_PORT="$metrics_port"
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

# Isolation probes an outsider would try against the running portal (the backend README's security model).
token_of() {
  curl -s -H 'X-Requested-With: XMLHttpRequest' "http://localhost:7007/api/auth/demo/refresh?user=$1" | node -e \
    'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{try{process.stdout.write(JSON.parse(s).backstageIdentity.token)}catch{}})'
}
json_field() { node -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{const v=JSON.parse(s)$1;process.stdout.write(String(v??''))})"; }
viewer="$(token_of finance-viewer)"; analyst="$token"; admin="$(token_of finance-admin)"; outsider="$(token_of retail-engineer)"
system_uid=""
for _ in $(seq 1 60); do # the provider's entities are processed in the background
  system_uid="$(curl -s -H "Authorization: Bearer $admin" http://localhost:7007/api/catalog/entities/by-name/system/finance/finance-data-platform | json_field '.metadata?.uid' 2>/dev/null || true)"
  [ -n "$system_uid" ] && break
  sleep 2
done
[ -n "$system_uid" ] || fail "finance-admin does not see finance's System"
expect_status 403 -X DELETE -H "Authorization: Bearer $viewer" "http://localhost:7007/api/catalog/entities/by-uid/$system_uid"
expect_status 404 -H "Authorization: Bearer $outsider" http://localhost:7007/api/catalog/entities/by-name/system/finance/finance-data-platform
expect_status 403 -X POST -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' \
  -d '{"type":"url","target":"https://example.com/catalog-info.yaml"}' http://localhost:7007/api/catalog/locations
outsider_pipelines="$(curl -s -H "Authorization: Bearer $outsider" 'http://localhost:7007/api/ingestion/v1/pipelines?organization=finance' | json_field .items.length)"
[ "$outsider_pipelines" = "0" ] || fail "retail-engineer lists $outsider_pipelines of finance's pipelines"
expect_status 400 -H "Authorization: Bearer $analyst" 'http://localhost:7007/api/ingestion/v1/pipelines?organization=finance&cursor=eyJ2YWx1ZSI6MSwiaWQiOiJ4In0'
# A connection to the portal's own machine is refused before anything connects.
connection="$(curl -s -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' -X POST \
  -d '{"organization":"finance","name":"smoke-loopback","type":"postgres","host":"::ffff:7f00:1","port":5432,"user":"postgres","database":"postgres","password":"x"}' \
  http://localhost:7007/api/ingestion/v1/connections | json_field .id)"
[ -n "$connection" ] || fail "finance-admin could not create a connection"
expect_status 400 -X POST -H "Authorization: Bearer $admin" "http://localhost:7007/api/ingestion/v1/connections/$connection/test"
expect_status 204 -X DELETE -H "Authorization: Bearer $admin" "http://localhost:7007/api/ingestion/v1/connections/$connection"

# The ingestion actions are in the actions registry (backend.actions.pluginSources), for a member's
# token, as backstage-cli actions and the MCP actions backend list them.
actions="$(curl -s -H "Authorization: Bearer $analyst" http://localhost:7007/api/ingestion/.backstage/actions/v1/actions | json_field '.actions.map(a=>a.id).join(" ")')"
for action in ingestion:list-pipelines ingestion:trigger-run ingestion:get-run; do
  [[ " $actions " == *" $action "* ]] || fail "the actions registry does not list $action: $actions"
done
expect_status 401 http://localhost:7007/api/ingestion/.backstage/actions/v1/actions
# ... and the MCP actions backend offers them to an agent as tools (stateless streamable HTTP).
curl -s -X POST -H "Authorization: Bearer $analyst" -H 'Content-Type: application/json' \
  -H 'Accept: application/json, text/event-stream' -d '{"jsonrpc":"2.0","id":1,"method":"tools/list"}' \
  http://localhost:7007/api/mcp-actions/v1 | grep -q 'list-pipelines' || fail "the MCP actions backend lists no ingestion tools"
# The Prometheus endpoint serves the ingestion plugin's series (the demo runs', quota gauges).
metrics=""
for _ in $(seq 1 30); do
  metrics="$(curl -s "http://localhost:$metrics_port/metrics" | grep -c '^ingestion_' || true)"
  [ "${metrics:-0}" -gt 0 ] && break
  sleep 2
done
[ "${metrics:-0}" -gt 0 ] || fail "no ingestion_ series at http://localhost:$metrics_port/metrics"

if [ -n "${E2E_SPECS:-}" ]; then
  # A developer's focused run (E2E_SPECS="packages/app/e2e-tests/x.test.ts ..."): those specs only.
  # shellcheck disable=SC2086
  yarn playwright test --config playwright.config.ts $E2E_SPECS
  log "end-to-end specs passed: $E2E_SPECS"
  exit 0
fi
yarn playwright test --config playwright.config.ts

# The browser test started a scaffolder task as finance-engineer: nobody else lists it.
engineer_tasks="$(curl -s -H "Authorization: Bearer $(token_of finance-engineer)" http://localhost:7007/api/scaffolder/v2/tasks | json_field .tasks.length)"
[ "${engineer_tasks:-0}" -ge 1 ] || fail "finance-engineer does not see the task it started"
outsider_tasks="$(curl -s -H "Authorization: Bearer $outsider" http://localhost:7007/api/scaffolder/v2/tasks | json_field .tasks.length)"
[ "$outsider_tasks" = "0" ] || fail "retail-engineer lists $outsider_tasks scaffolder tasks of others"
log "end-to-end smoke test passed"
