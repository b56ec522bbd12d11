import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import {
  auditReadPermission,
  connectionReadPermission,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import type { IngestionAuthorizer } from '../authorization/IngestionAuthorizer';
import type { OrganizationDirectory } from '../organizations/OrganizationDirectory';
import type { QuotasService } from '../service/QuotasService';
import type { QuotaHistoryStore } from './QuotaHistoryStore';
import type { ConnectionUsage, QuotaUsageHistory, RoleGroups } from './types';

const HOURS = 24;
const DAYS = 14;

/**
 * What the admin console reads besides the existing lists: quota usage with its history and
 * refusals, the role groups of an organization, and which pipelines use each connection.
 * Each answer is for one organization, after the same organization check as every other route
 * (non-members get 404, members without the permission 403, both recorded as denials).
 */
export class GovernanceService {
  static create(options: {
    store: QuotaHistoryStore;
    quotas: Pick<QuotasService, 'usage'>;
    authorizer: Pick<IngestionAuthorizer, 'authorizeOrganization'>;
    directory: Pick<OrganizationDirectory, 'get'>;
    platformAdmins: readonly string[];
    clock?: () => Date;
  }): GovernanceService {
    return new GovernanceService(options);
  }

  private constructor(
    private readonly options: {
      store: QuotaHistoryStore;
      quotas: Pick<QuotasService, 'usage'>;
      authorizer: Pick<IngestionAuthorizer, 'authorizeOrganization'>;
      directory: Pick<OrganizationDirectory, 'get'>;
      platformAdmins: readonly string[];
      clock?: () => Date;
    },
  ) {}

  /**
   * Each quota's current use, the last 24 hours by hour and 14 days by day, and the refusals of
   * the last 14 days. Admins only: refusals name who was refused (`ingestion.audit.read`).
   */
  async quotaUsage(
    credentials: BackstageCredentials,
    organizationId: string,
  ): Promise<QuotaUsageHistory> {
    const { authorizer, directory, store, quotas } = this.options;
    await authorizer.authorizeOrganization(
      credentials,
      auditReadPermission,
      organizationId,
    );
    const organization = directory.get(organizationId);
    const now = this.options.clock?.() ?? new Date();
    const [usage, clustersInUse, oldestRunDays, hourly, daily, refusals] =
      await Promise.all([
        quotas.usage(organizationId),
        store.clustersInUse(organizationId),
        store.oldestRunDays(organizationId, now),
        store.hourly(organizationId, now, HOURS),
        store.daily(organizationId, now, DAYS),
        store.refusals(
          organizationId,
          new Date(now.getTime() - DAYS * 24 * 3600_000),
        ),
      ]);
    return {
      organization: organizationId,
      quotas: organization.quotas,
      usage: {
        ...usage,
        clustersInUse,
        oldestRunDays,
        apiRequestsToday: daily[daily.length - 1]?.apiRequests ?? 0,
      },
      hourly,
      daily,
      refusals,
    };
  }

  /** Which groups give which role (admins only, like the rest of the console's governance). */
  async roleGroups(
    credentials: BackstageCredentials,
    organizationId: string,
  ): Promise<RoleGroups> {
    await this.options.authorizer.authorizeOrganization(
      credentials,
      auditReadPermission,
      organizationId,
    );
    const organization = this.options.directory.get(organizationId);
    return {
      organization: organizationId,
      roles: organization.roles,
      platformAdmins: [...this.options.platformAdmins],
    };
  }

  /** Pipelines per connection name: for whoever may see the connections (admins, engineers). */
  async connectionUsage(
    credentials: BackstageCredentials,
    organizationId: string,
  ): Promise<{ items: ConnectionUsage[] }> {
    await this.options.authorizer.authorizeOrganization(
      credentials,
      connectionReadPermission,
      organizationId,
    );
    return { items: await this.options.store.connectionUsage(organizationId) };
  }
}
