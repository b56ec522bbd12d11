// The catalog benchmark of Ingestion for Backstage; run it with bench/catalog/run.sh (see README.md).
//
// In one process, on the local PostgreSQL:
// 1. seed an ingestion database: 3 organizations, 20,000 pipelines (specs, versions, lineage
//    edges) and 100,000 tables;
// 2. start a portal backend (the real catalog, the ingestion plugin, the entity provider of
//    catalog-backend-module-ingestion) on a fresh catalog database and let the provider build and
//    apply a full mutation: time and peak memory, then the time until every entity is visible
//    through the catalog API;
// 3. a full refresh with nothing changed: how many entities the catalog has to process again;
// 4. pipeline changes through the ingestion API: the time until each is visible in the catalog;
// 5. the baseline: a trivial provider that applies the same entities (already built) to another
//    fresh catalog database, and the time until they are all visible;
// 6. the ratios.
'use strict';

const { performance, PerformanceObserver } = require('node:perf_hooks');
const crypto = require('node:crypto');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '../..');
const req = module => require(require.resolve(module, { paths: [ROOT] }));

const knexFactory = req('knex');
const { startTestBackend, mockServices, mockCredentials } = req(
  '@backstage/backend-test-utils',
);
const { coreServices, createBackendModule, createServiceFactory } = req(
  '@backstage/backend-plugin-api',
);
const { catalogProcessingExtensionPoint } = req(
  '@backstage/plugin-catalog-node',
);
const catalogPlugin = req('@backstage/plugin-catalog-backend').default;
const ingestionPlugin = require(path.join(
  ROOT,
  'plugins/ingestion-backend/src/plugin.ts',
)).ingestionPlugin;
const { IngestionEntityProvider } = require(path.join(
  ROOT,
  'plugins/catalog-backend-module-ingestion/src/provider/IngestionEntityProvider.ts',
));
const { IngestionCatalogClient } = require(path.join(
  ROOT,
  'plugins/catalog-backend-module-ingestion/src/provider/IngestionCatalogClient.ts',
));
const { applyDatabaseMigrations } = require(path.join(
  ROOT,
  'plugins/ingestion-backend/src/database/migrations.ts',
));

// --- options -------------------------------------------------------------------------------------
const args = Object.fromEntries(
  process.argv.slice(2).map(arg => {
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!match) {
      console.error(`unknown argument ${arg}; see bench/catalog/README.md`);
      process.exit(2);
    }
    return [match[1], match[2] ?? 'true'];
  }),
);
const quick = args.quick === 'true';
const PIPELINES = Number(args.pipelines ?? (quick ? 1000 : 20000));
const TABLES = Number(args.tables ?? (quick ? 5000 : 100000));
const ORGS = ['finance', 'retail', 'healthcare'];
const SOURCES_PER_ORG = Number(args.sources ?? 500);
const DELTAS = Number(args.deltas ?? 5);
/** The change poll's period: the module's default schedule. */
const POLL_MS = Number(args.poll ?? 1000);
const WARMUP = Number(args.warmup ?? (quick ? 1000 : 3000));
/**
 * How the two loads run: `concurrent` (default: side by side, so a shared machine's other load
 * slows both alike), `ours-first` or `trivial-first` (one after the other, to see order effects).
 */
const ORDER = args.order ?? 'concurrent';
if (!['concurrent', 'ours-first', 'trivial-first'].includes(ORDER)) {
  console.error('--order: concurrent, ours-first or trivial-first');
  process.exit(2);
}
const MUTATION_ONLY = args['mutation-only'] === 'true';
/** PostgreSQL's plan_cache_mode for the bench databases: force_custom_plan, or auto (its default). */
const PLAN_CACHE_MODE = args['plan-cache-mode'] ?? 'force_custom_plan';
if (
  !['auto', 'force_custom_plan', 'force_generic_plan'].includes(PLAN_CACHE_MODE)
) {
  console.error(
    `--plan-cache-mode: auto, force_custom_plan or force_generic_plan`,
  );
  process.exit(2);
}
const PG =
  process.env.BENCH_POSTGRES_CONNECTION_STRING ??
  process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING ??
  'postgresql://postgres@127.0.0.1:5432';
const RUN = `bench_catalog_${process.pid}`;
const T0 = performance.now();

const log = message =>
  console.log(
    `[${((performance.now() - T0) / 1000)
      .toFixed(1)
      .padStart(7)} s] ${message}`,
  );
const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));
const mib = bytes => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
const seconds = ms => `${(ms / 1000).toFixed(2)} s`;

// --- databases -----------------------------------------------------------------------------------
const admin = knexFactory({ client: 'pg', connection: `${PG}/postgres` });
const databases = [];
async function createDatabase(suffix) {
  const name = `${RUN}_${suffix}`;
  await admin.raw(`CREATE DATABASE ${name}`);
  databases.push(name);
  // PostgreSQL plans the catalog's foreign-key checks once per connection and may keep a generic
  // plan made while refresh_state was empty: a sequential scan, repeated for every row of the
  // first load, which turns it quadratic (25,000 entities: 330 s instead of 18 s). Planning each
  // check afresh keeps both catalogs of the bench on index lookups (see README.md).
  if (PLAN_CACHE_MODE !== 'auto') {
    await admin.raw(
      `ALTER DATABASE ${name} SET plan_cache_mode = ${PLAN_CACHE_MODE}`,
    );
  }
  return knexFactory({
    client: 'pg',
    connection: `${PG}/${name}`,
    pool: { min: 0, max: 10 },
  });
}
async function dropDatabases(knexes) {
  for (const knex of knexes) await knex.destroy().catch(() => undefined);
  for (const name of databases) {
    await admin
      .raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      .catch(() => undefined);
  }
  await admin.destroy();
}

// --- seed ----------------------------------------------------------------------------------------
function spec(org, i) {
  return {
    version: 1,
    pipeline_type: 'batch',
    schedule: { cron: '0 2 * * *', timezone: 'UTC' },
    source: {
      type: 'mysql',
      connection: `${org}-erp`,
      table: `t_${i % SOURCES_PER_ORG}`,
      incremental_column: 'updated_at',
    },
    transformations: [
      { type: 'filter', condition: 'amount > 0' },
      {
        type: 'aggregate',
        group_by: ['customer_id', 'date'],
        aggregations: {
          amount: { function: 'sum', column: 'amount' },
          count: { function: 'count' },
        },
      },
    ],
    target: {
      type: 'iceberg',
      catalog: `${org}_catalog`,
      schema: 'analytics',
      table: `p_${i}`,
      mode: 'append',
    },
    data_quality: [],
  };
}

const SCHEMA = JSON.stringify({
  type: 'struct',
  'schema-id': 0,
  fields: [
    { id: 1, name: 'customer_id', type: 'string', required: false },
    { id: 2, name: 'date', type: 'date', required: false },
    { id: 3, name: 'amount', type: 'decimal(18, 2)', required: false },
    { id: 4, name: 'count', type: 'long', required: true },
  ],
});

async function seed(knex) {
  await applyDatabaseMigrations(knex);
  const at = new Date();
  const pipelines = [];
  const versions = [];
  const edges = [];
  const tables = [];
  for (let i = 0; i < PIPELINES; i++) {
    const org = ORGS[i % ORGS.length];
    const id = crypto.randomUUID();
    const s = spec(org, i);
    pipelines.push({
      id,
      organization_id: org,
      name: `pipeline-${i}`,
      description: `Daily totals ${i}`,
      owner: `group:default/${org}`,
      pipeline_type: 'batch',
      schedule: '0 2 * * *',
      schedule_timezone: 'UTC',
      engine: 'local',
      current_version: 1,
      created_by: 'user:default/bench',
      updated_by: 'user:default/bench',
      created_at: at,
      updated_at: at,
    });
    versions.push({
      organization_id: org,
      pipeline_id: id,
      version: 1,
      spec: JSON.stringify(s),
      spec_hash: crypto
        .createHash('sha256')
        .update(JSON.stringify(s))
        .digest('hex'),
      created_by: 'user:default/bench',
      created_at: at,
    });
    edges.push(
      {
        organization_id: org,
        pipeline_id: id,
        direction: 'input',
        dataset_kind: 'mysql-table',
        dataset_ref: `mysql:${org}-erp/t_${i % SOURCES_PER_ORG}`,
        updated_at: at,
      },
      {
        organization_id: org,
        pipeline_id: id,
        direction: 'output',
        dataset_kind: 'iceberg-table',
        dataset_ref: `iceberg:${org}_catalog.analytics.p_${i}`,
        updated_at: at,
      },
    );
    if (tables.length < TABLES) {
      tables.push({
        id: crypto.randomUUID(),
        organization_id: org,
        format: 'iceberg',
        catalog_name: `${org}_catalog`,
        namespace: 'analytics',
        table_name: `p_${i}`,
        location: `file:///warehouse/${org}/analytics/p_${i}`,
        owner: `group:default/${org}`,
        pipeline_id: id,
        classification: 'internal',
        pii_columns: '[]',
        schema: SCHEMA,
        row_count: 1000,
        size_bytes: 65536,
        created_at: at,
        updated_at: at,
      });
    }
  }
  // The rest: tables the organizations' Iceberg catalogs hold that no pipeline writes.
  for (let i = 0; tables.length < TABLES; i++) {
    const org = ORGS[i % ORGS.length];
    tables.push({
      id: crypto.randomUUID(),
      organization_id: org,
      format: 'iceberg',
      catalog_name: `${org}_lake`,
      namespace: `raw_${i % 50}`,
      table_name: `t_${i}`,
      location: `s3://${org}-lake/raw_${i % 50}/t_${i}`,
      owner: `group:default/${org}`,
      pipeline_id: null,
      classification: i % 10 === 0 ? 'restricted' : 'internal',
      pii_columns: i % 10 === 0 ? '["email"]' : '[]',
      schema: SCHEMA,
      row_count: 100,
      size_bytes: 4096,
      created_at: at,
      updated_at: at,
    });
  }
  await knex.batchInsert('pipelines', pipelines, 1000);
  await knex.batchInsert('pipeline_versions', versions, 1000);
  await knex.batchInsert('lineage_edges', edges, 1000);
  await knex.batchInsert('data_tables', tables, 1000);
  return {
    pipelines: pipelines.map(p => ({ id: p.id, org: p.organization_id })),
  };
}

// --- backend -------------------------------------------------------------------------------------
function databaseFactory(knexByPlugin) {
  return createServiceFactory({
    service: coreServices.database,
    deps: { pluginMetadata: coreServices.pluginMetadata },
    factory: async ({ pluginMetadata }) => {
      const knex = knexByPlugin[pluginMetadata.getId()] ?? knexByPlugin.catalog;
      return { getClient: async () => knex };
    },
  });
}

/** A catalog module that adds the given provider (and lets the bench drive it). */
function providerModule(provider) {
  return createBackendModule({
    pluginId: 'catalog',
    moduleId: `bench-${provider.getProviderName()}`,
    register(reg) {
      reg.registerInit({
        deps: { catalog: catalogProcessingExtensionPoint },
        async init({ catalog }) {
          catalog.addEntityProvider(provider);
        },
      });
    },
  });
}

async function startBackend({ catalogKnex, ingestionKnex, provider }) {
  const config = {
    app: { baseUrl: 'http://portal.bench' },
    // The catalog re-processes every entity each processingInterval (default 100-150 s). At some
    // tens of entities per second a catalog of this size cannot keep that pace: an ever-growing
    // backlog of overdue entities would be processed before any change (delta mutations queue
    // behind it). A catalog this large is run with an interval longer than one full pass.
    catalog: {
      processingInterval: {
        minutes: Number(args['processing-interval-minutes'] ?? 120),
      },
    },
    backend: { baseUrl: 'http://localhost:7007' },
    ingestion: {
      organizations: ORGS.map(id => ({
        id,
        name: id,
        costCenter: 'CC-1',
        environment: 'production',
        ownerGroup: `group:default/${id}`,
        roles: {},
        storage: `/tmp/bench-catalog/${id}`,
      })),
      runDriver: { enabled: false },
      icebergDiscovery: { enabled: false },
      rateLimits: { enabled: false },
      secrets: {
        masterKeys: [
          { id: 'bench', key: crypto.randomBytes(32).toString('base64') },
        ],
      },
    },
  };
  const { schedulerServiceFactory } = req(
    '@backstage/backend-defaults/scheduler',
  );
  const backend = await startTestBackend({
    features: [
      catalogPlugin,
      providerModule(provider),
      ingestionPlugin,
      schedulerServiceFactory,
      databaseFactory({ catalog: catalogKnex, ingestion: ingestionKnex }),
      mockServices.rootConfig.factory({ data: config }),
      mockServices.rootLogger.factory({ level: 'warn' }),
    ],
  });
  const { port } = backend.server.address();
  return { backend, baseUrl: `http://localhost:${port}` };
}

/** A backend on a fresh catalog database whose provider only hands out its connection. */
async function startWithTrivialProvider(name, ingestionKnex, knexes) {
  let connection;
  const catalogKnex = await createDatabase(`catalog_${name}`);
  knexes.push(catalogKnex);
  const started = await startBackend({
    catalogKnex,
    ingestionKnex,
    provider: {
      getProviderName: () => name,
      connect: async c => {
        connection = c;
      },
    },
  });
  await sleep(500); // the catalog connects its providers at start-up
  return { ...started, connection };
}

async function catalogCount(baseUrl) {
  const res = await fetch(
    `${baseUrl}/api/catalog/entities/by-query?limit=1&fields=metadata.name`,
    { headers: { authorization: mockCredentials.service.header() } },
  );
  if (!res.ok) throw new Error(`catalog answered ${res.status}`);
  return (await res.json()).totalItems;
}

/** Polls until the catalog serves `expected` entities; returns when that happened. */
let gcMs = 0;
new PerformanceObserver(list => {
  for (const entry of list.getEntries()) gcMs += entry.duration;
}).observe({ entryTypes: ['gc'] });

async function untilVisible(baseUrl, expected, label) {
  let last = -1;
  let lastLog = performance.now();
  const gcBefore = gcMs;
  for (;;) {
    const count = await catalogCount(baseUrl);
    if (count >= expected) {
      log(
        `  ${label}: garbage collection took ${seconds(
          gcMs - gcBefore,
        )} meanwhile; heap in use ${mib(process.memoryUsage().heapUsed)}`,
      );
      return performance.now();
    }
    if (performance.now() - lastLog > 30000 || (last === -1 && count > 0)) {
      log(`  ${label}: ${count} of ${expected} visible`);
      lastLog = performance.now();
    }
    last = count;
    await sleep(count === 0 ? 500 : 1000);
  }
}

/** Samples heap and RSS while `fn` runs. */
async function withPeakMemory(fn) {
  global.gc?.();
  // CPU time of this process too: on a shared machine wall time says as much about the others.
  const cpuBase = process.cpuUsage();
  const base = process.memoryUsage();
  const peak = { heapUsed: base.heapUsed, rss: base.rss };
  const timer = setInterval(() => {
    const now = process.memoryUsage();
    peak.heapUsed = Math.max(peak.heapUsed, now.heapUsed);
    peak.rss = Math.max(peak.rss, now.rss);
  }, 10);
  try {
    const result = await fn();
    const now = process.memoryUsage();
    peak.heapUsed = Math.max(peak.heapUsed, now.heapUsed);
    peak.rss = Math.max(peak.rss, now.rss);
    const cpu = process.cpuUsage(cpuBase);
    return {
      result,
      cpuMs: (cpu.user + cpu.system) / 1000,
      loadAverage: require('node:os').loadavg()[0],
      heapDelta: peak.heapUsed - base.heapUsed,
      rssDelta: peak.rss - base.rss,
      heapPeak: peak.heapUsed,
      rssPeak: peak.rss,
    };
  } finally {
    clearInterval(timer);
  }
}

const quietLogger = {
  info() {},
  warn: console.warn,
  error: console.error,
  debug() {},
  child() {
    return quietLogger;
  },
};

/** The ingestion client as the module creates it, with a backend's discovery and auth. */
function clientFor(baseUrl) {
  return new IngestionCatalogClient({
    discovery: {
      getBaseUrl: async plugin => `${baseUrl}/api/${plugin}`,
      getExternalBaseUrl: async plugin => `${baseUrl}/api/${plugin}`,
    },
    auth: {
      getOwnServiceCredentials: async () =>
        mockCredentials.service('plugin:catalog'),
      getPluginRequestToken: async () => ({
        token: mockCredentials.service.token({
          onBehalfOf: mockCredentials.service('plugin:catalog'),
          targetPluginId: 'ingestion',
        }),
      }),
    },
    pageSize: 2000,
  });
}

/** The provider's entities, read from a running backend's ingestion API and applied nowhere. */
async function buildEntities(baseUrl) {
  let entities;
  const provider = new IngestionEntityProvider({
    source: clientFor(baseUrl),
    logger: quietLogger,
    context: { portalBaseUrl: 'http://portal.bench' },
  });
  await provider.connect({
    applyMutation: async mutation => {
      entities = mutation.entities;
    },
    refresh: async () => {},
  });
  await provider.refresh();
  return entities;
}

function writeJson(results) {
  if (args.json) {
    require('node:fs').writeFileSync(
      args.json,
      JSON.stringify(
        { args, loadAverage: require('node:os').loadavg(), ...results },
        null,
        2,
      ),
    );
  }
}

// --- main ----------------------------------------------------------------------------------------
async function main() {
  const knexes = [];
  const results = {};
  try {
    log(
      `seeding ${ORGS.length} organizations, ${PIPELINES} pipelines, ${TABLES} tables`,
    );
    const ingestionKnex = await createDatabase('ingestion');
    knexes.push(ingestionKnex);
    const seeded = await seed(ingestionKnex);
    // Settle the freshly loaded tables now, so autovacuum does not run during a measurement.
    await ingestionKnex.raw('VACUUM ANALYZE');
    log('seeded');

    // --- warm-up: a small load through the catalog, so neither measurement pays for JIT warm-up ---
    {
      const w = await startWithTrivialProvider('warmup', ingestionKnex, knexes);
      log(`warm-up: ${WARMUP} entities`);
      await w.connection.applyMutation({
        type: 'full',
        entities: Array.from({ length: WARMUP }, (_, i) => ({
          locationKey: 'warmup',
          entity: {
            apiVersion: 'backstage.io/v1alpha1',
            kind: 'Resource',
            metadata: {
              name: `warm-${i}`,
              namespace: 'warmup',
              annotations: {
                'backstage.io/managed-by-location': 'warmup:x',
                'backstage.io/managed-by-origin-location': 'warmup:x',
              },
            },
            spec: {
              type: 'table',
              owner: 'group:default/warmup',
              dependsOn: i > 0 ? [`resource:warmup/warm-${i - 1}`] : [],
            },
          },
        })),
      });
      // The mutation alone needs no catalog processing, only the warm code path of applying.
      if (!MUTATION_ONLY) await untilVisible(w.baseUrl, WARMUP, 'warm-up');
      await w.backend.stop();
    }

    let captured;
    /** `alongside` starts with our full refresh (the concurrent baseline) and is awaited with it. */
    const oursPhase = async (alongside = async () => undefined) => {
      // --- the ingestion provider ---
      const providerRef = {};
      const provider = new IngestionEntityProvider({
        source: new Proxy(
          {},
          {
            get: (_target, property) => {
              const client = providerRef.client;
              return client[property].bind(client);
            },
          },
        ),
        logger: quietLogger,
        context: { portalBaseUrl: 'http://portal.bench' },
      });
      // Keep the mutation, so the baseline can apply the very same entities.
      const connect = provider.connect.bind(provider);
      provider.connect = async connection =>
        connect({
          ...connection,
          applyMutation: async mutation => {
            if (mutation.type === 'full') captured = mutation.entities;
            return connection.applyMutation(mutation);
          },
          refresh: options => connection.refresh(options),
        });
      const catalogKnexA = await createDatabase('catalog_ours');
      knexes.push(catalogKnexA);
      const a = await startBackend({
        catalogKnex: catalogKnexA,
        ingestionKnex,
        provider,
      });
      // The client as the module creates it, with this backend's discovery and auth.
      providerRef.client = clientFor(a.baseUrl);
      await sleep(500); // the catalog connects its providers at start-up
      log('ingestion provider: full refresh');
      const startOurs = performance.now();
      const baseline = alongside();
      baseline.catch(() => undefined); // awaited once ours is visible; a failure surfaces there
      const measured = await withPeakMemory(() => provider.refresh());
      const stats = measured.result;
      const appliedOurs = performance.now();
      results.entities = stats.entities;
      results.full = {
        totalMs: appliedOurs - startOurs,
        readMs: stats.readMs,
        buildMs: stats.buildMs,
        applyMs: stats.applyMs,
        cpuMs: measured.cpuMs,
        loadAverage: measured.loadAverage,
        heapDelta: measured.heapDelta,
        rssDelta: measured.rssDelta,
        heapPeak: measured.heapPeak,
        rssPeak: measured.rssPeak,
      };
      log(
        `  ${stats.entities} entities: read ${seconds(
          stats.readMs,
        )}, build ${seconds(stats.buildMs)}, apply ${seconds(
          stats.applyMs,
        )}; peak heap +${mib(measured.heapDelta)}, peak RSS +${mib(
          measured.rssDelta,
        )}`,
      );
      if (MUTATION_ONLY) {
        await a.backend.stop();
        return;
      }
      const visibleOurs = await untilVisible(
        a.baseUrl,
        stats.entities,
        'ingestion',
      );
      results.visibleOursMs = visibleOurs - startOurs;
      log(`  ingestion: all visible after ${seconds(results.visibleOursMs)}`);
      await baseline;

      // --- a full refresh with nothing changed ---
      const [{ now: before }] = (await catalogKnexA.raw('SELECT now() AS now'))
        .rows;
      const again = await provider.refresh();
      const rediscovered = await catalogKnexA('refresh_state')
        .where('last_discovery_at', '>=', before)
        .count({ n: '*' });
      results.unchanged = {
        totalMs: again.readMs + again.buildMs + again.applyMs,
        reprocessed: Number(rediscovered[0].n),
      };
      log(
        `  unchanged full refresh: ${seconds(results.unchanged.totalMs)}, ${
          results.unchanged.reprocessed
        } entities to process again`,
      );

      // --- deltas: pipeline changes through the ingestion API, polled like the scheduled task ---
      let polling = true;
      const poller = (async () => {
        while (polling) {
          await provider.applyChanges().catch(e => console.warn(`poll: ${e}`));
          await sleep(POLL_MS);
        }
      })();
      const deltaMs = [];
      for (let i = 0; i < DELTAS; i++) {
        const target = seeded.pipelines[(i * 7919) % seeded.pipelines.length];
        const current = await (
          await fetch(`${a.baseUrl}/api/ingestion/v1/pipelines/${target.id}`, {
            headers: {
              authorization: mockCredentials.user.header(
                `user:default/${target.org}-engineer`,
              ),
            },
          })
        ).json();
        const description = `changed ${i} at ${Date.now()}`;
        const changedAt = performance.now();
        const put = await fetch(
          `${a.baseUrl}/api/ingestion/v1/pipelines/${target.id}`,
          {
            method: 'PUT',
            headers: {
              authorization: mockCredentials.user.header(
                `user:default/${target.org}-engineer`,
              ),
              'content-type': 'application/json',
            },
            body: JSON.stringify({
              expectedVersion: current.currentVersion,
              description,
              spec: current.spec,
            }),
          },
        );
        if (!put.ok)
          throw new Error(`PUT answered ${put.status}: ${await put.text()}`);
        for (;;) {
          const res = await fetch(
            `${a.baseUrl}/api/catalog/entities/by-name/component/${target.org}/${current.name}`,
            { headers: { authorization: mockCredentials.service.header() } },
          );
          const entity = res.ok ? await res.json() : undefined;
          if (entity?.metadata?.description === description) break;
          await sleep(100);
        }
        deltaMs.push(performance.now() - changedAt);
        log(
          `  delta ${i + 1}: visible after ${seconds(
            deltaMs[deltaMs.length - 1],
          )}`,
        );
        await sleep(Math.random() * POLL_MS);
      }
      polling = false;
      await poller;
      results.deltaMs = deltaMs;
      await a.backend.stop();
    };
    /** The baseline: a trivial provider applying the same entities (and, unless only the
     * mutation is measured, the time until they are all visible). */
    const prepareTrivial = async () => {
      const b = await startWithTrivialProvider(
        'trivial',
        ingestionKnex,
        knexes,
      );
      if (!captured) captured = await buildEntities(b.baseUrl);
      return b;
    };
    const runTrivial = async b => {
      log(`trivial provider: applying the same ${captured.length} entities`);
      const startTrivial = performance.now();
      const applied = await withPeakMemory(() =>
        b.connection.applyMutation({ type: 'full', entities: captured }),
      );
      results.trivial = {
        applyMs: performance.now() - startTrivial,
        applyCpuMs: applied.cpuMs,
      };
      if (!MUTATION_ONLY) {
        const visibleTrivial = await untilVisible(
          b.baseUrl,
          captured.length,
          'trivial',
        );
        results.trivial.visibleMs = visibleTrivial - startTrivial;
        log(
          `  trivial: all visible after ${seconds(results.trivial.visibleMs)}`,
        );
      }
      await b.backend.stop();
    };
    const trivialPhase = async () => runTrivial(await prepareTrivial());
    if (MUTATION_ONLY) {
      await oursPhase();
      await trivialPhase();
      const f = results.full;
      console.log(
        [
          '',
          `Full mutation of ${
            results.entities
          } entities (${PIPELINES} pipelines, ${TABLES} tables): ${seconds(
            f.totalMs,
          )} (read ${seconds(f.readMs)}, build ${seconds(
            f.buildMs,
          )}, apply ${seconds(f.applyMs)}); CPU time of the process ${seconds(
            f.cpuMs,
          )}; load average ${f.loadAverage.toFixed(1)}   target < 30 s: ${
            f.totalMs < 30000 ? 'met' : 'MISSED'
          }`,
          `  peak heap +${mib(f.heapDelta)}, peak RSS +${mib(
            f.rssDelta,
          )}   target < 1 GiB: ${f.rssDelta < 1024 ** 3 ? 'met' : 'MISSED'}`,
          `  the same entities applied by a trivial provider (the catalog's own part): ${seconds(
            results.trivial.applyMs,
          )}, CPU time ${seconds(results.trivial.applyCpuMs)}`,
          '',
        ].join('\n'),
      );
      writeJson(results);
      return;
    }
    if (ORDER === 'concurrent') {
      // Both loads at once, in this process: whatever else the machine runs slows both alike.
      const b = await prepareTrivial();
      await oursPhase(() => runTrivial(b));
    } else if (ORDER === 'trivial-first') {
      await trivialPhase();
      await oursPhase();
    } else {
      await oursPhase();
      await trivialPhase();
    }

    // --- report ---
    const deltaMs = results.deltaMs;
    const sorted = [...deltaMs].sort((x, y) => x - y);
    const median = sorted[Math.floor(sorted.length / 2)];
    const ratio = results.visibleOursMs / results.trivial.visibleMs;
    const lines = [
      '',
      `Catalog benchmark: ${ORGS.length} organizations, ${PIPELINES} pipelines, ${TABLES} tables → ${results.entities} entities`,
      `  full mutation (read + build + apply): ${seconds(
        results.full.totalMs,
      )} (read ${seconds(results.full.readMs)}, build ${seconds(
        results.full.buildMs,
      )}, apply ${seconds(results.full.applyMs)}; CPU time ${seconds(
        results.full.cpuMs,
      )}, load average ${results.full.loadAverage.toFixed(
        1,
      )}; trivial provider's apply ${seconds(
        results.trivial.applyMs,
      )})   target < 30 s: ${results.full.totalMs < 30000 ? 'met' : 'MISSED'}`,
      `  peak memory during it: heap +${mib(
        results.full.heapDelta,
      )} (peak ${mib(results.full.heapPeak)}), RSS +${mib(
        results.full.rssDelta,
      )} (peak ${mib(
        results.full.rssPeak,
      )}) — whole process, catalog included   target < 1 GiB: ${
        results.full.rssDelta < 1024 ** 3 ? 'met' : 'MISSED'
      }`,
      `  all visible through the catalog API: ${seconds(
        results.visibleOursMs,
      )}; trivial provider, same entities: ${seconds(
        results.trivial.visibleMs,
      )}; ratio ${ratio.toFixed(3)}   target ≤ 1.1: ${
        ratio <= 1.1 ? 'met' : 'MISSED'
      }`,
      `  pipeline change → visible in the catalog (${
        deltaMs.length
      } changes, polled every ${POLL_MS / 1000} s): median ${seconds(
        median,
      )}, max ${seconds(sorted[sorted.length - 1])}   target < 5 s: ${
        sorted[sorted.length - 1] < 5000 ? 'met' : 'MISSED'
      }`,
      `  full refresh with nothing changed: ${seconds(
        results.unchanged.totalMs,
      )}, ${
        results.unchanged.reprocessed
      } entities processed again   target 0: ${
        results.unchanged.reprocessed === 0 ? 'met' : 'MISSED'
      }`,
      '',
    ];
    console.log(lines.join('\n'));
    writeJson(results);
  } finally {
    await dropDatabases(knexes);
  }
}

// Interrupted: still drop the throw-away databases.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    log(`${signal}: dropping the bench databases`);
    dropDatabases([]).finally(() => process.exit(130));
  });
}

main().then(
  () => process.exit(0),
  error => {
    console.error(error);
    process.exit(1);
  },
);
