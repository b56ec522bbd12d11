import type { Memberships } from '../organizations/OrganizationDirectory';

/**
 * What the policy knows about the signed-in user behind a request: who they are, the groups they
 * own through, their organization roles, and their portal-wide duties.
 */
export type PolicyUser = {
  userEntityRef: string;
  /** The user and their groups, as the user's Backstage identity lists them. */
  ownershipEntityRefs: readonly string[];
  /** Roles by organization id (a platform admin is admin of every organization). */
  memberships: Memberships;
  /** A member of `ingestion.platformAdmins`: administers every organization and the portal. */
  isPlatformAdmin: boolean;
  /**
   * A platform admin or a member of `ingestion.catalog.locationAdmins`: may register and remove
   * catalog locations.
   */
  isLocationAdmin: boolean;
};

/** Portal-wide groups from config, matched against a user's ownership refs. */
export class PortalGroups {
  private readonly platformAdmins: ReadonlySet<string>;
  private readonly locationAdmins: ReadonlySet<string>;

  constructor(options: {
    platformAdmins?: readonly string[];
    locationAdmins?: readonly string[];
  }) {
    this.platformAdmins = normalized(options.platformAdmins ?? []);
    this.locationAdmins = normalized(options.locationAdmins ?? []);
  }

  userOf(
    userEntityRef: string,
    ownershipEntityRefs: readonly string[],
    memberships: Memberships,
  ): PolicyUser {
    const refs = [...normalized(ownershipEntityRefs)];
    const isPlatformAdmin = refs.some(ref => this.platformAdmins.has(ref));
    return {
      userEntityRef,
      ownershipEntityRefs,
      memberships,
      isPlatformAdmin,
      isLocationAdmin:
        isPlatformAdmin || refs.some(ref => this.locationAdmins.has(ref)),
    };
  }
}

/** Entity refs compare case-insensitively, as the catalog does. */
function normalized(refs: readonly string[]): ReadonlySet<string> {
  return new Set(refs.map(ref => ref.toLocaleLowerCase('en-US')));
}
