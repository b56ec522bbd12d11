import type {
  TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import type { Knex } from 'knex';
import { TEST_CONFIG } from './demoTenants';
import { startIngestionTestBackend } from './startIngestionTestBackend';

/** What `startIngestionTestBackend` takes, but the database: the helper gives it. */
export type IngestionTestBackendOptions = Omit<
  NonNullable<Parameters<typeof startIngestionTestBackend>[0]>,
  'knex'
> & {
  /**
   * Check every response against the OpenAPI document (`ingestion.api.validateResponses`), on
   * top of `config.ingestion` (by default the demo tenants' `TEST_CONFIG.ingestion`).
   */
  validateResponses?: boolean;
};

function startOptions(
  knex: Knex,
  options: IngestionTestBackendOptions,
): Parameters<typeof startIngestionTestBackend>[0] {
  const { validateResponses, ...rest } = options;
  if (!validateResponses) {
    return { knex, ...rest };
  }
  const ingestion = (rest.config?.ingestion ?? TEST_CONFIG.ingestion) as {
    api?: Record<string, unknown>;
  };
  return {
    knex,
    ...rest,
    config: {
      ...rest.config,
      ingestion: {
        ...ingestion,
        api: { ...ingestion.api, validateResponses: true },
      },
    },
  };
}

/** The backend, its server and its database, once the helper's `beforeAll` has run. */
export interface IngestionTestBackend {
  readonly backend: Awaited<ReturnType<typeof startIngestionTestBackend>>;
  readonly server: IngestionTestBackend['backend']['server'];
  readonly knex: Knex;
}

/**
 * Registers, in the `describe` it is called in, a `beforeAll` that initialises the database
 * `databaseId` of `databases` and starts the ingestion plugin on it (`startIngestionTestBackend`),
 * and returns a handle to read the backend, its server and the database from in the tests and in
 * hooks declared after this call.
 *
 * `options` may be a function, called in the `beforeAll` once the database is ready: for options
 * naming what hooks declared before this call started (a test server's URL, a temporary folder).
 * `hooks.timeout` is the `beforeAll`'s timeout; with `hooks.stop`, an `afterAll` stops the
 * backend (otherwise `startTestBackend` stops it when the file's tests are done).
 */
export function setUpIngestionTestBackend(
  databases: TestDatabases,
  databaseId: TestDatabaseId,
  options:
    | IngestionTestBackendOptions
    | ((knex: Knex) => IngestionTestBackendOptions) = {},
  hooks: { timeout?: number; stop?: boolean } = {},
): IngestionTestBackend {
  let started:
    | { backend: IngestionTestBackend['backend']; knex: Knex }
    | undefined;

  beforeAll(async () => {
    const knex = await databases.init(databaseId);
    const backend = await startIngestionTestBackend(
      startOptions(
        knex,
        typeof options === 'function' ? options(knex) : options,
      ),
    );
    started = { backend, knex };
  }, hooks.timeout);

  if (hooks.stop) {
    afterAll(async () => {
      await started?.backend.stop();
    });
  }

  const get = () => {
    if (!started) {
      throw new Error(
        `The ingestion test backend on ${databaseId} has not started: read it in tests or in hooks ` +
          `declared after setUpIngestionTestBackend, once its beforeAll has run (did it fail?)`,
      );
    }
    return started;
  };
  return {
    get backend() {
      return get().backend;
    },
    get server() {
      return get().backend.server;
    },
    get knex() {
      return get().knex;
    },
  };
}
