// The API benchmark of the ingestion backend; run it with bench/run.sh (see bench/README.md).
// This file is the orchestration; the parts are in lib/ (database.mjs, backend.mjs, load.mjs,
// report.mjs, floor.mjs, system.mjs, util.mjs).
//
// 1. PostgreSQL: a dedicated database, migrated by the plugin's own knex migrations and seeded by
//    seed.sql (3 organizations, 100,000 pipelines, 1,000,000 runs); the seeded database is kept as
//    a template, so later runs copy it in seconds (until seed.sql, a migration or the scale changes).
// 2. The portal backend (packages/backend, whatever it wires) on that database, started like
//    `yarn workspace backend start` but without the file watcher, with bench/lib/instrument.cjs.
// 3. A demo user's token (and an admin's, for the audit log), then autocannon per scenario: a
//    warm-up, then the measured run.
// 4. The floors: the health endpoint (HTTP stack), and for each list the very SQL the backend sent,
//    in psql (latency) and pgbench (throughput) - and the ratios of the API to them.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { createBackend } from './lib/backend.mjs';
import { createDatabase } from './lib/database.mjs';
import { createFloor, inlineSql } from './lib/floor.mjs';
import { createLoad } from './lib/load.mjs';
import { report } from './lib/report.mjs';
import { cpuBetween, cpuSnapshot } from './lib/system.mjs';
import {
  createLog,
  f,
  getJson,
  parseOptions,
  pgFromEnv,
  writeFormatted,
} from './lib/util.mjs';

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(BENCH_DIR, '..');
const WORK = path.join(BENCH_DIR, '.work');

// --- options -------------------------------------------------------------------------------------
const opt = parseOptions(
  process.argv.slice(2),
  path.join(BENCH_DIR, 'README.md'),
);
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
  // The audit log is for the organization's admins only (others get a 403, itself audited).
  adminUser: opt('admin-user', 'BENCH_ADMIN_USER', ''),
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
  pg: pgFromEnv(),
};
const POOL_MAX = 10; // knex's default pool size, which Backstage keeps for PostgreSQL

const log = createLog();
const database = createDatabase(o, { log });
const DATABASE = database.name;
const backend = createBackend(o, { work: WORK, database: DATABASE });
const BASE = backend.base;
const { stats } = backend;
const { measure, cursorAt } = createLoad(o, { backend, database, log });

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

  await database.dropOtherPluginDatabases();
  const db = await database.prepare();
  const dataset = await database.datasetFacts();

  const configFile = backend.writeConfig();
  const policyWired = backend.wiredPermissionPolicy();
  log(
    `starting the backend (NODE_ENV=${o.nodeEnv}, port ${
      o.port
    }, log ${path.relative(ROOT, path.join(WORK, 'backend.log'))})`,
  );
  const startedBackend = performance.now();
  backend.start(configFile);
  await backend.waitFor('the ingestion health endpoint', 240_000, async () => {
    const r = await fetch(`${BASE()}/api/ingestion/v1/health`);
    return r.ok;
  });
  log(
    `backend up in ${((performance.now() - startedBackend) / 1000).toFixed(
      1,
    )} s`,
  );
  const token = await backend.demoToken(o.user);
  const adminUser = o.adminUser || `${o.organization}-admin`;
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
    // The other lists of issue 17: the tables the pipelines write, quality results (newest
    // first, readable where the run's pipeline is) and the audit log (an admin's: see adminUser).
    {
      id: 'tables',
      label: 'tables page 1',
      url: `${api}/tables?organization=${o.organization}`,
      auth: true,
      sql: true,
    },
    {
      id: 'quality',
      label: 'quality results page 1',
      url: `${api}/quality?organization=${o.organization}`,
      auth: true,
      sql: true,
    },
    {
      id: 'audit',
      label: `audit page 1 (${adminUser})`,
      url: `${api}/audit?organization=${o.organization}`,
      auth: true,
      user: adminUser,
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
  // A scenario's own user (the audit log's admin): a token of theirs, once.
  const tokens = new Map([[o.user, token]]);
  for (const s of scenarios.filter(x => x.user && !tokens.has(x.user))) {
    tokens.set(s.user, await backend.demoToken(s.user));
  }
  const tokenOf = s => (s.auth ? tokens.get(s.user ?? o.user) : undefined);

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
  const idleBefore = cpuSnapshot(backend.current.pgid);
  await sleep(o.idle * 1000);
  const idleCpu = cpuBetween(idleBefore, cpuSnapshot(backend.current.pgid));
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
    const check = await getJson(s.url, tokenOf(s));
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
    results.push(
      await measure(s, s.auth ? { Authorization: `Bearer ${tokenOf(s)}` } : {}),
    );
  }

  log('stopping the backend');
  await backend.stop();
  await database.terminateLeftovers();

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
  console.log(
    report(run, o, { poolMax: POOL_MAX, backendLog: backend.current.logFile }),
  );
  log('done');
  if (results.some(r => r.http.non2xx || r.http.errors)) process.exitCode = 1;
}

main().catch(async error => {
  console.error(error instanceof Error ? error.stack : error);
  await backend.stop();
  process.exit(1);
});
