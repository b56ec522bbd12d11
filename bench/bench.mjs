// The API benchmark of the ingestion backend; run it with bench/run.sh (see bench/README.md).
//
// 1. PostgreSQL: a dedicated database, migrated by the plugin's own knex migrations and seeded by
//    seed.sql (3 organizations, 100,000 pipelines, 1,000,000 runs); the seeded database is kept as
//    a template, so later runs copy it in seconds (until seed.sql, a migration or the scale changes).
// 2. The portal backend (packages/backend, whatever it wires) on that database, started like
//    `yarn workspace backend start` but without the file watcher, with bench/lib/instrument.cjs.
// 3. A demo user's token, then autocannon per scenario: a warm-up, then the measured run.
// 4. The floors: the health endpoint (HTTP stack), and for each list the very SQL the backend sent,
//    in psql (latency) and pgbench (throughput) - and the ratios of the API to them.
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { createFloor, inlineSql } from './lib/floor.mjs';
import { formatProfile, summarizeProfile } from './lib/profile-summary.mjs';
import { cpuBetween, cpuSnapshot } from './lib/system.mjs';

const require = createRequire(import.meta.url);
const autocannon = require('autocannon');
const knexFactory = require('knex');
const pg = require('pg');
const YAML = require('yaml');

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(BENCH_DIR, '..');
const WORK = path.join(BENCH_DIR, '.work');
const BACKEND_DIR = path.join(ROOT, 'packages/backend');
const MIGRATIONS_DIR = path.join(ROOT, 'plugins/ingestion-backend/migrations');
const T0 = performance.now();

// --- options -------------------------------------------------------------------------------------
const args = Object.fromEntries(
  process.argv.slice(2).map(a => {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(a);
    if (!m) {
      console.error(`unknown argument ${a}; see bench/README.md`);
      process.exit(2);
    }
    return [m[1], m[2] ?? 'true'];
  }),
);
if (args.help) {
  console.log(fs.readFileSync(path.join(BENCH_DIR, 'README.md'), 'utf8'));
  process.exit(0);
}
const opt = (name, env, fallback) => args[name] ?? process.env[env] ?? fallback;
const quick = opt('quick', 'BENCH_QUICK', 'false') === 'true';
const o = {
  connections: Number(opt('connections', 'BENCH_CONNECTIONS', 50)),
  duration: Number(opt('duration', 'BENCH_DURATION', quick ? 5 : 15)),
  warmup: Number(opt('warmup', 'BENCH_WARMUP', 2)),
  pipelines: Number(
    opt('pipelines', 'BENCH_PIPELINES', quick ? 10000 : 100000),
  ),
  runs: Number(opt('runs', 'BENCH_RUNS', quick ? 100000 : 1000000)),
  user: opt('user', 'BENCH_USER', 'finance-analyst'),
  organization: opt('organization', 'BENCH_ORGANIZATION', 'finance'),
  pipelinesDepth: Number(
    opt('pipelines-depth', 'BENCH_PIPELINES_DEPTH', quick ? 2000 : 20000),
  ),
  runsDepth: Number(opt('runs-depth', 'BENCH_RUNS_DEPTH', quick ? 2000 : 5000)),
  only: opt('only', 'BENCH_ONLY', '').split(',').filter(Boolean),
  reseed: opt('reseed', 'BENCH_RESEED', 'false') === 'true',
  port: Number(opt('port', 'BENCH_PORT', 7077)),
  statsPort: Number(opt('stats-port', 'BENCH_STATS_PORT', 7078)),
  nodeEnv: opt('node-env', 'BENCH_NODE_ENV', 'development'),
  extraConfigs: opt('config', 'BENCH_CONFIG', '')
    .split(',')
    .filter(Boolean)
    .map(p => path.resolve(p)),
  cpuProfile: opt('cpu-profile', 'BENCH_CPU_PROFILE', 'false') === 'true',
  pacedDuration: Number(
    opt('paced-duration', 'BENCH_PACED_DURATION', quick ? 3 : 5),
  ),
  rate: Number(opt('rate', 'BENCH_RATE', 0)),
  idle: Number(opt('idle', 'BENCH_IDLE', quick ? 3 : 10)),
  catalogProvider:
    opt('catalog-provider', 'BENCH_CATALOG_PROVIDER', 'off') !== 'off',
  pgbenchSeconds: Number(
    opt('pgbench-seconds', 'BENCH_PGBENCH_SECONDS', quick ? 2 : 3),
  ),
  prefix: opt('db-prefix', 'BENCH_DB_PREFIX', 'ingestion_bench_'),
  targetP99Ms: 50,
  pg: {
    host: process.env.PGHOST ?? '127.0.0.1',
    port: Number(process.env.PGPORT ?? 5432),
    user: process.env.PGUSER ?? 'postgres',
    password: process.env.PGPASSWORD ?? 'postgres',
  },
};
const DATABASE = `${o.prefix}ingestion`; // backend.database.prefix + the plugin id
const TEMPLATE = `${o.prefix}template_${o.pipelines}_${o.runs}`; // one per scale
const POOL_MAX = 10; // knex's default pool size, which Backstage keeps for PostgreSQL

/**
 * Files under bench/.work are not committed, but `prettier --check .` (part of ./portal test)
 * reads them too: generated YAML and JSON are written the way the repository's Prettier wants.
 */
function writeFormatted(file, text) {
  let out = text;
  try {
    const prettier = require('prettier');
    out = prettier.format(text, {
      ...(prettier.resolveConfig.sync(file) ?? {}),
      filepath: file,
    });
  } catch {
    // no Prettier: the content is the same, only the layout differs
  }
  fs.writeFileSync(file, out);
}

const log = message =>
  console.log(
    `[${((performance.now() - T0) / 1000).toFixed(1).padStart(6)}s] ${message}`,
  );

// --- PostgreSQL ----------------------------------------------------------------------------------
async function admin(fn) {
  const client = new pg.Client({ ...o.pg, database: 'postgres' });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
const ident = name => `"${name.replace(/"/g, '""')}"`;

function seedKey() {
  const hash = crypto.createHash('sha1');
  hash.update(fs.readFileSync(path.join(BENCH_DIR, 'seed.sql')));
  for (const file of fs.readdirSync(MIGRATIONS_DIR).sort()) {
    hash.update(file).update(fs.readFileSync(path.join(MIGRATIONS_DIR, file)));
  }
  hash.update(`${o.pipelines}/${o.runs}`);
  return `bench seed ${hash.digest('hex')}`;
}

async function createFromTemplate() {
  await admin(async c => {
    await c.query(`DROP DATABASE IF EXISTS ${ident(DATABASE)} WITH (FORCE)`);
    for (let attempt = 1; ; attempt++) {
      try {
        await c.query(
          `CREATE DATABASE ${ident(DATABASE)} TEMPLATE ${ident(
            TEMPLATE,
          )} STRATEGY = FILE_COPY`,
        );
        return;
      } catch (error) {
        // another session (autovacuum) on the template: wait and retry
        if (
          attempt >= 10 ||
          !/being accessed by other users/.test(error.message)
        )
          throw error;
        await sleep(1000);
      }
    }
  });
}

/** The other plugins' databases of earlier runs (catalog, auth, …): every run starts without them. */
async function dropOtherPluginDatabases() {
  await admin(async c => {
    const { rows } = await c.query(
      `SELECT datname FROM pg_database
       WHERE starts_with(datname, $1) AND NOT starts_with(datname, $2) AND datname <> $3`,
      [o.prefix, `${o.prefix}template_`, DATABASE],
    );
    for (const { datname } of rows) {
      await c.query(`DROP DATABASE IF EXISTS ${ident(datname)} WITH (FORCE)`);
    }
  });
}

async function prepareDatabase() {
  const key = seedKey();
  const template = await admin(async c => {
    const { rows } = await c.query(
      `SELECT shobj_description(oid, 'pg_database') AS comment FROM pg_database WHERE datname = $1`,
      [TEMPLATE],
    );
    return rows[0];
  });
  if (template && template.comment === key && !o.reseed) {
    log(`database ${DATABASE}: copying the seeded template ${TEMPLATE}`);
    await createFromTemplate();
    return { seeded: false };
  }
  log(
    `database ${DATABASE}: migrating and seeding ${o.pipelines} pipelines, ${o.runs} runs`,
  );
  await admin(async c => {
    await c.query(`DROP DATABASE IF EXISTS ${ident(TEMPLATE)} WITH (FORCE)`);
    await c.query(`DROP DATABASE IF EXISTS ${ident(DATABASE)} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${ident(DATABASE)}`);
  });
  const knex = knexFactory({
    client: 'pg',
    connection: { ...o.pg, database: DATABASE },
  });
  try {
    const [, applied] = await knex.migrate.latest({
      directory: MIGRATIONS_DIR,
    });
    log(`migrations applied: ${applied.join(', ')}`);
  } finally {
    await knex.destroy();
  }
  const started = performance.now();
  const seeded = spawnSync(
    'psql',
    [
      '-X',
      '-q',
      '-h',
      o.pg.host,
      '-p',
      String(o.pg.port),
      '-U',
      o.pg.user,
      '-d',
      DATABASE,
      '-v',
      `pipelines=${o.pipelines}`,
      '-v',
      `runs=${o.runs}`,
      '-f',
      path.join(BENCH_DIR, 'seed.sql'),
    ],
    {
      encoding: 'utf8',
      env: { ...process.env, PGPASSWORD: o.pg.password },
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  if (seeded.status !== 0)
    throw new Error('seeding failed (see the psql output above)');
  log(
    `seeded in ${((performance.now() - started) / 1000).toFixed(
      1,
    )} s; keeping it as ${TEMPLATE}`,
  );
  await admin(async c => {
    await c.query(
      `CREATE DATABASE ${ident(TEMPLATE)} TEMPLATE ${ident(
        DATABASE,
      )} STRATEGY = FILE_COPY`,
    );
    await c.query(
      `COMMENT ON DATABASE ${ident(TEMPLATE)} IS ${pg.escapeLiteral(key)}`,
    );
  });
  return { seeded: true, seedSeconds: (performance.now() - started) / 1000 };
}

async function datasetFacts() {
  const client = new pg.Client({ ...o.pg, database: DATABASE });
  await client.connect();
  try {
    const { rows } = await client.query(`
      SELECT organization_id,
             (SELECT count(*) FROM pipelines p WHERE p.organization_id = o.organization_id)::int AS pipelines,
             (SELECT count(*) FROM runs r WHERE r.organization_id = o.organization_id)::int AS runs
      FROM (SELECT DISTINCT organization_id FROM pipelines) o ORDER BY 1`);
    const size = await client.query(
      `SELECT pg_size_pretty(pg_database_size(current_database())) AS size, version() AS version`,
    );
    return {
      organizations: rows,
      size: size.rows[0].size,
      version: size.rows[0].version,
    };
  } finally {
    await client.end();
  }
}

// --- the backend ---------------------------------------------------------------------------------
function wiredPermissionPolicy() {
  const source = fs
    .readFileSync(path.join(BACKEND_DIR, 'src/index.ts'), 'utf8')
    .split('\n')
    .filter(line => !line.trim().startsWith('//'))
    .join('\n');
  const policies = [];
  if (/backend\.add\(\s*permissionModuleIngestionPolicy\s*\)/.test(source)) {
    policies.push('permissionModuleIngestionPolicy (ingestion org roles)');
  }
  if (/plugin-permission-backend-module-allow-all-policy/.test(source)) {
    policies.push('allow-all-policy');
  }
  const other =
    source.match(/backend\.add\([^)]*permission[^)]*policy[^)]*\)/gi) ?? [];
  if (policies.length === 0 && other.length) policies.push(...other);
  return policies.length
    ? policies.join(' + ')
    : 'none found in packages/backend/src/index.ts';
}

function writeBenchConfig() {
  const appConfig = YAML.parse(
    fs.readFileSync(path.join(ROOT, 'app-config.yaml'), 'utf8'),
  );
  // The organizations as app-config.yaml has them, with API quotas out of reach: a rate limiter,
  // if wired, still runs (and costs) on every request but does not turn the load into 429s.
  const organizations = (appConfig.ingestion?.organizations ?? []).map(org => ({
    ...org,
    quotas: {
      ...org.quotas,
      api: { requestsPerMinute: 1e9, requestsPerDay: 1e12 },
    },
  }));
  const config = {
    backend: {
      baseUrl: `http://127.0.0.1:${o.port}`,
      listen: { host: '127.0.0.1', port: o.port },
      database: {
        client: 'pg',
        connection: {
          host: o.pg.host,
          port: o.pg.port,
          user: o.pg.user,
          password: o.pg.password,
        },
        prefix: o.prefix,
      },
    },
    ingestion: {
      organizations,
      rateLimits: { unattributedPerUserPerMinute: 1e9 },
      demoData: { enabled: false },
    },
  };
  if (!o.catalogProvider) {
    // The catalog's ingestion entity provider pages through every pipeline at start-up (a full
    // refresh of 100,000 entities) and would load the backend during the measurement; it is a
    // separate workload with its own cost (--catalog-provider=on keeps it).
    config.catalog = { providers: { ingestion: { enabled: false } } };
  }
  if (o.nodeEnv !== 'development') {
    // The demo sign-in is development-only unless explicitly allowed; connections need a key.
    config.auth = {
      providers: { demo: { dangerouslyAllowOutsideDevelopment: true } },
    };
    config.ingestion.secrets = {
      masterKeys: [
        { id: 'bench', key: crypto.randomBytes(32).toString('base64') },
      ],
    };
  }
  const file = path.join(WORK, 'app-config.bench.yaml');
  writeFormatted(
    file,
    `# Generated by bench/bench.mjs for one benchmark run; do not edit.\n${YAML.stringify(
      config,
    )}`,
  );
  return file;
}

let backend;
function startBackend(configFile) {
  const logFile = path.join(WORK, 'backend.log');
  const out = fs.openSync(logFile, 'w');
  const profileDir = path.join(WORK, 'profiles');
  if (o.cpuProfile) {
    fs.rmSync(profileDir, { recursive: true, force: true });
    fs.mkdirSync(profileDir, { recursive: true });
  }
  const nodeArgs = [
    '--enable-source-maps',
    '--require',
    require.resolve('@backstage/cli-node/config/nodeTransform.cjs', {
      paths: [BACKEND_DIR],
    }),
    '--require',
    path.join(BENCH_DIR, 'lib/instrument.cjs'),
    'src/index.ts',
    '--config',
    path.join(ROOT, 'app-config.yaml'),
    '--config',
    configFile,
    ...o.extraConfigs.flatMap(file => ['--config', file]),
  ];
  const child = spawn(process.execPath, nodeArgs, {
    cwd: BACKEND_DIR,
    detached: true, // its own process group, so it is stopped with everything it started
    stdio: ['ignore', out, out],
    env: {
      ...process.env,
      NODE_ENV: o.nodeEnv,
      ESBK_TSCONFIG_PATH: path.join(ROOT, 'tsconfig.json'),
      BENCH_DATABASE: DATABASE,
      BENCH_STATS_PORT: String(o.statsPort),
      ...(o.cpuProfile ? { BENCH_CPU_PROFILE_DIR: profileDir } : {}),
    },
  });
  backend = { child, pgid: child.pid, logFile, exited: false };
  child.on('exit', code => {
    backend.exited = true;
    backend.exitCode = code;
  });
  return backend;
}

async function stopBackend() {
  if (!backend || backend.exited) return;
  try {
    process.kill(-backend.pgid, 'SIGTERM');
  } catch {
    return;
  }
  for (let i = 0; i < 150 && !backend.exited; i++) await sleep(100);
  try {
    process.kill(-backend.pgid, 'SIGKILL');
  } catch {
    // already gone
  }
}
function stopBackendNow() {
  if (backend && !backend.exited) {
    try {
      process.kill(-backend.pgid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}
process.on('exit', stopBackendNow);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    stopBackendNow();
    process.exit(130);
  });
}

function backendLogTail(lines = 30) {
  try {
    return fs
      .readFileSync(backend.logFile, 'utf8')
      .split('\n')
      .slice(-lines)
      .join('\n');
  } catch {
    return '';
  }
}

async function waitFor(what, timeoutMs, probe) {
  const deadline = performance.now() + timeoutMs;
  let last;
  while (performance.now() < deadline) {
    if (backend?.exited) {
      throw new Error(
        `the backend exited (${
          backend.exitCode
        }) while waiting for ${what}:\n${backendLogTail()}`,
      );
    }
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    await sleep(500);
  }
  throw new Error(
    `timed out waiting for ${what}: ${
      last?.message ?? ''
    }\n${backendLogTail()}`,
  );
}

const BASE = () => `http://127.0.0.1:${o.port}`;
const stats = {
  reset: () =>
    fetch(`http://127.0.0.1:${o.statsPort}/reset`, { method: 'POST' }),
  get: async profile =>
    (
      await fetch(
        `http://127.0.0.1:${o.statsPort}/stats${
          profile ? `?profile=${profile}` : ''
        }`,
      )
    ).json(),
};

// --- load ----------------------------------------------------------------------------------------
function cannon(url, headers, duration, extra = {}) {
  return autocannon({
    url,
    headers,
    connections: o.connections,
    duration,
    timeout: 30,
    ...extra,
  });
}

/**
 * Open-loop load: requests sent at evenly spaced times, `rate` per second, whatever the answers
 * take (up to `o.connections` at once; more wait for a socket). Latency is counted from each
 * request's scheduled time, so waiting for a socket counts too. autocannon's own pacing starts
 * all connections together, which sends bursts instead of an even rate.
 */
async function paced(url, headers, rate, seconds) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: o.connections });
  const latencies = [];
  let ok = 0;
  let non2xx = 0;
  let errors = 0;
  const pending = new Set();
  const send = scheduledAt =>
    new Promise(resolve => {
      const req = http.get(url, { agent, headers }, res => {
        res.resume();
        res.on('end', () => {
          latencies.push(performance.now() - scheduledAt);
          if (res.statusCode >= 200 && res.statusCode < 300) ok += 1;
          else non2xx += 1;
          resolve();
        });
      });
      req.setTimeout(30_000, () => req.destroy(new Error('timeout')));
      req.on('error', () => {
        errors += 1;
        resolve();
      });
    });
  const start = performance.now();
  const total = Math.round(rate * seconds);
  for (let i = 0; i < total; i++) {
    const scheduledAt = start + (i * 1000) / rate;
    const wait = scheduledAt - performance.now();
    if (wait >= 1) await sleep(wait);
    const promise = send(scheduledAt);
    pending.add(promise);
    promise.then(() => pending.delete(promise));
  }
  const deadline = performance.now() + 10_000;
  while (pending.size && performance.now() < deadline) await sleep(50);
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = q =>
    latencies.length
      ? Math.round(
          latencies[
            Math.min(latencies.length - 1, Math.floor(q * latencies.length))
          ],
        )
      : null;
  return {
    targetRps: rate,
    sent: total,
    ok,
    non2xx,
    errors,
    unfinished: pending.size,
    p50Ms: at(0.5),
    p90Ms: at(0.9),
    p99Ms: pending.size ? null : at(0.99),
    maxMs: pending.size ? null : at(1),
  };
}

async function activitySampler() {
  const client = new pg.Client({ ...o.pg, database: 'postgres' });
  await client.connect();
  const samples = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const { rows } = await client.query(
        `SELECT state, coalesce(wait_event_type || ':' || wait_event, 'CPU') AS wait
         FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`,
        [DATABASE],
      );
      samples.push(rows);
      await sleep(200);
    }
  })();
  return async () => {
    running = false;
    await loop;
    await client.end();
    const active = samples.map(rows => rows.filter(r => r.state === 'active'));
    const waits = {};
    for (const rows of active)
      for (const r of rows) waits[r.wait] = (waits[r.wait] ?? 0) + 1;
    const total = active.reduce((n, rows) => n + rows.length, 0);
    return {
      samples: samples.length,
      meanActiveQueries: samples.length ? total / samples.length : 0,
      meanConnections: samples.length
        ? samples.reduce((n, rows) => n + rows.length, 0) / samples.length
        : 0,
      waits: Object.entries(waits)
        .sort((a, b) => b[1] - a[1])
        .map(([wait, n]) => ({ wait, share: n / total })),
    };
  };
}

/**
 * Waits until none of the scenario's queries (`texts`) runs any more. A load run that ends leaves
 * requests behind whose client has gone (autocannon stops waiting), and the backend still runs
 * their queries; after 5 s those are cancelled, so the next phase starts clean. Other queries
 * (the backend's background tasks) are left alone.
 */
async function settle(what, texts = []) {
  if (texts.length === 0) return { ms: 0, cancelled: 0 };
  const client = new pg.Client({ ...o.pg, database: 'postgres' });
  await client.connect();
  const started = performance.now();
  let quietSince;
  let cancelled = 0;
  try {
    while (performance.now() - started < 60_000) {
      const { rows } = await client.query(
        `SELECT pid FROM pg_stat_activity
         WHERE datname = $1 AND state = 'active' AND query = ANY($2) AND pid <> pg_backend_pid()`,
        [DATABASE, texts],
      );
      if (rows.length === 0) {
        quietSince ??= performance.now();
        if (performance.now() - quietSince > 1000) break;
      } else {
        quietSince = undefined;
        if (performance.now() - started > 5000) {
          for (const { pid } of rows) {
            await client.query('SELECT pg_cancel_backend($1)', [pid]);
            cancelled += 1;
          }
        }
      }
      await sleep(200);
    }
  } finally {
    await client.end();
  }
  const ms = performance.now() - started;
  if (ms > 2000 || cancelled) {
    log(
      `${what}: waited ${(ms / 1000).toFixed(
        1,
      )} s for abandoned requests' queries` +
        (cancelled ? `, cancelled ${cancelled}` : ''),
    );
  }
  return { ms, cancelled };
}

async function terminateLeftovers() {
  await admin(c =>
    c.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
       WHERE datname = $1 AND pid <> pg_backend_pid()`,
      [DATABASE],
    ),
  );
}

async function measure(scenario, headers) {
  log(`${scenario.id}: warm-up ${o.warmup} s`);
  await stats.reset();
  await cannon(scenario.url, headers, o.warmup);
  const warm = await stats.get();
  // the list's query: the one started (about) once per request; health runs none. Transaction
  // control (BEGIN, SET LOCAL, COMMIT: the dashboard's statements run with PostgreSQL's JIT off)
  // is not a query to measure.
  const texts = scenario.sql
    ? [
        [...warm.queries]
          .filter(q => !/^\s*(begin|commit|rollback|set)\b/i.test(q.text))
          .sort((a, b) => b.started - a.started)[0]?.text,
      ].filter(Boolean)
    : [];
  await settle(`${scenario.id} warm-up`, texts);
  await stats.reset();
  const stopSampler = await activitySampler();
  const before = cpuSnapshot(backend.pgid);
  const result = await cannon(scenario.url, headers, o.duration);
  const after = cpuSnapshot(backend.pgid);
  const activity = await stopSampler();
  const inside = await stats.get(o.cpuProfile ? scenario.id : undefined);
  const backlog = await settle(scenario.id, texts);
  const ok = result['2xx'];
  const all = ok + result.non2xx;
  const route = `GET ${new URL(scenario.url).pathname}`;
  const server = inside.inbound.find(r => r.key === route);
  // Requests the backend finished in the window, whether or not autocannon still waited for them.
  const handled = server ? server.count : ok;
  const perRequest = v => (handled ? v / handled : 0);
  const latency = v => (ok ? v : null); // none completed: every request took longer than the run
  const main = inside.queries.find(q => q.text === texts[0]);
  const measured = {
    id: scenario.id,
    label: scenario.label,
    url: scenario.url,
    http: {
      requests: all,
      ok,
      non2xx: result.non2xx,
      errors: result.errors,
      timeouts: result.timeouts,
      rps: ok / result.duration,
      p50Ms: latency(result.latency.p50),
      p90Ms: latency(result.latency.p90),
      p99Ms: latency(result.latency.p99),
      maxMs: latency(result.latency.max),
      meanMs: latency(result.latency.average),
      bytesPerResponse: all ? result.throughput.total / all : 0,
      inFlightAtEnd: o.connections,
    },
    server: server && {
      route,
      handled: server.count,
      abandoned: server.abandoned,
      p50Ms: server.p50Ms,
      p99Ms: server.p99Ms,
      maxMs: server.maxMs,
    },
    backlog,
    cpu: cpuBetween(before, after),
    backend: {
      cpuMsPerRequest: perRequest(inside.cpuUserMs + inside.cpuSystemMs),
      eventLoopUtilization: inside.eventLoopUtilization,
      eventLoopDelay: inside.eventLoopDelay,
      gcMsPerRequest: perRequest(inside.gc.totalMs),
      gcMaxMs: inside.gc.maxMs,
      queriesPerRequest: perRequest(
        inside.queries.reduce((n, q) => n + q.count, 0),
      ),
      queries: inside.queries,
      outbound: inside.outbound.map(c => ({
        ...c,
        perRequest: perRequest(c.count),
      })),
    },
    postgres: activity,
    profile: inside.profile,
    mainQuery: main && {
      text: main.text,
      values: main.values,
      p50Ms: main.p50Ms,
      p99Ms: main.p99Ms,
      meanMs: main.meanMs,
    },
  };
  if (o.pacedDuration > 0) {
    // The same requests paced below capacity: latency when the server is not saturated.
    const rate = o.rate || Math.max(1, Math.round(measured.http.rps / 2));
    measured.paced = await paced(scenario.url, headers, rate, o.pacedDuration);
    await settle(`${scenario.id} paced`, texts);
  }
  const h = measured.http;
  const shown = v => (v === null ? `>${o.duration * 1000}` : v);
  log(
    `${scenario.id}: p50 ${shown(h.p50Ms)} ms, p99 ${shown(
      h.p99Ms,
    )} ms, ${h.rps.toFixed(1)} req/s` +
      (h.non2xx || h.errors
        ? `, ${h.non2xx} non-2xx, ${h.errors} errors`
        : '') +
      (measured.paced
        ? `; paced at ${measured.paced.targetRps} req/s: p50 ${
            measured.paced.p50Ms ?? `>${o.pacedDuration * 1000}`
          } ms, p99 ${measured.paced.p99Ms ?? `>${o.pacedDuration * 1000}`} ms`
        : ''),
  );
  return measured;
}

async function getJson(url, token) {
  const started = performance.now();
  const response = await fetch(url, {
    headers: token ? { Authorization: `Bearer ${token}` } : {},
  });
  const text = await response.text();
  if (!response.ok)
    throw new Error(`GET ${url}: ${response.status} ${text.slice(0, 300)}`);
  return {
    body: JSON.parse(text),
    headers: response.headers,
    ms: performance.now() - started,
  };
}

/** Follows nextCursor with the largest page size until `rows` rows deep; the cursor there. */
async function cursorAt(listUrl, rows, token) {
  let cursor;
  let depth = 0;
  let calls = 0;
  const started = performance.now();
  while (depth < rows) {
    const limit = Math.min(500, rows - depth);
    const url = `${listUrl}&limit=${limit}${
      cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''
    }`;
    const { body } = await getJson(url, token);
    calls += 1;
    depth += body.items.length;
    if (!body.nextCursor) break;
    cursor = body.nextCursor;
  }
  return { cursor, depth, calls, ms: performance.now() - started };
}

// --- report --------------------------------------------------------------------------------------
const f = (v, digits = 1) =>
  v === undefined || v === null || Number.isNaN(v)
    ? '-'
    : Number(v).toFixed(digits);
function table(headers, rows) {
  const widths = headers.map((h, i) =>
    Math.max(h.length, ...rows.map(r => String(r[i]).length)),
  );
  const line = cells =>
    cells
      .map((c, i) =>
        i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]),
      )
      .join('  ');
  return [
    line(headers),
    widths.map(w => '-'.repeat(w)).join('  '),
    ...rows.map(line),
  ].join('\n');
}

function report(run) {
  const out = [];
  const health = run.results.find(r => r.id === 'health');
  const never = `>${o.duration * 1000}`; // no response completed within the run
  const ms = v => (v === null || v === undefined ? never : v);
  const pacedMs = v =>
    v === null || v === undefined ? `>${o.pacedDuration * 1000}` : v;
  const meets = v =>
    v !== null && v !== undefined && v < o.targetP99Ms ? 'yes' : 'NO';
  // The API's p50 for ratios: autocannon's, or the backend's own when nothing completed in time.
  const p50 = r => r.http.p50Ms ?? r.server?.p50Ms;
  out.push('');
  out.push(`Ingestion API benchmark - ${run.startedAt}`);
  out.push(
    `machine: ${run.machine.cpus} cores (${run.machine.model}), Node ${
      process.versions.node
    }, ${run.dataset.version.split(',')[0]}`,
  );
  out.push(
    `data: ${run.dataset.organizations
      .map(x => `${x.organization_id} ${x.pipelines} pipelines/${x.runs} runs`)
      .join(', ')} (${run.dataset.size})`,
  );
  out.push(
    `backend: packages/backend, NODE_ENV=${o.nodeEnv}${
      o.extraConfigs.length
        ? `, extra config ${o.extraConfigs
            .map(c => path.relative(ROOT, c))
            .join(', ')}`
        : ''
    }`,
  );
  out.push(
    `permission policy wired: ${run.policy.wired}; observed: ${run.policy.observed}`,
  );
  out.push(`rate limiter: ${run.rateLimiter}`);
  out.push(
    `catalog ingestion entity provider: ${
      o.catalogProvider
        ? 'on'
        : 'off for the run (--catalog-provider=on keeps it)'
    }`,
  );
  out.push(
    `load: autocannon, ${o.connections} connections, ${o.warmup} s warm-up + ${o.duration} s per scenario, user ${o.user}; ` +
      `${f(run.machine.busyCoresBeforeStart, 2)} of ${
        run.machine.cpus
      } cores busy with other jobs before the start`,
  );
  const bg = run.background;
  out.push('');
  out.push(
    `Background, no requests (${bg.seconds} s): backend ${f(
      bg.cpu.backendCores,
      2,
    )} cores, ` +
      `PostgreSQL ${f(bg.cpu.postgresCores, 2)}, other processes ${f(
        bg.cpu.otherCores,
        2,
      )}; ` +
      `queries on the ingestion database by total time:`,
  );
  out.push(
    table(
      ['query (abridged)', 'calls', 'mean ms'],
      bg.queries
        .slice(0, 5)
        .map(q => [
          q.text.replace(/\s+/g, ' ').slice(0, 110),
          q.count,
          f(q.meanMs, 1),
        ]),
    ),
  );
  out.push('');
  out.push(
    `HTTP at saturation (autocannon, ${o.connections} connections, each sending its next request on a response)`,
  );
  out.push(
    table(
      [
        'scenario',
        'p50 ms',
        'p90 ms',
        'p99 ms',
        'max ms',
        'req/s',
        'ok/all',
        'KB/resp',
        `p99<${o.targetP99Ms}`,
      ],
      run.results.map(r => [
        r.label,
        ms(r.http.p50Ms),
        ms(r.http.p90Ms),
        ms(r.http.p99Ms),
        ms(r.http.maxMs),
        f(r.http.rps, r.http.rps < 10 ? 1 : 0),
        `${r.http.ok}/${r.http.requests}`,
        r.http.requests ? f(r.http.bytesPerResponse / 1024, 1) : '-',
        meets(r.http.p99Ms),
      ]),
    ),
  );
  if (run.results.some(r => r.http.ok === 0)) {
    out.push(
      `  ${never}: no response completed within the ${o.duration} s run; see the backend's own latency below`,
    );
  }
  if (run.results.some(r => r.paced)) {
    out.push('');
    out.push(
      `HTTP paced (open loop: evenly spaced requests at ${
        o.rate ? `${o.rate} req/s` : "half of each scenario's capacity above"
      }, ` + `latency from the scheduled send time, ${o.pacedDuration} s)`,
    );
    out.push(
      table(
        [
          'scenario',
          'req/s',
          'p50 ms',
          'p90 ms',
          'p99 ms',
          'max ms',
          `p99<${o.targetP99Ms}`,
        ],
        run.results
          .filter(r => r.paced)
          .map(r => [
            r.label,
            f(r.paced.targetRps, r.paced.targetRps < 10 ? 1 : 0),
            pacedMs(r.paced.p50Ms),
            pacedMs(r.paced.p90Ms),
            pacedMs(r.paced.p99Ms),
            pacedMs(r.paced.maxMs),
            meets(r.paced.p99Ms),
          ]),
      ),
    );
  }
  out.push('');
  out.push(
    'Floors and ratios (same run). HTTP floor: the health endpoint. DB floor: the SQL the API sent,',
  );
  out.push(
    `  in psql (sequential, client-side time) and pgbench (${POOL_MAX} clients = the backend's pool size)`,
  );
  out.push(
    table(
      [
        'scenario',
        'psql p50',
        'psql p99',
        'EXPLAIN exec',
        'pgbench tps',
        'p50/psql',
        'p50/health',
        'rps/health',
        'rps/pgbench',
      ],
      run.results.map(r => [
        r.label,
        r.floor ? f(r.floor.timed.p50Ms, 2) : '-',
        r.floor ? f(r.floor.timed.p99Ms, 2) : '-',
        r.floor ? f(r.floor.explain.executionMs, 2) : '-',
        r.floor
          ? f(r.floor.pgbench.tps, r.floor.pgbench.tps < 10 ? 1 : 0)
          : '-',
        r.floor ? `${f(p50(r) / r.floor.timed.p50Ms, 0)}x` : '-',
        health ? `${f(p50(r) / Math.max(health.http.p50Ms, 1), 1)}x` : '-',
        health ? f(r.http.rps / health.http.rps, 3) : '-',
        r.floor ? f(r.http.rps / r.floor.pgbench.tps, 2) : '-',
      ]),
    ),
  );
  out.push('');
  out.push(
    'Inside the backend (per request it handled in the window; latencies in ms, as the backend saw them)',
  );
  out.push(
    table(
      [
        'scenario',
        'server p50',
        'server p99',
        'CPU ms/req',
        'loop util',
        'GC ms/req',
        'SQL/req',
        'SQL p50',
        'SQL p99',
        'perm/req',
        'perm p50',
        'perm p99',
      ],
      run.results.map(r => {
        const perm = r.backend.outbound.find(c =>
          c.key.includes('/api/permission/authorize'),
        );
        return [
          r.label,
          r.server ? f(r.server.p50Ms, 0) : '-',
          r.server ? f(r.server.p99Ms, 0) : '-',
          f(r.backend.cpuMsPerRequest, 2),
          f(r.backend.eventLoopUtilization, 2),
          f(r.backend.gcMsPerRequest, 2),
          f(r.backend.queriesPerRequest, 1),
          r.mainQuery ? f(r.mainQuery.p50Ms, 1) : '-',
          r.mainQuery ? f(r.mainQuery.p99Ms, 1) : '-',
          perm ? f(perm.perRequest, 1) : '0',
          perm ? f(perm.p50Ms, 1) : '-',
          perm ? f(perm.p99Ms, 1) : '-',
        ];
      }),
    ),
  );
  out.push(
    '  SQL and perm latencies include waiting for the event loop, and SQL also for the pool.',
  );
  out.push('');
  out.push(
    `Cores in use during each run (of ${run.machine.cpus}): backend, PostgreSQL (whole server), load generator, other processes`,
  );
  out.push(
    table(
      [
        'scenario',
        'backend',
        'postgres',
        'autocannon',
        'other',
        'PG active',
        'PG waits',
        'backlog cancelled',
      ],
      run.results.map(r => [
        r.label,
        f(r.cpu.backendCores, 2),
        f(r.cpu.postgresCores, 2),
        f(r.cpu.loadGeneratorCores, 2),
        f(r.cpu.otherCores, 2),
        f(r.postgres.meanActiveQueries, 1),
        r.postgres.waits
          .slice(0, 2)
          .map(w => `${w.wait} ${f(w.share * 100, 0)}%`)
          .join(', ') || '-',
        r.backlog.cancelled,
      ]),
    ),
  );
  for (const r of run.results.filter(x => x.floor)) {
    out.push('');
    const text = r.mainQuery.text;
    out.push(
      `${r.label}: SQL as sent${text.length > 200 ? ' (abridged)' : ''}:`,
    );
    out.push(`  ${text.length > 200 ? `${text.slice(0, 197)}...` : text}`);
    out.push(
      `  plan (EXPLAIN ANALYZE: ${f(r.floor.explain.executionMs, 2)} ms, ${
        r.floor.explain.sharedBuffers
      } buffers):`,
    );
    for (const line of r.floor.explain.shape.slice(0, 8))
      out.push(`    ${line}`);
  }
  for (const r of run.results.filter(x => x.profile)) {
    out.push('');
    out.push(
      `${r.label} - ${formatProfile(
        summarizeProfile(r.profile, 15),
        r.http.requests,
      )}`,
    );
  }
  const noisy = run.results.filter(r => r.cpu.otherCores > 0.3);
  if (noisy.length) {
    out.push('');
    out.push(
      `NOISY: other processes used more than 0.3 cores during ${noisy
        .map(r => r.id)
        .join(', ')}; ` +
        'those figures are pessimistic, repeat the run on a quieter machine',
    );
  }
  const peer = run.results.find(r => r.id === 'catalog-by-query');
  const lists = run.results.filter(
    r => r.id !== 'health' && r.id !== 'catalog-by-query',
  );
  if (health && lists.length) {
    out.push('');
    out.push(
      "Issue 17's goals (same run): each list >= 0.6x health's req/s" +
        (peer ? ` and >= the catalog peer's ${f(peer.http.rps, 0)} req/s` : ''),
    );
    for (const r of lists) {
      const ratio = r.http.rps / health.http.rps;
      out.push(
        `  ${r.id}: ${f(ratio, 3)}x health ${
          ratio >= 0.6 ? 'met' : 'NOT met'
        }` +
          (peer
            ? `; ${f(r.http.rps / peer.http.rps, 2)}x the catalog ${
                r.http.rps >= peer.http.rps ? 'met' : 'NOT met'
              }`
            : ''),
      );
    }
  }
  const misses = run.results.filter(
    r => r.id !== 'health' && meets(r.http.p99Ms) === 'NO',
  );
  out.push('');
  out.push(
    misses.length
      ? `Target p99 < ${o.targetP99Ms} ms at ${
          o.connections
        } connections: missed by ${misses
          .map(r => `${r.id} (${ms(r.http.p99Ms)} ms)`)
          .join(', ')}`
      : `Target p99 < ${o.targetP99Ms} ms at ${o.connections} connections: met by every API scenario`,
  );
  const invalid = run.results.filter(
    r => r.http.non2xx || r.http.errors || r.paced?.non2xx || r.paced?.errors,
  );
  if (invalid.length) {
    out.push(
      `INVALID: non-2xx or errors in ${invalid
        .map(r => r.id)
        .join(', ')} (see ${path.relative(ROOT, run.resultsFile)})`,
    );
  }
  out.push(
    `full results: ${path.relative(
      ROOT,
      run.resultsFile,
    )}; plans: bench/.work/*.plan.txt; backend log: ${path.relative(
      ROOT,
      backend.logFile,
    )}`,
  );
  return out.join('\n');
}

// --- main ----------------------------------------------------------------------------------------
async function main() {
  fs.mkdirSync(path.join(WORK, 'results'), { recursive: true });
  const startedAt = new Date().toISOString();
  const idle = cpuSnapshot();
  await sleep(1000);
  const busy = cpuBetween(idle, cpuSnapshot());
  log(
    `machine: ${os.cpus().length} cores, ${f(
      busy.machineCores,
      2,
    )} busy before starting (other jobs)`,
  );

  await dropOtherPluginDatabases();
  const db = await prepareDatabase();
  const dataset = await datasetFacts();

  const configFile = writeBenchConfig();
  const policyWired = wiredPermissionPolicy();
  log(
    `starting the backend (NODE_ENV=${o.nodeEnv}, port ${
      o.port
    }, log ${path.relative(ROOT, path.join(WORK, 'backend.log'))})`,
  );
  const startedBackend = performance.now();
  startBackend(configFile);
  await waitFor('the ingestion health endpoint', 240_000, async () => {
    const r = await fetch(`${BASE()}/api/ingestion/v1/health`);
    return r.ok;
  });
  log(
    `backend up in ${((performance.now() - startedBackend) / 1000).toFixed(
      1,
    )} s`,
  );
  const token = await waitFor(
    `a demo token for ${o.user}`,
    120_000,
    async () => {
      const r = await fetch(`${BASE()}/api/auth/demo/refresh?user=${o.user}`, {
        headers: { 'X-Requested-With': 'XMLHttpRequest' },
      });
      if (!r.ok) return undefined;
      return (await r.json()).backstageIdentity?.token;
    },
  );
  const headers = { Authorization: `Bearer ${token}` };
  const api = `${BASE()}/api/ingestion/v1`;

  // What the permission policy lets this user see of another organization.
  const other = dataset.organizations.find(
    x => x.organization_id !== o.organization,
  )?.organization_id;
  let observed = 'n/a';
  let rateLimiter = 'not observed';
  const first = await getJson(
    `${api}/pipelines?organization=${o.organization}&limit=1`,
    token,
  );
  if (first.headers.get('x-ratelimit-limit')) {
    rateLimiter = `wired (X-RateLimit-Limit ${first.headers.get(
      'x-ratelimit-limit',
    )}; quotas raised for the run)`;
  }
  if (other) {
    try {
      const seen = await getJson(
        `${api}/pipelines?organization=${other}&limit=1`,
        token,
      );
      observed = seen.body.items.length
        ? `${o.user} CAN list ${other} pipelines`
        : `${o.user} cannot list ${other} pipelines`;
    } catch (error) {
      observed = `${o.user} gets ${
        /: (\d{3})/.exec(error.message)?.[1] ?? 'an error'
      } for ${other} pipelines`;
    }
  }
  log(`permission policy wired: ${policyWired}; observed: ${observed}`);

  const scenarios = [
    {
      id: 'health',
      label: 'health (HTTP floor)',
      url: `${api}/health`,
      auth: false,
    },
    {
      id: 'pipelines',
      label: 'pipelines page 1',
      url: `${api}/pipelines?organization=${o.organization}`,
      auth: true,
      sql: true,
    },
    {
      id: 'pipelines-deep',
      deep: {
        list: `${api}/pipelines?organization=${o.organization}`,
        rows: o.pipelinesDepth,
      },
      auth: true,
      sql: true,
    },
    {
      id: 'runs',
      label: 'runs page 1',
      url: `${api}/runs?organization=${o.organization}`,
      auth: true,
      sql: true,
    },
    {
      id: 'runs-deep',
      deep: {
        list: `${api}/runs?organization=${o.organization}`,
        rows: o.runsDepth,
      },
      auth: true,
      sql: true,
    },
    // Spend: a chart (30 days by team), a cost card (one request, several queries: the floor is
    // its most frequent one), the month's cost per pipeline.
    {
      id: 'costs-spend',
      label: 'spend 30 days by team',
      url: `${api}/costs/spend?organization=${o.organization}&groupBy=owner&granularity=day`,
      auth: true,
      sql: true,
      nonEmpty: body => body.points?.length,
    },
    {
      id: 'costs-summary',
      label: 'cost card summary',
      url: `${api}/costs/summary?organization=${o.organization}`,
      auth: true,
      sql: true,
      nonEmpty: body => body.trend?.some(t => t.amount > 0),
    },
    {
      id: 'costs-pipelines',
      label: 'cost per pipeline, page 1',
      url: `${api}/costs/pipelines?organization=${o.organization}`,
      auth: true,
      sql: true,
    },
    // The organization dashboard (issue 16): one request, several aggregates over every pipeline
    // of the organization (health needs each one's latest runs); its pipelines table filtered by
    // health, which computes the health of every pipeline before paging.
    {
      id: 'dashboard',
      label: 'organization dashboard',
      url: `${api}/organizations/${o.organization}/dashboard`,
      auth: true,
      sql: true,
      nonEmpty: body => body.pipelines?.total,
    },
    {
      id: 'dashboard-pipelines',
      label: 'dashboard pipelines, last run failed',
      url: `${api}/organizations/${o.organization}/dashboard/pipelines?status=failed`,
      auth: true,
      sql: true,
    },
    // The peer a portal operator compares us with: the catalog's own list, same user and policy
    // (its entities are filtered by the same permission policy's catalog conditions).
    {
      id: 'catalog-by-query',
      label: 'catalog by-query (peer)',
      url: `${BASE()}/api/catalog/entities/by-query?limit=50`,
      auth: true,
    },
  ].filter(s => !o.only.length || o.only.includes(s.id));

  for (const s of scenarios.filter(x => x.deep)) {
    const at = await cursorAt(s.deep.list, s.deep.rows, token);
    s.url = `${s.deep.list}&cursor=${encodeURIComponent(at.cursor)}`;
    s.label = `${s.id.replace('-deep', '')} page ${
      Math.floor(at.depth / 50) + 1
    } (cursor)`;
    log(
      `${s.id}: cursor ${at.depth} rows deep after ${
        at.calls
      } pages of 500 in ${(at.ms / 1000).toFixed(1)} s`,
    );
  }

  // What the backend does on its own (scheduled tasks) with this data, before any load.
  log(`background: ${o.idle} s without requests`);
  await stats.reset();
  const idleBefore = cpuSnapshot(backend.pgid);
  await sleep(o.idle * 1000);
  const idleCpu = cpuBetween(idleBefore, cpuSnapshot(backend.pgid));
  const idleInside = await stats.get();
  const background = {
    seconds: o.idle,
    cpu: idleCpu,
    queries: idleInside.queries
      .map(q => ({
        text: q.text,
        count: q.count,
        meanMs: q.meanMs,
        totalMs: q.count * q.meanMs,
      }))
      .sort((a, b) => b.totalMs - a.totalMs),
  };

  const results = [];
  for (const s of scenarios) {
    const check = await getJson(s.url, s.auth ? token : undefined);
    if (s.id === 'catalog-by-query') {
      // The catalog holds what app-config's locations (and the provider, when on) give it: far
      // fewer entities than the ingestion store (see the README), so this peer is an upper bound.
      s.label = `catalog by-query (${check.body.totalItems ?? '?'} visible)`;
    }
    const nonEmpty = s.nonEmpty ?? (body => body.items?.length);
    if (s.id !== 'health' && !nonEmpty(check.body)) {
      throw new Error(
        `${s.id}: ${s.url} returned no items; the seed or the cursor is wrong`,
      );
    }
    results.push(await measure(s, s.auth ? headers : {}));
  }

  log('stopping the backend');
  await stopBackend();
  await terminateLeftovers();

  const floor = createFloor({ pg: o.pg, database: DATABASE });
  for (const r of results) {
    if (!r.mainQuery) continue;
    const sql = inlineSql(r.mainQuery);
    const explain = floor.explain(sql);
    const times = Math.max(
      5,
      Math.min(300, Math.round(1500 / Math.max(explain.executionMs, 0.05))),
    );
    const timed = floor.timed(sql, times);
    const pgbench = floor.pgbench(sql, {
      clients: POOL_MAX,
      seconds: o.pgbenchSeconds,
      file: path.join(WORK, `${r.id}.pgbench.sql`),
    });
    fs.writeFileSync(
      path.join(WORK, `${r.id}.plan.txt`),
      `${sql};\n\n${explain.text}`,
    );
    r.floor = { sql, explain, timed, pgbench };
    log(
      `${r.id}: psql p50 ${f(timed.p50Ms, 2)} ms (${
        timed.runs
      } runs), pgbench ${f(pgbench.tps, 0)} tps`,
    );
  }

  const run = {
    startedAt,
    options: o,
    machine: {
      cpus: os.cpus().length,
      model: os.cpus()[0]?.model,
      busyCoresBeforeStart: busy.machineCores,
    },
    database: { name: DATABASE, ...db },
    dataset,
    policy: { wired: policyWired, observed },
    rateLimiter,
    background,
    results,
    resultsFile: path.join(
      WORK,
      'results',
      `${startedAt.replace(/[:.]/g, '-')}.json`,
    ),
  };
  writeFormatted(run.resultsFile, JSON.stringify(run, null, 2));
  fs.copyFileSync(run.resultsFile, path.join(WORK, 'results', 'latest.json'));
  console.log(report(run));
  log('done');
  if (results.some(r => r.http.non2xx || r.http.errors)) process.exitCode = 1;
}

main().catch(async error => {
  console.error(error instanceof Error ? error.stack : error);
  await stopBackend();
  process.exit(1);
});
