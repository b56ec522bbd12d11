import type {
  LoggerService,
  RootConfigService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import type { Knex } from 'knex';
import { IcebergSqlCatalog } from '../catalog/IcebergSqlCatalog';
import { CommitConflictError } from '../errors';
import { parseNamespaceKey } from '../identifiers';
import {
  expireSnapshots,
  MAX_SNAPSHOT_AGE_PROPERTY,
  MIN_SNAPSHOTS_TO_KEEP_PROPERTY,
  removeOldMetadataFiles,
} from './expireSnapshots';

/** The scheduler task that applies the organizations' retention to their Iceberg tables. */
export const ICEBERG_SNAPSHOT_EXPIRY_TASK_ID =
  'ingestion-iceberg-snapshot-expiry';

const DAY_MS = 86_400_000;
/**
 * Snapshots younger than this are never expired, whatever a table says: a run retried after a
 * failure finds its own earlier commit by the run id in the snapshots (exactly-once writes).
 */
export const MIN_SNAPSHOT_AGE_MS = DAY_MS;

/** An organization's retention, from its storage quota. */
export interface RetentionOrganization {
  id: string;
  quotas: { storage: { retentionDays: number } };
}

/** Totals of one pass. */
export interface RetentionPass {
  tables: number;
  expiredSnapshots: number;
  deletedFiles: number;
  /** Tables that changed during their expiry: tried again on the next pass. */
  conflicts: number;
  errors: number;
}

/**
 * Applies each organization's `quotas.storage.retentionDays` to the Iceberg tables of its local
 * SQL catalog: snapshots older than that are expired (see {@link expireSnapshots}), so time travel
 * reaches back as far as the retention and the files of rows deleted or overwritten longer ago
 * are removed, as are metadata files older than the table's metadata log. A table's own
 * `history.expire.max-snapshot-age-ms` and
 * `history.expire.min-snapshots-to-keep` properties take precedence; snapshots younger than a day
 * are always kept. Every query and file is scoped to one organization's tables.
 */
export class IcebergSnapshotRetention {
  constructor(
    private readonly options: {
      knex: Knex;
      logger: LoggerService;
      organizations: () => readonly RetentionOrganization[];
      now?: () => number;
    },
  ) {}

  async expire(): Promise<RetentionPass> {
    const pass: RetentionPass = {
      tables: 0,
      expiredSnapshots: 0,
      deletedFiles: 0,
      conflicts: 0,
      errors: 0,
    };
    const now = this.options.now?.() ?? Date.now();
    for (const organization of this.options.organizations()) {
      const rows: Array<{
        catalog_name: string;
        table_namespace: string;
        table_name: string;
      }> = await this.options
        .knex('iceberg_tables')
        .where({ organization_id: organization.id })
        .where(q =>
          q.where('iceberg_type', 'TABLE').orWhereNull('iceberg_type'),
        )
        .where('metadata_location', 'like', 'file:%')
        .orderBy(['catalog_name', 'table_namespace', 'table_name'])
        .select('catalog_name', 'table_namespace', 'table_name');
      for (const row of rows) {
        const catalog = new IcebergSqlCatalog({
          database: this.options.knex,
          catalogName: row.catalog_name,
        });
        const table = {
          namespace: parseNamespaceKey(row.table_namespace),
          name: row.table_name,
        };
        const label = `${row.catalog_name}.${row.table_namespace}.${row.table_name}`;
        pass.tables += 1;
        try {
          const loaded = await catalog.loadTable(organization.id, table);
          const { properties } = loaded.metadata;
          const maxAgeMs = Math.max(
            MIN_SNAPSHOT_AGE_MS,
            Number(properties[MAX_SNAPSHOT_AGE_PROPERTY]) ||
              organization.quotas.storage.retentionDays * DAY_MS,
          );
          const result = await expireSnapshots({
            catalog,
            organizationId: organization.id,
            table,
            olderThanMs: now - maxAgeMs,
            minSnapshotsToKeep:
              Number(properties[MIN_SNAPSHOTS_TO_KEEP_PROPERTY]) || 1,
            loaded,
          });
          // Every commit leaves a metadata file; those older than the metadata log go too.
          const staleMetadata = await removeOldMetadataFiles(
            result.metadataLocation && result.metadata
              ? {
                  metadataLocation: result.metadataLocation,
                  metadata: result.metadata,
                }
              : loaded,
          );
          pass.deletedFiles += staleMetadata.length;
          if (result.expiredSnapshotIds.length > 0) {
            pass.expiredSnapshots += result.expiredSnapshotIds.length;
            pass.deletedFiles += result.deletedFiles.length;
            this.options.logger.info(
              `Expired ${
                result.expiredSnapshotIds.length
              } snapshots of ${label} (organization ${
                organization.id
              }) older than ${Math.round(maxAgeMs / DAY_MS)} days; deleted ${
                result.deletedFiles.length
              } files`,
            );
          }
        } catch (error) {
          if (error instanceof CommitConflictError) {
            pass.conflicts += 1;
          } else {
            pass.errors += 1;
            this.options.logger.warn(
              `Could not expire the snapshots of ${label} (organization ${organization.id}): ${error}`,
            );
          }
        }
      }
    }
    return pass;
  }
}

/**
 * Schedules {@link IcebergSnapshotRetention} on the backend's scheduler (one replica at a time).
 * Config: `ingestion.icebergSnapshotExpiry.enabled` (default true) and `frequencyHours` (default 24).
 */
export async function startIcebergSnapshotExpiry(options: {
  config: RootConfigService;
  logger: LoggerService;
  knex: Knex;
  scheduler: SchedulerService;
  /** A function reads the organizations on every pass (they change at run time). */
  organizations:
    | readonly RetentionOrganization[]
    | (() => readonly RetentionOrganization[]);
}): Promise<IcebergSnapshotRetention | undefined> {
  const settings = options.config.getOptionalConfig(
    'ingestion.icebergSnapshotExpiry',
  );
  if (settings?.getOptionalBoolean('enabled') === false) return undefined;
  const logger = options.logger.child({
    task: ICEBERG_SNAPSHOT_EXPIRY_TASK_ID,
  });
  const retention = new IcebergSnapshotRetention({
    knex: options.knex,
    logger,
    organizations:
      typeof options.organizations === 'function'
        ? options.organizations
        : () => options.organizations as readonly RetentionOrganization[],
  });
  await options.scheduler.scheduleTask({
    id: ICEBERG_SNAPSHOT_EXPIRY_TASK_ID,
    frequency: { hours: settings?.getOptionalNumber('frequencyHours') ?? 24 },
    timeout: { hours: 1 },
    initialDelay: { minutes: 10 },
    fn: async () => {
      const pass = await retention.expire();
      if (pass.expiredSnapshots + pass.conflicts + pass.errors > 0) {
        logger.info(
          `Iceberg snapshot expiry: ${pass.expiredSnapshots} snapshots of ${pass.tables} tables expired, ${pass.deletedFiles} files deleted, ${pass.conflicts} tables changed meanwhile, ${pass.errors} failed`,
        );
      }
    },
  });
  return retention;
}
