import type {
  AuthService,
  DiscoveryService,
  LoggerService,
  RootConfigService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  AuthorizeResult,
  isResourcePermission,
  type PolicyDecision,
} from '@backstage/plugin-permission-common';
import type {
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
import { readOrganizationsConfig } from '../organizations/organizationConfig';
import { createRemoteOrganizationDirectory } from '../organizations/RemoteOrganizationSource';
import {
  OrganizationDirectory,
  type Memberships,
} from '../organizations/OrganizationDirectory';
import { catalogDecision, isCatalogPermission } from './catalogDecisions';
import {
  CatalogOrganizationMembers,
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
 * The services {@link IngestionPermissionDecisions.create} reads: inside a permission backend
 * module, `coreServices.rootConfig`, `coreServices.userInfo`, `coreServices.auth`,
 * `coreServices.logger` and `catalogServiceRef` (`@backstage/plugin-catalog-node`).
 *
 * @public
 */
export type IngestionPermissionDecisionsServices = {
  config: RootConfigService;
  userInfo: UserInfoService;
  auth: AuthService;
  logger: LoggerService;
  catalog: CatalogService;
  /**
   * `coreServices.discovery`: with it, organizations are read from the ingestion backend, so ones
   * created or retired at run time count within seconds; without it, from `ingestion.organizations`.
   */
  discovery?: DiscoveryService;
};

/**
 * The ingestion half of a permission policy, for a portal whose own policy delegates to it: the
 * product brief's access matrix over the ingestion plugin's permissions, the organization scoping
 * of catalog entities and mutations, and the ownership of scaffolder tasks. A portal's policy asks
 * {@link IngestionPermissionDecisions.handles} for each request and returns
 * {@link IngestionPermissionDecisions.handle}'s decision when it does; rules of its own that must
 * win (a permission it denies to everyone, say) go before that check.
 *
 * - Ingestion permissions (`ingestion.*`): allowed in exactly the organizations where one of the
 *   user's roles grants them (`ROLE_PERMISSIONS`), as an `IS_IN_ORGANIZATION` condition that the
 *   ingestion backend turns into SQL. No such organization, or no user: denied.
 * - Catalog permissions (`catalog.*`, {@link catalogDecision}): an organization's entities are
 *   visible to its members only and refreshed or unregistered by its admins, as `HAS_ANNOTATION`
 *   and `IS_ENTITY_OWNER` conditions that the catalog turns into SQL; locations are registered by
 *   location admins.
 * - Scaffolder permissions (`scaffolder.*`, {@link scaffolderDecision}): a task is read and
 *   cancelled by the user who started it, the admins of the one organization that user belongs
 *   to, and platform admins (`IS_TASK_OWNER`); everything else the scaffolder asks is allowed.
 *
 * Catalog and scaffolder requests without a user (one plugin calling another with its own
 * credentials) are allowed, as Backstage's default policy allows them.
 *
 * @public
 */
export class IngestionPermissionDecisions {
  private readonly groups: PortalGroups;
  private readonly members?: OrganizationMembers;
  private readonly logger?: LoggerService;

  /**
   * Decisions from the backend's services: organizations and roles from `ingestion.organizations`,
   * `ingestion.platformAdmins` and `ingestion.catalog.locationAdmins` from config; the members
   * whose tasks an organization's admins read from the catalog.
   */
  static create(
    services: IngestionPermissionDecisionsServices,
  ): IngestionPermissionDecisions {
    const { config, userInfo, auth, logger, catalog } = services;
    const platformAdmins =
      config.getOptionalStringArray('ingestion.platformAdmins') ?? [];
    const locationAdmins =
      config.getOptionalStringArray('ingestion.catalog.locationAdmins') ?? [];
    const directory = services.discovery
      ? createRemoteOrganizationDirectory({
          config,
          discovery: services.discovery,
          auth,
          logger,
        })
      : new OrganizationDirectory(
          readOrganizationsConfig(config),
          platformAdmins,
        );
    return new IngestionPermissionDecisions(directory, userInfo, {
      platformAdmins,
      locationAdmins,
      members: new CatalogOrganizationMembers({
        catalog,
        auth,
        directory,
        groups: new PortalGroups({ platformAdmins, locationAdmins }),
      }),
      logger,
    });
  }

  /** @internal Use {@link IngestionPermissionDecisions.create}. */
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

  /**
   * Whether the request is one these decisions answer: an ingestion, catalog or scaffolder
   * permission (by name prefix or resource type).
   */
  handles(request: PolicyQuery): boolean {
    const { permission } = request;
    return (
      permission.name.startsWith('ingestion.') ||
      isCatalogPermission(permission) ||
      isScaffolderPermission(permission)
    );
  }

  /**
   * The decision for a request that {@link IngestionPermissionDecisions.handles}; any other
   * request is denied (ask `handles` first).
   */
  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    const { permission } = request;
    if (!this.handles(request)) {
      return { result: AuthorizeResult.DENY };
    }
    const isIngestion = permission.name.startsWith('ingestion.');
    if (
      !user ||
      (user.credentials.principal as { type?: string }).type !== 'user'
    ) {
      // Without a user there are no memberships: ingestion data stays closed.
      return isIngestion
        ? { result: AuthorizeResult.DENY }
        : { result: AuthorizeResult.ALLOW };
    }
    const [info] = await Promise.all([
      this.userInfo.getUserInfo(
        user.credentials as Parameters<UserInfoService['getUserInfo']>[0],
      ),
      // Organizations created or retired at run time: at most a few seconds old.
      this.directory.ensureFresh(),
    ]);
    const memberships = this.directory.membershipsOf(info.ownershipEntityRefs);
    if (isIngestion) {
      return this.ingestionDecision(request, memberships);
    }
    const policyUser = this.groups.userOf(
      info.userEntityRef,
      info.ownershipEntityRefs,
      memberships,
    );
    if (isCatalogPermission(permission)) {
      return catalogDecision(permission, policyUser);
    }
    const memberTaskOwners = isResourcePermission(permission, SCAFFOLDER_TASK)
      ? await membersOfOrganizations(
          this.members,
          adminOrganizations(policyUser),
          this.logger,
        )
      : [];
    return scaffolderDecision(permission, policyUser, memberTaskOwners);
  }

  private ingestionDecision(
    request: PolicyQuery,
    memberships: Memberships,
  ): PolicyDecision {
    const { permission } = request;
    const organizationIds = [...memberships]
      .filter(([, roles]) => rolesGrant(roles, permission.name))
      .map(([id]) => id);
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
