import type {
  BackstageCredentials,
  BackstageUserPrincipal,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import {
  infrastructureReadPermission,
  type OrganizationSummary,
  type QuotaReport,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import type { IngestionAuthorizer } from '../authorization/IngestionAuthorizer';
import type { QuotasService } from './QuotasService';
import type {
  Memberships,
  OrganizationDirectory,
} from '../organizations/OrganizationDirectory';

/** Lists organizations and resolves the caller's memberships. */
export class OrganizationsService {
  static create(options: {
    directory: OrganizationDirectory;
    userInfo: UserInfoService;
    quotas: QuotasService;
    authorizer: IngestionAuthorizer;
  }) {
    return new OrganizationsService(options);
  }

  private readonly directory: OrganizationDirectory;
  private readonly userInfo: UserInfoService;

  private constructor(
    private readonly options: {
      directory: OrganizationDirectory;
      userInfo: UserInfoService;
      quotas: QuotasService;
      authorizer: IngestionAuthorizer;
    },
  ) {
    this.directory = options.directory;
    this.userInfo = options.userInfo;
  }

  /** Quotas and usage of one organization, for its members (404 for anyone else). */
  async quotaReport(
    credentials: BackstageCredentials,
    organizationId: string,
  ): Promise<QuotaReport> {
    await this.options.authorizer.authorizeOrganization(
      credentials,
      infrastructureReadPermission,
      organizationId,
    );
    return this.options.quotas.report(this.directory.get(organizationId));
  }

  async membershipsOf(
    credentials: BackstageCredentials<BackstageUserPrincipal>,
  ): Promise<Memberships> {
    const info = await this.userInfo.getUserInfo(credentials);
    return this.directory.membershipsOf(info.ownershipEntityRefs);
  }

  /** The organizations the caller belongs to, with the caller's roles in each. */
  async listMine(
    credentials: BackstageCredentials<BackstageUserPrincipal>,
  ): Promise<OrganizationSummary[]> {
    const memberships = await this.membershipsOf(credentials);
    // Retired organizations have no members but platform admins (see OrganizationDirectory).
    const mine = this.directory.all.filter(org => memberships.has(org.id));
    const usages = await Promise.all(
      mine.map(org => this.options.quotas.usage(org.id)),
    );
    return mine.map((org, index) => ({
      id: org.id,
      name: org.name,
      costCenter: org.costCenter,
      environment: org.environment,
      ownerGroup: org.ownerGroup,
      engine: org.engine,
      roles: [...(memberships.get(org.id) ?? [])],
      quotas: org.quotas,
      usage: usages[index],
      budget: org.budget,
    }));
  }
}
