/* eslint-disable no-console */
/**
 * One phase of the engine benchmark, run in its own process (clean peak RSS) by run.sh:
 *   node --require @backstage/cli/config/nodeTransform.cjs bench/engine/phase.ts <phase> <workDir> [rows]
 * Prints one JSON line: {"phase", "rows", "seconds", "maxRssMb", ...}.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import knexFactory, { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { validatePipelineSpec } from '@ingestion-for-backstage/plugin-ingestion-common';
import type { EngineRunContext } from '@ingestion-for-backstage/plugin-ingestion-node';
import { DEMO_PIPELINES } from '../../plugins/ingestion-backend/src/demo/demoPipelines';
import { LocalEngine } from '../../plugins/ingestion-backend/src/engines/local/LocalEngine';
import {
  EgressGuard,
  parseAllowRule,
} from '../../plugins/ingestion-backend/src/egress';

const [phase, workArg, rowsArg] = process.argv.slice(2);
const work = resolve(workArg);
const storage = join(work, 'storage');
const csvRel = 'raw/transactions/transactions.csv';
const csvPath = join(storage, csvRel);
const ORG = 'finance';

// The seed's batch pipeline (demo "daily-transactions"), at benchmark scale.
const demoSpec = DEMO_PIPELINES.find(
  p => p.organization === ORG && p.name === 'daily-transactions',
)!.spec as {
  transformations: unknown[];
  target: Record<string, unknown>;
  data_quality: unknown[];
};
// The floor runs the same filter in DuckDB directly.
const FILTER = (demoSpec.transformations[0] as { condition: string }).condition;
const pipelineSpec = (
  table: string,
  source: Record<string, unknown>,
  transforms = true,
) => ({
  ...demoSpec,
  schedule: undefined,
  source,
  transformations: transforms ? demoSpec.transformations : [],
  target: { ...demoSpec.target, table },
  data_quality: transforms ? demoSpec.data_quality : [],
});

function report(extra: Record<string, unknown>) {
  const maxRssMb = process.resourceUsage().maxRSS / 1024; // maxRSS is in KiB
  // The machine's load at the end of the phase: ratios are only comparable on a quiet machine.
  const load1 = Math.round(loadavg()[0] * 10) / 10;
  console.log(
    JSON.stringify({ phase, ...extra, maxRssMb: Math.round(maxRssMb), load1 }),
  );
}

async function duck<T>(
  fn: (run: (sql: string) => Promise<any[]>) => Promise<T>,
) {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    return await fn(async sql =>
      (await connection.runAndReadAll(sql)).getRowObjectsJson(),
    );
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** The CSV: shaped like sampleData.financeTransactionsCsv (400 customers, 30 days, 5 % refunds). */
async function generate(rows: number) {
  await fs.mkdir(join(storage, 'raw/transactions'), { recursive: true });
  const t0 = performance.now();
  await duck(async run => {
    await run(`COPY (
      WITH r AS (
        SELECT i,
          (hash(i, 1) % 1000000) / 1e6 AS u1, (hash(i, 2) % 1000000) / 1e6 AS u2,
          (hash(i, 3) % 1000000) / 1e6 AS u3, (hash(i, 4) % 1000000) / 1e6 AS u4,
          TIMESTAMP '2026-10-01' + to_milliseconds((hash(i, 5) % 2592000000::UBIGINT)::BIGINT) AS ts
        FROM range(${rows}) t(i))
      SELECT 'C' || lpad((1 + floor(u1 * 400))::INT::VARCHAR, 5, '0') AS customer_id,
        strftime(ts, '%Y-%m-%d') AS date,
        printf('%.2f', (CASE WHEN u2 < 0.05 THEN -1 ELSE 1 END) * round(u3 * 50000) / 100) AS amount,
        CASE WHEN u2 < 0.05 THEN 'refunded' WHEN u4 < 0.25 THEN 'pending' ELSE 'settled' END AS status,
        strftime(ts + to_seconds(i), '%Y-%m-%dT%H:%M:%S.%g') || 'Z' AS updated_at
      FROM r ORDER BY i) TO '${csvPath}' (HEADER, DELIMITER ',')`);
  });
  const { size } = await fs.stat(csvPath);
  report({
    rows,
    seconds: (performance.now() - t0) / 1000,
    csvMb: Math.round(size / 1e6),
  });
}

/** The floor: the same filter + aggregate + completeness in DuckDB directly, written as Parquet. */
async function floor(rows: number) {
  const out = join(work, 'floor');
  await fs.rm(out, { recursive: true, force: true });
  await fs.mkdir(out, { recursive: true });
  const t0 = performance.now();
  const result = await duck(async run => {
    await run(`CREATE TABLE result AS
      SELECT customer_id, date, sum(amount) AS amount, count(*) AS count
      FROM read_csv('${csvPath}', header = true, auto_detect = true)
      WHERE ${FILTER} GROUP BY customer_id, date`);
    const [c] = await run(`SELECT count(*) AS n,
        count(*) FILTER (WHERE customer_id IS NOT NULL AND amount IS NOT NULL) AS complete FROM result`);
    if (Number(c.complete) / Number(c.n) < 0.95)
      throw new Error('completeness failed');
    await run(
      `COPY result TO '${join(out, 'part-0.parquet')}' (FORMAT parquet)`,
    );
    return Number(c.n);
  });
  report({
    rows,
    seconds: (performance.now() - t0) / 1000,
    rowsWritten: result,
  });
}

async function catalogDb(): Promise<Knex> {
  const file = join(work, `catalog-${phase}.sqlite`);
  await fs.rm(file, { force: true });
  const knex = knexFactory({
    client: 'better-sqlite3',
    connection: { filename: file },
    useNullAsDefault: true,
  });
  const migrations = resolve(
    __dirname,
    '../../plugins/ingestion-backend/migrations',
  );
  const name = '20261125120000_iceberg_catalog.js';
  await knex.migrate.latest({
    migrationSource: {
      getMigrations: async () => [name],
      getMigrationName: n => n,
      getMigration: async n => require(join(migrations, n)),
    },
  });
  return knex;
}

const silentLogger: any = {
  info() {},
  warn() {},
  error() {},
  debug() {},
  child() {
    return silentLogger;
  },
};

/** Runs a spec on a fresh LocalEngine (catalog in a SQLite file) and times submit → final state. */
async function runEngine(
  specInput: unknown,
  connections: Record<string, any> = {},
) {
  const knex = await catalogDb();
  await fs.rm(join(storage, 'warehouse'), { recursive: true, force: true });
  const engine = new LocalEngine({
    database: knex,
    logger: silentLogger,
    // The benchmark's MariaDB is on this machine: allow-listed as an organization would.
    egress: new EgressGuard({
      allow: {
        [ORG]: [
          parseAllowRule(
            {
              host: process.env.MARIADB_HOST ?? '127.0.0.1',
              ports: [Number(process.env.MARIADB_PORT ?? 3306)],
            },
            'bench',
          ),
        ],
      },
    }),
    duckdb: { tempDirectory: join(work, 'duckdb-tmp') },
  });
  const validated = validatePipelineSpec(specInput);
  if (!validated.valid) throw new Error(JSON.stringify(validated.problems));
  const id = randomUUID();
  const logs: Array<{ at: number; message: string }> = [];
  const ctx: EngineRunContext = {
    run: { id, attempt: 1, idempotencyToken: id },
    pipeline: {
      id: 'bench',
      name: 'bench',
      owner: 'group:default/finance',
      version: 1,
    },
    spec: validated.spec,
    organization: {
      id: ORG,
      name: 'Finance',
      costCenter: 'FIN-001',
      environment: 'development',
      storage,
      icebergCatalog: 'finance_catalog',
      quotas: { maxConcurrentJobs: 5, maxDbuPerHour: 10 },
      owner: 'group:default/finance',
    },
    async resolveConnection(name) {
      if (!connections[name]) throw new Error(`No connection ${name}`);
      return connections[name];
    },
    async log(_level, message) {
      logs.push({ at: performance.now(), message });
    },
  } as EngineRunContext;
  const t0 = performance.now();
  const { engineRunId } = await engine.submit(ctx);
  await engine.idle();
  const state = await engine.poll(ctx, engineRunId);
  const seconds = (performance.now() - t0) / 1000;
  await engine.close();
  await knex.destroy();
  if (state.state !== 'succeeded') throw new Error(JSON.stringify(state));
  const result: any = state.result;
  // The source read ends at the "Read N rows" log line.
  const readLog = logs.find(l => /^Read \d+ rows/.test(l.message));
  return {
    seconds,
    readSeconds: readLog ? (readLog.at - t0) / 1000 : undefined,
    rowsRead: result.rowsRead,
    rowsWritten: result.rowsWritten ?? result.tables?.[0]?.rowCount,
    logs: logs.map(l => `${((l.at - t0) / 1000).toFixed(2)}s ${l.message}`),
  };
}

async function engineCsv(rows: number) {
  const r = await runEngine(
    pipelineSpec('daily_transactions', {
      type: 'file',
      path: 'raw/transactions/*.csv',
      format: 'csv',
    }),
  );
  report({ rows, ...r });
}

async function engineMariadb(rows: number) {
  const r = await runEngine(
    pipelineSpec(
      'transactions_copy',
      { type: 'mariadb', connection: 'maria', table: 'transactions' },
      false,
    ),
    {
      maria: {
        type: 'mariadb',
        settings: {
          host: process.env.MARIADB_HOST ?? '127.0.0.1',
          port: Number(process.env.MARIADB_PORT ?? 3306),
          database: 'ingestion_bench',
          user: process.env.MARIADB_USER ?? 'root',
        },
        password: process.env.MARIADB_PASSWORD ?? '',
      },
    },
  );
  report({ rows, ...r });
}

async function main() {
  const rows = Number(rowsArg ?? 10_000_000);
  switch (phase) {
    case 'generate':
      return generate(rows);
    case 'floor':
      return floor(rows);
    case 'engine':
      return engineCsv(rows);
    case 'engine-mariadb':
      return engineMariadb(rows);
    default:
      throw new Error(`Unknown phase ${phase}`);
  }
}

main().then(
  () => process.exit(0),
  e => {
    console.error(e);
    process.exit(1);
  },
);
