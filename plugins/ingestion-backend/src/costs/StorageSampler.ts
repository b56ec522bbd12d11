import type { LoggerService } from '@backstage/backend-plugin-api';
import type { Knex } from 'knex';
import { promises as fs } from 'node:fs';
import { join, resolve } from 'node:path';
import { costRecordRow, type NewCostRecord } from '../database/CostsStore';
import { describeLoadedTable, IcebergSqlCatalog } from '../iceberg';
import type { OrganizationConfig } from '../organizations/organizationConfig';
import { dayOf, daysInMonth, monthOf } from './dates';
import type { CostPricing } from './pricing';

const GB = 1024 ** 3;

/** Bytes under a folder (symbolic links not followed); 0 when it does not exist. */
export async function folderSize(path: string): Promise<number> {
  let total = 0;
  let entries;
  try {
    entries = await fs.readdir(path, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) {
      total += await folderSize(child);
    } else if (entry.isFile()) {
      total += (await fs.stat(child).catch(() => ({ size: 0 }))).size;
    }
  }
  return total;
}

/** Measures an organization's storage outside its tables (S3 listing is a separate source). */
export type StorageMeasure = (
  organization: OrganizationConfig,
) => Promise<number | undefined>;

/** The local folder of an organization's storage; undefined for object storage. */
export function localStorageMeasure(cwd = process.cwd()): StorageMeasure {
  return async organization =>
    /^[a-z0-9]+:\/\//i.test(organization.storage)
      ? undefined
      : folderSize(resolve(cwd, organization.storage));
}

/**
 * Daily cost samples: storage per table (the current Iceberg snapshot's `total-files-size`, else
 * the size the last run recorded) and the rest of the organization's storage folder, each as the
 * day's fraction of a GB-month (size × 1 / days in the month, never rounded); and platform usage,
 * the API requests of complete days × the per-1000 rate. A day is sampled once per organization:
 * the samples of a day and the requests billed are written in one transaction that first checks
 * for them, and the scheduler runs the task on one replica at a time.
 */
export class CostSampler {
  constructor(
    private readonly options: {
      knex: Knex;
      logger: LoggerService;
      pricing: CostPricing;
      organizations: () => readonly OrganizationConfig[];
      measureStorage?: StorageMeasure;
      now?: () => Date;
    },
  ) {}

  async sample(): Promise<{ storage: number; platform: number }> {
    let storage = 0;
    let platform = 0;
    for (const organization of this.options.organizations()) {
      try {
        storage += await this.sampleStorage(organization);
        platform += await this.billRequests(organization);
      } catch (error) {
        this.options.logger.warn(
          `Cost sampling failed for organization ${organization.id}: ${error}`,
        );
      }
    }
    return { storage, platform };
  }

  private base(organization: OrganizationConfig, day: string, at: Date) {
    return {
      organizationId: organization.id,
      costCenter: organization.costCenter,
      environment: organization.environment,
      currency: this.options.pricing.currency,
      period: day.slice(0, 7),
      day,
      project: organization.project,
      measurement: 'measured' as const,
      at,
    };
  }

  private async tableSize(
    organization: OrganizationConfig,
    table: any,
  ): Promise<number> {
    if (table.format === 'iceberg' && table.catalog_name && table.table_name) {
      try {
        const catalog = new IcebergSqlCatalog({
          database: this.options.knex,
          catalogName: table.catalog_name,
        });
        const loaded = await catalog.loadTable(organization.id, {
          namespace: String(table.namespace ?? '').split('.'),
          name: table.table_name,
        });
        return describeLoadedTable(loaded).sizeInBytes;
      } catch {
        // Not in this backend's catalog (a REST catalog's table): the size its run recorded.
      }
    }
    return Number(table.size_bytes ?? 0);
  }

  /** Returns the records written (0 when the day was sampled already). */
  async sampleStorage(organization: OrganizationConfig): Promise<number> {
    const { knex, pricing } = this.options;
    const now = this.options.now?.() ?? new Date();
    const day = dayOf(now);
    const fraction = 1 / daysInMonth(monthOf(now));
    const sampled = await knex('cost_records')
      .where({
        organization_id: organization.id,
        day,
        source: 'storage-sample',
      })
      .first('id');
    if (sampled) return 0;
    const tables = await knex('data_tables')
      .where('organization_id', organization.id)
      .select();
    const records: NewCostRecord[] = [];
    let tablesBytes = 0;
    for (const table of tables) {
      const bytes = await this.tableSize(organization, table);
      tablesBytes += bytes;
      if (bytes <= 0) continue;
      const quantity = (bytes / GB) * fraction;
      records.push({
        ...this.base(organization, day, now),
        serviceType: 'storage' as const,
        tableId: table.id,
        pipelineId: table.pipeline_id ?? undefined,
        ownerRef: table.owner,
        quantity,
        unit: 'GB-month' as const,
        amount: quantity * pricing.storageGbMonth,
        source: 'storage-sample' as const,
      });
    }
    // Everything else the organization stores: source files, staging, expired snapshots' files.
    const folder = await (this.options.measureStorage ?? localStorageMeasure())(
      organization,
    );
    const rest = folder === undefined ? 0 : folder - tablesBytes;
    if (rest > 0) {
      const quantity = (rest / GB) * fraction;
      records.push({
        ...this.base(organization, day, now),
        serviceType: 'storage' as const,
        ownerRef: organization.ownerGroup,
        quantity,
        unit: 'GB-month' as const,
        amount: quantity * pricing.storageGbMonth,
        source: 'storage-sample' as const,
      });
    }
    if (records.length === 0) return 0;
    return knex.transaction(async trx => {
      const again = await trx('cost_records')
        .where({
          organization_id: organization.id,
          day,
          source: 'storage-sample',
        })
        .first('id');
      if (again) return 0;
      await trx('cost_records').insert(records.map(costRecordRow));
      return records.length;
    });
  }

  /** Turns the requests of complete days not yet billed into platform cost records. */
  async billRequests(organization: OrganizationConfig): Promise<number> {
    const { knex, pricing } = this.options;
    const now = this.options.now?.() ?? new Date();
    const today = dayOf(now);
    const days = await knex('cost_api_requests')
      .where('organization_id', organization.id)
      .where('day', '<', today)
      .whereRaw('requests > billed')
      .select('day', 'requests', 'billed');
    let written = 0;
    for (const row of days) {
      const quantity = Number(row.requests) - Number(row.billed);
      const billed = await knex.transaction(async trx => {
        // Only the replica whose update still sees the old count bills the difference.
        const updated = await trx('cost_api_requests')
          .where({
            organization_id: organization.id,
            day: row.day,
            billed: row.billed,
          })
          .update({ billed: row.requests });
        if (updated !== 1) return false;
        await trx('cost_records').insert(
          costRecordRow({
            ...this.base(organization, row.day, now),
            serviceType: 'platform',
            ownerRef: organization.ownerGroup,
            quantity,
            unit: 'request',
            amount: (quantity / 1000) * pricing.platform.perThousandRequests,
            source: 'platform-usage',
          }),
        );
        return true;
      });
      if (billed) written += 1;
    }
    return written;
  }
}
