// The UI benchmark (issue 16): time until the Ingestion dashboard and its pipelines list are
// usable, next to the catalog's own entity list, on the same data, and the plugin's bundle size.
// Run it with bench/ui/run.sh (see bench/README.md, "UI benchmark").
//
// 1. PostgreSQL seeded by bench/seed.sql (default 10,000 pipelines, 1,000,000 runs), copied from
//    the template of that scale (bench/lib/database.mjs).
// 2. The production build of packages/app, rebuilt only when its sources changed
//    (lib/app-build.mjs), served by packages/backend's app-backend on the backend's port.
// 3. packages/backend (bench/lib/backend.mjs) with the catalog's ingestion entity provider on,
//    and app.baseUrl at the backend; then waiting until the catalog holds the pipelines.
// 4. Headless Chromium (lib/browser.mjs): cold and warm loads per page, rounds alternating order.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createBackend } from '../lib/backend.mjs';
import { createDatabase } from '../lib/database.mjs';
import {
  createLog,
  parseOptions,
  pgFromEnv,
  writeFormatted,
} from '../lib/util.mjs';
import { ensureAppBuild, linkAppDist } from './lib/app-build.mjs';
import { chromiumPath, measurePages, timeInteraction } from './lib/browser.mjs';
import { bundleSummary } from './lib/bundle.mjs';
import { report, scriptBytes, summarize } from './lib/results.mjs';

const require = createRequire(import.meta.url);
const pg = require('pg');

const UI_DIR = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(UI_DIR, '../..');
const WORK = path.join(ROOT, 'bench/.work/ui');

const opt = parseOptions(
  process.argv.slice(2),
  path.join(ROOT, 'bench/README.md'),
);
const o = {
  pipelines: Number(opt('pipelines', 'BENCH_PIPELINES', 10000)),
  runs: Number(opt('runs', 'BENCH_RUNS', 1000000)),
  rounds: Number(opt('rounds', 'BENCH_ROUNDS', 5)),
  user: opt('user', 'BENCH_USER', 'finance-analyst'),
  organization: opt('organization', 'BENCH_ORGANIZATION', 'finance'),
  reseed: opt('reseed', 'BENCH_RESEED', 'false') === 'true',
  rebuild: opt('rebuild', 'BENCH_REBUILD', 'false') === 'true',
  port: Number(opt('port', 'BENCH_PORT', 7077)),
  statsPort: Number(opt('stats-port', 'BENCH_STATS_PORT', 7078)),
  nodeEnv: 'development', // the demo sign-in
  extraConfigs: opt('config', 'BENCH_CONFIG', '')
    .split(',')
    .filter(Boolean)
    .map(p => path.resolve(p)),
  cpuProfile: false,
  catalogProvider: true,
  prefix: opt('db-prefix', 'BENCH_DB_PREFIX', 'ingestion_bench_'),
  buildTimeout: Number(opt('build-timeout', 'BENCH_BUILD_TIMEOUT', 1800)),
  backendTimeout: Number(opt('backend-timeout', 'BENCH_BACKEND_TIMEOUT', 300)),
  catalogTimeout: Number(opt('catalog-timeout', 'BENCH_CATALOG_TIMEOUT', 1800)),
  pageTimeout: Number(opt('page-timeout', 'BENCH_PAGE_TIMEOUT', 120)),
  pg: pgFromEnv(),
};

const log = createLog();
const database = createDatabase(o, { log });
const baseUrl = `http://127.0.0.1:${o.port}`;
const backend = createBackend(o, {
  work: WORK,
  database: database.name,
  configName: 'app-config.bench-ui.yaml',
  generator: 'bench/ui/bench-ui.mjs',
  // The app is served by the backend (app-backend), so the frontend's base URL is the backend's.
  extraConfig: { app: { baseUrl } },
  instrument: false,
});

/** The pages and what "usable" means on each (selectors of what the pages render today). */
const PAGES = [
  {
    id: 'ingestion',
    label: 'Ingestion dashboard',
    path: `/ingestion?organization=${o.organization}`,
    milestones: [
      // the health card's counts (one per health: failed, stale, quality breached, healthy, …)
      {
        name: 'cards',
        selector: '[data-testid^="health-"]',
        text: '\\d',
        all: true,
      },
      // the pipelines table's first row (its pipeline link)
      {
        name: 'table',
        selector:
          '#dashboard-pipelines table tbody tr a[href*="/ingestion/pipelines/"]',
      },
    ],
    // The pipelines list filtered on the server: a click on the health card's "Last run failed"
    // until the table shows that many pipelines (its title) and its first row.
    interaction: async (tab, timeoutMs) => {
      const link = tab.getByRole('button', {
        name: /^Show the \d+ pipelines: Last run failed$/,
      });
      const label = await link.getAttribute('aria-label', {
        timeout: timeoutMs,
      });
      const count = Number(/\d+/.exec(label)[0]);
      return {
        filterFailedMs: await timeInteraction(
          tab,
          link,
          n => {
            const list = document.getElementById('dashboard-pipelines');
            return (
              list?.textContent.includes(`Pipelines (${n})`) &&
              list.querySelector(
                'table tbody tr a[href*="/ingestion/pipelines/"]',
              )
            );
          },
          count,
          timeoutMs,
        ),
        count,
      };
    },
  },
  {
    id: 'catalog',
    label: 'Catalog entity list',
    // app-config.yaml mounts the catalog's index page at '/' (page:catalog path: /)
    path: '/?filters%5Bkind%5D=component',
    milestones: [
      { name: 'table', selector: 'table tbody tr a[href*="/catalog/"]' },
    ],
  },
];

async function catalogCount(token) {
  const r = await fetch(
    `${baseUrl}/api/catalog/entities/by-query?filter=kind=component&limit=1`,
    { headers: { Authorization: `Bearer ${token}` } },
  );
  if (!r.ok) throw new Error(`catalog by-query: ${r.status}`);
  return (await r.json()).totalItems;
}

/** Entities the catalog was given (refresh_state) and those stitched (final_entities). */
async function catalogProgress() {
  const client = new pg.Client({ ...o.pg, database: `${o.prefix}catalog` });
  await client.connect();
  try {
    const { rows } = await client.query(
      `SELECT (SELECT count(*) FROM refresh_state)::int AS emitted,
              (SELECT count(*) FROM final_entities WHERE final_entity IS NOT NULL)::int AS stitched`,
    );
    return rows[0];
  } finally {
    await client.end();
  }
}

async function main() {
  fs.mkdirSync(path.join(WORK, 'results'), { recursive: true });
  const startedAt = new Date().toISOString();
  const loadavg = os.loadavg();
  log(
    `machine: ${os.cpus().length} cores, load average ${loadavg
      .map(x => x.toFixed(2))
      .join(' ')}`,
  );
  const executablePath = chromiumPath();

  const build = await ensureAppBuild({
    root: ROOT,
    work: WORK,
    log,
    force: o.rebuild,
    timeoutMs: o.buildTimeout * 1000,
  });
  log('bundle: reading the build stats');
  const bundle = bundleSummary(build.dir);

  await database.dropOtherPluginDatabases();
  const db = await database.prepare();
  const dataset = await database.datasetFacts();
  const expected =
    dataset.organizations.find(x => x.organization_id === o.organization)
      ?.pipelines ?? 0;

  const unlink = linkAppDist(ROOT, build.dir);
  process.on('exit', unlink);
  try {
    const configFile = backend.writeConfig();
    log(
      `starting the backend (port ${o.port}, log ${path.relative(
        ROOT,
        path.join(WORK, 'backend.log'),
      )})`,
    );
    const started = performance.now();
    backend.start(configFile);
    await backend.waitFor(
      'the ingestion health endpoint',
      o.backendTimeout * 1000,
      async () => {
        const r = await fetch(`${baseUrl}/api/ingestion/v1/health`);
        return r.ok;
      },
    );
    await backend.waitFor('the app at /', 60_000, async () => {
      const r = await fetch(`${baseUrl}/`);
      return r.ok && (await r.text()).includes('<div id="root">');
    });
    log(
      `backend and app up in ${((performance.now() - started) / 1000).toFixed(
        1,
      )} s`,
    );
    const token = await backend.demoToken(o.user);

    // The catalog's ingestion entity provider pages through every pipeline at start-up (a
    // component each, and a resource per dataset its lineage names); the catalog then processes
    // and stitches them. Wait until the user sees their organization's pipelines and every
    // entity the catalog was given is stitched (or that count has not moved for 2 minutes), so
    // the measurement does not share the machine with the initial ingest.
    const catalogStarted = started; // the provider starts with the backend
    let lastLogged = 0;
    let stalled = { stitched: -1, since: performance.now() };
    const catalog = await backend.waitFor(
      `the catalog to hold ${expected} components of ${o.organization}, all stitched`,
      o.catalogTimeout * 1000,
      async () => {
        const components = await catalogCount(token);
        const { emitted, stitched } = await catalogProgress();
        if (stitched !== stalled.stitched)
          stalled = { stitched, since: performance.now() };
        if (performance.now() - lastLogged > 30_000) {
          lastLogged = performance.now();
          log(
            `catalog: ${components} components visible to ${o.user} (waiting for ${expected}); ${stitched} of ${emitted} entities stitched`,
          );
        }
        const settled =
          stitched >= emitted || performance.now() - stalled.since > 120_000;
        return components >= expected && settled
          ? { components, emitted, stitched }
          : undefined;
      },
    );
    const components = catalog.components;
    const catalogSeconds = (performance.now() - catalogStarted) / 1000;
    log(
      `catalog: ${components} components visible, ${catalog.stitched} of ${
        catalog.emitted
      } entities stitched after ${catalogSeconds.toFixed(0)} s`,
    );

    const samples = await measurePages({
      baseUrl,
      user: o.user,
      pages: PAGES,
      rounds: o.rounds,
      work: WORK,
      executablePath,
      timeoutMs: o.pageTimeout * 1000,
      log,
    });
    const version = (await import('node:child_process'))
      .spawnSync(executablePath, ['--version'], { encoding: 'utf8' })
      .stdout.trim();

    const run = {
      startedAt,
      options: o,
      machine: {
        cpus: os.cpus().length,
        model: os.cpus()[0]?.model,
        loadavg,
        loadavgEnd: os.loadavg(),
      },
      browser: { executablePath, version },
      database: { name: database.name, ...db },
      dataset,
      catalog: { ...catalog, seconds: catalogSeconds },
      build,
      bundle: { ...bundle, chunkFiles: undefined },
      pages: summarize(samples),
      scripts: scriptBytes(samples, bundle, PAGES),
      samples: samples.map(s => ({
        ...s,
        responses: s.responses?.filter(r => r.type === 'script'),
      })),
      resultsFile: path.join(
        WORK,
        'results',
        `${startedAt.replace(/[:.]/g, '-')}.json`,
      ),
    };
    writeFormatted(run.resultsFile, JSON.stringify(run, null, 2));
    fs.copyFileSync(run.resultsFile, path.join(WORK, 'results', 'latest.json'));
    console.log(report(run, { o, PAGES, baseUrl, work: WORK }));
  } finally {
    log('stopping the backend');
    await backend.stop();
    unlink();
  }
  log('done');
}

main().catch(async error => {
  console.error(error instanceof Error ? error.stack : error);
  await backend.stop();
  process.exit(1);
});
