import type {
  OrganizationQuotas,
  QuotaReport,
  QuotaUsage,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import type { Knex } from 'knex';
import type { RunsStore } from '../database/RunsStore';
import type { OrganizationConfig } from '../organizations/organizationConfig';
import { QuotaExceededError } from './QuotaExceededError';

const ACTIVE = ['queued', 'submitted', 'running'] as const;
const GB = 1024 ** 3;

/**
 * Quota usage and checks. Policy (documented in the README): a triggered run is refused when
 * the organization already has `maxConcurrentJobs` runs waiting in the queue, or when the DBUs of
 * the last hour reached `maxDbuPerHour`, or when its tables hold `maxStorageGb`. Runs beyond the
 * concurrency quota wait in `queued` until a slot frees (the run driver submits at most
 * `maxConcurrentJobs` at a time).
 */
export class QuotasService {
  constructor(
    private readonly knex: Knex,
    private readonly runs: RunsStore,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async usage(organizationId: string): Promise<QuotaUsage> {
    const hourAgo = new Date(this.clock().getTime() - 3600_000);
    const [concurrentRuns, dbuLastHour, [{ bytes }]] = await Promise.all([
      this.runs.countByStatus(organizationId, ACTIVE),
      this.runs.dbusSince(organizationId, hourAgo),
      this.knex('data_tables')
        .where('organization_id', organizationId)
        .sum({ bytes: 'size_bytes' }),
    ]);
    return {
      concurrentRuns,
      dbuLastHour: Math.round(dbuLastHour * 1000) / 1000,
      storageGb: Math.round((Number(bytes ?? 0) / GB) * 1000) / 1000,
    };
  }

  async report(organization: OrganizationConfig): Promise<QuotaReport> {
    return {
      organization: organization.id,
      quotas: organization.quotas,
      usage: await this.usage(organization.id),
    };
  }

  /** Throws {@link QuotaExceededError} when the organization may not queue another run now. */
  async checkRunAllowed(organization: OrganizationConfig): Promise<void> {
    const quotas: OrganizationQuotas = organization.quotas;
    const queued = await this.runs.countByStatus(organization.id, ['queued']);
    if (queued >= quotas.databricks.maxConcurrentJobs) {
      throw new QuotaExceededError(
        `Organization '${organization.id}' already has ${queued} runs waiting, its limit of concurrent jobs (${quotas.databricks.maxConcurrentJobs}); try again when some have started`,
        60,
        {
          organization: organization.id,
          quota: 'databricks.maxConcurrentJobs',
        },
      );
    }
    const usage = await this.usage(organization.id);
    if (usage.dbuLastHour >= quotas.databricks.maxDbuPerHour) {
      throw new QuotaExceededError(
        `Organization '${organization.id}' used ${usage.dbuLastHour} DBU in the last hour, its quota is ${quotas.databricks.maxDbuPerHour} DBU per hour`,
        600,
        { organization: organization.id, quota: 'databricks.maxDbuPerHour' },
      );
    }
    if (usage.storageGb >= quotas.storage.maxStorageGb) {
      throw new QuotaExceededError(
        `Organization '${organization.id}' stores ${usage.storageGb} GB, its quota is ${quotas.storage.maxStorageGb} GB; ask an admin to raise it or drop data`,
        undefined,
        { organization: organization.id, quota: 'storage.maxStorageGb' },
      );
    }
  }
}
