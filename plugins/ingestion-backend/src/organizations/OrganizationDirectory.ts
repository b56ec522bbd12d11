import { NotFoundError } from '@backstage/errors';
import {
  ORG_ROLES,
  type OrgRole,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import type { OrganizationConfig } from './organizationConfig';

/** The organizations a user belongs to, with the roles held in each. */
export type Memberships = ReadonlyMap<string, readonly OrgRole[]>;

/**
 * Knows the configured organizations and which roles a user's group memberships give them.
 * Roles are resolved from the ownership refs in the user's Backstage identity, so a user may
 * hold different roles in different organizations.
 */
export class OrganizationDirectory {
  private readonly byId: ReadonlyMap<string, OrganizationConfig>;

  constructor(
    readonly organizations: readonly OrganizationConfig[],
    private readonly platformAdminGroups: readonly string[] = [],
  ) {
    this.byId = new Map(organizations.map(org => [org.id, org]));
  }

  /** The organization with this id, or a 404 that does not say whether it exists elsewhere. */
  get(id: string): OrganizationConfig {
    const org = this.byId.get(id);
    if (!org) {
      throw new NotFoundError(`Organization '${id}' not found`);
    }
    return org;
  }

  find(id: string): OrganizationConfig | undefined {
    return this.byId.get(id);
  }

  membershipsOf(ownershipEntityRefs: readonly string[]): Memberships {
    const refs = new Set(
      ownershipEntityRefs.map(ref => ref.toLocaleLowerCase('en-US')),
    );
    const isPlatformAdmin = this.platformAdminGroups.some(group =>
      refs.has(group.toLocaleLowerCase('en-US')),
    );
    const memberships = new Map<string, OrgRole[]>();
    for (const org of this.organizations) {
      const roles: OrgRole[] = isPlatformAdmin
        ? ['admin']
        : ORG_ROLES.filter(role => org.roles[role].some(g => refs.has(g)));
      if (roles.length > 0) {
        memberships.set(org.id, roles);
      }
    }
    return memberships;
  }
}
