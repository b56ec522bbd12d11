import type {
  BackstageCredentials,
  BackstageUserPrincipal,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import type { OrganizationSummary } from '@ingestion-for-backstage/plugin-ingestion-common';
import type {
  Memberships,
  OrganizationDirectory,
} from '../organizations/OrganizationDirectory';

/** Lists organizations and resolves the caller's memberships. */
export class OrganizationsService {
  static create(options: {
    directory: OrganizationDirectory;
    userInfo: UserInfoService;
  }) {
    return new OrganizationsService(options.directory, options.userInfo);
  }

  private constructor(
    private readonly directory: OrganizationDirectory,
    private readonly userInfo: UserInfoService,
  ) {}

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
    return this.directory.organizations
      .filter(org => memberships.has(org.id))
      .map(org => ({
        id: org.id,
        name: org.name,
        costCenter: org.costCenter,
        environment: org.environment,
        ownerGroup: org.ownerGroup,
        engine: org.engine,
        roles: [...(memberships.get(org.id) ?? [])],
        quotas: org.quotas,
      }));
  }
}
