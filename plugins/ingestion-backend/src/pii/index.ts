import type {
  LifecycleService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import type { Knex } from 'knex';
import { PiiScanner } from './PiiScanner';
import { lazyDuckDb } from './sampleIcebergTable';

export { PiiScanner } from './PiiScanner';
export { PiiMasking } from './PiiMasking';
export { auditPiiMasking } from './auditPiiMasking';
export type { PiiFindings } from './PiiScanner';
export { TableStateStore } from './TableStateStore';
export type { TableState } from './TableStateStore';

/** The PII scanner with a DuckDB instance of its own, closed when the backend stops. */
export function createPiiScanner(options: {
  knex: Knex;
  logger: LoggerService;
  lifecycle?: LifecycleService;
}): PiiScanner {
  const duckdb = lazyDuckDb();
  options.lifecycle?.addShutdownHook(() => duckdb.close());
  return new PiiScanner({
    knex: options.knex,
    logger: options.logger.child({ component: 'pii' }),
    duckdb: duckdb.get,
  });
}
