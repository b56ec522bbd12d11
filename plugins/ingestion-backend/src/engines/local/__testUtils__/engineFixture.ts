import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import {
  validatePipelineSpec,
  type PipelineSpec,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import type {
  EngineRunContext,
  EngineRunState,
  ResolvedConnection,
} from '@ingestion-for-backstage/plugin-ingestion-node';
import { DuckDBInstance } from '@duckdb/node-api';
import type { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { EgressGuard, parseAllowRule } from '../../../egress';
import { IcebergSqlCatalog } from '../../../iceberg';
import { migrateUp } from '../../../iceberg/__testUtils__/catalogDatabase';
import { readWithIcebird } from '../../../iceberg/__testUtils__/icebird';
import {
  startWarehouseServer,
  WarehouseServer,
} from '../../../iceberg/__testUtils__/warehouseServer';
import { LocalEngine, LocalEngineOptions } from '../LocalEngine';

export const ORG = 'finance';

/**
 * The fixtures' egress guard: the organization allow-lists this machine's loopback addresses
 * on every port, where the tests' databases, S3 and HTTP servers listen.
 */
export function testEgressGuard(): EgressGuard {
  return new EgressGuard({
    allow: {
      [ORG]: ['127.0.0.0/8', '::1/128'].map(cidr =>
        parseAllowRule({ cidr, ports: ['1-65535'] }, 'test'),
      ),
    },
  });
}

type Row = Record<string, unknown>;

/** A spec as the API stores it (validated, defaults applied); throws listing the problems. */
export function spec(input: unknown): PipelineSpec {
  const result = validatePipelineSpec(input);
  if (!result.valid) {
    throw new Error(
      `Invalid spec: ${result.problems
        .map(p => `${p.path}: ${p.message}`)
        .join('; ')}`,
    );
  }
  return result.spec;
}

export interface EngineFixture {
  /** The organization's storage root (a real path). */
  root: string;
  knex: Knex;
  engine: LocalEngine;
  logs: Array<{ runId: string; level: string; message: string }>;
  connections: Map<string, ResolvedConnection>;
  /** Writes a file below the storage root. */
  writeFile(path: string, content: string | Buffer): Promise<void>;
  context(
    specInput: unknown,
    run?: Partial<EngineRunContext['run']>,
  ): EngineRunContext;
  /** Submits a run and waits for its final state (on `engine`, default the fixture's). */
  run(
    specInput: unknown,
    run?: Partial<EngineRunContext['run']>,
    engine?: LocalEngine,
  ): Promise<EngineRunState>;
  /** Another engine on the same catalog and storage: the engine after a backend restart. */
  newEngine(options?: Partial<LocalEngineOptions>): LocalEngine;
  /** Reads an Iceberg table of the organization with icebird, rows sorted by `sortKey`. */
  readTable(name: string, schema?: string, sortKey?: string): Promise<Row[]>;
  catalog(name?: string): IcebergSqlCatalog;
  /** Runs a DuckDB query (e.g. over files of the storage) and returns its rows as JSON values. */
  query(sql: string): Promise<Row[]>;
  close(): Promise<void>;
}

/** Call at the top of a test file: the catalog database of the fixtures. */
export function engineTestDatabases(): TestDatabases {
  return TestDatabases.create({ ids: ['SQLITE_3'] });
}

export async function createEngineFixture(
  databases: TestDatabases,
  options: Partial<LocalEngineOptions> = {},
): Promise<EngineFixture> {
  const knex = await databases.init('SQLITE_3');
  await migrateUp(knex);
  const root = await fs.realpath(
    await fs.mkdtemp(join(tmpdir(), 'ingestion-local-engine-')),
  );
  const server: WarehouseServer = await startWarehouseServer(root);
  const engines: LocalEngine[] = [];
  const newEngine = (more: Partial<LocalEngineOptions> = {}) => {
    const created = new LocalEngine({
      database: knex,
      logger: mockServices.logger.mock(),
      batchSize: 7,
      egress: testEgressGuard(),
      duckdb: { tempDirectory: join(root, '.duckdb-tmp'), threads: 2 },
      ...options,
      ...more,
    });
    engines.push(created);
    return created;
  };
  const engine = newEngine();
  const logs: EngineFixture['logs'] = [];
  const connections = new Map<string, ResolvedConnection>();

  const context = (
    specInput: unknown,
    run: Partial<EngineRunContext['run']> = {},
  ): EngineRunContext => {
    const id = run.id ?? randomUUID();
    return {
      run: { id, attempt: 1, idempotencyToken: id, ...run },
      pipeline: {
        id: 'pipeline-1',
        name: 'test',
        owner: 'group:default/finance',
        version: 1,
      },
      spec: spec(specInput),
      organization: {
        id: ORG,
        name: 'Finance',
        costCenter: 'FIN-001',
        environment: 'development',
        storage: root,
        // The bucket the S3 tests read from is the organization's.
        storageLocations: ['s3://finance-lake'],
        icebergCatalog: 'finance_catalog',
        quotas: { maxConcurrentJobs: 5, maxDbuPerHour: 10 },
        owner: 'group:default/finance',
      },
      async resolveConnection(name) {
        const connection = connections.get(name);
        if (!connection) throw new Error(`No connection ${name}`);
        return connection;
      },
      async log(level, message) {
        logs.push({ runId: id, level, message });
      },
    };
  };

  const catalog = (name = 'finance_catalog') =>
    new IcebergSqlCatalog({ database: knex, catalogName: name });

  return {
    root,
    knex,
    engine,
    logs,
    connections,
    async writeFile(path, content) {
      await fs.mkdir(dirname(join(root, path)), { recursive: true });
      await fs.writeFile(join(root, path), content);
    },
    context,
    async run(specInput, run, on = engine) {
      const ctx = context(specInput, run);
      const { engineRunId } = await on.submit(ctx);
      await on.idle();
      return on.poll(ctx, engineRunId);
    },
    newEngine,
    catalog,
    async query(sql) {
      const instance = await DuckDBInstance.create(':memory:');
      const connection = await instance.connect();
      try {
        return (
          await connection.runAndReadAll(sql)
        ).getRowObjectsJson() as Row[];
      } finally {
        connection.closeSync();
        instance.closeSync();
      }
    },
    async readTable(name, schema = 'analytics', sortKey = 'id') {
      const { metadata } = await catalog().loadTable(ORG, {
        namespace: [schema],
        name,
      });
      const rows = await readWithIcebird(server, metadata.location);
      return rows.sort((a, b) => {
        const x = a[sortKey] as any;
        const y = b[sortKey] as any;
        if (x === y) return 0;
        return x < y ? -1 : 1;
      });
    },
    async close() {
      for (const created of engines) await created.close();
      await server.close();
      await knex.destroy();
      await fs.rm(root, { recursive: true, force: true });
    },
  };
}

/** The state's result, failing the test with the engine's message otherwise. */
export function succeeded(state: EngineRunState) {
  if (state.state !== 'succeeded') {
    throw new Error(
      `Expected the run to succeed, got ${JSON.stringify(state, null, 2)}`,
    );
  }
  return state.result;
}
