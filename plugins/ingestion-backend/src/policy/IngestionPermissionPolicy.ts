import type {
  LoggerService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import {
  AuthorizeResult,
  isResourcePermission,
  type PolicyDecision,
} from '@backstage/plugin-permission-common';
import type {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import {
  ORGANIZATION_RESOURCE_TYPE,
  PIPELINE_RESOURCE_TYPE,
  rolesGrant,
  TABLE_RESOURCE_TYPE,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import {
  createOrganizationConditionalDecision,
  createPipelineConditionalDecision,
  createTableConditionalDecision,
  organizationConditions,
  pipelineConditions,
  tableConditions,
} from '@ingestion-for-backstage/plugin-ingestion-node';
import type {
  Memberships,
  OrganizationDirectory,
} from '../organizations/OrganizationDirectory';
import { catalogDecision, isCatalogPermission } from './catalogDecisions';
import {
  membersOfOrganizations,
  type OrganizationMembers,
} from './OrganizationMembers';
import { PortalGroups } from './PolicyUser';
import {
  adminOrganizations,
  isScaffolderPermission,
  SCAFFOLDER_TASK,
  scaffolderDecision,
} from './scaffolderDecisions';

/**
 * The product brief's access matrix as a Backstage permission policy.
 *
 * - Ingestion permissions: allowed in exactly the organizations where one of the user's roles grants
 *   them (`ROLE_PERMISSIONS`), as an `IS_IN_ORGANIZATION` condition that the backend turns into SQL.
 *   No such organization: denied.
 * - Catalog permissions by role ({@link catalogDecision}): an organization's entities are visible
 *   to its members only and refreshed or unregistered by its admins; locations are registered by
 *   location admins.
 * - Scaffolder tasks ({@link scaffolderDecision}): read and cancelled by the user who started them,
 *   the admins of the one organization that user belongs to (with `members`), and platform admins.
 * - Everything else: allowed, as the default policy of a fresh portal.
 */
export class IngestionPermissionPolicy implements PermissionPolicy {
  private readonly groups: PortalGroups;
  private readonly members?: OrganizationMembers;
  private readonly logger?: LoggerService;

  constructor(
    private readonly directory: OrganizationDirectory,
    private readonly userInfo: UserInfoService,
    options: {
      /** Groups of `ingestion.platformAdmins`. */
      platformAdmins?: readonly string[];
      /** Groups of `ingestion.catalog.locationAdmins`. */
      locationAdmins?: readonly string[];
      /**
       * The users of each organization whose tasks its admins may read and cancel. Without it,
       * tasks are their owner's (and platform admins') only.
       */
      members?: OrganizationMembers;
      logger?: LoggerService;
    } = {},
  ) {
    this.groups = new PortalGroups(options);
    this.members = options.members;
    this.logger = options.logger;
  }

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    const { permission } = request;
    const isIngestion = permission.name.startsWith('ingestion.');
    const isCatalog = isCatalogPermission(permission);
    const isScaffolder = isScaffolderPermission(permission);
    if (!isIngestion && !isCatalog && !isScaffolder) {
      return { result: AuthorizeResult.ALLOW };
    }
    if (
      !user ||
      (user.credentials.principal as { type?: string }).type !== 'user'
    ) {
      // Without a user there are no memberships: ingestion data stays closed.
      return isIngestion
        ? { result: AuthorizeResult.DENY }
        : { result: AuthorizeResult.ALLOW };
    }
    const info = await this.userInfo.getUserInfo(
      user.credentials as Parameters<UserInfoService['getUserInfo']>[0],
    );
    const memberships = this.directory.membershipsOf(info.ownershipEntityRefs);
    if (isCatalog || isScaffolder) {
      const policyUser = this.groups.userOf(
        info.userEntityRef,
        info.ownershipEntityRefs,
        memberships,
      );
      if (isCatalog) return catalogDecision(permission, policyUser);
      const memberTaskOwners = isResourcePermission(permission, SCAFFOLDER_TASK)
        ? await membersOfOrganizations(
            this.members,
            adminOrganizations(policyUser),
            this.logger,
          )
        : [];
      return scaffolderDecision(permission, policyUser, memberTaskOwners);
    }
    return this.ingestionDecision(permission.name, request, memberships);
  }

  private ingestionDecision(
    permissionName: string,
    request: PolicyQuery,
    memberships: Memberships,
  ): PolicyDecision {
    const organizationIds = [...memberships]
      .filter(([, roles]) => rolesGrant(roles, permissionName))
      .map(([id]) => id);
    const { permission } = request;
    if (organizationIds.length === 0 || !isResourcePermission(permission)) {
      return { result: AuthorizeResult.DENY };
    }
    if (isResourcePermission(permission, ORGANIZATION_RESOURCE_TYPE)) {
      return createOrganizationConditionalDecision(
        permission,
        organizationConditions.isInOrganization({ organizationIds }),
      );
    }
    if (isResourcePermission(permission, PIPELINE_RESOURCE_TYPE)) {
      return createPipelineConditionalDecision(
        permission,
        pipelineConditions.isInOrganization({ organizationIds }),
      );
    }
    if (isResourcePermission(permission, TABLE_RESOURCE_TYPE)) {
      return createTableConditionalDecision(
        permission,
        tableConditions.isInOrganization({ organizationIds }),
      );
    }
    return { result: AuthorizeResult.DENY };
  }
}
