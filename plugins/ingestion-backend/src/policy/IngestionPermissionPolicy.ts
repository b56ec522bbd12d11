import type { UserInfoService } from '@backstage/backend-plugin-api';
import {
  AuthorizeResult,
  isResourcePermission,
  type PermissionCondition,
  type PermissionCriteria,
  type PolicyDecision,
} from '@backstage/plugin-permission-common';
import type {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import {
  ANNOTATION_ORGANIZATION,
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

const CATALOG_ENTITY = 'catalog-entity';

function hasOrganizationAnnotation(
  value?: string,
): PermissionCondition<typeof CATALOG_ENTITY> {
  return {
    rule: 'HAS_ANNOTATION',
    resourceType: CATALOG_ENTITY,
    params:
      value === undefined
        ? { annotation: ANNOTATION_ORGANIZATION }
        : { annotation: ANNOTATION_ORGANIZATION, value },
  };
}

/**
 * The product brief's access matrix as a Backstage permission policy.
 *
 * - Ingestion permissions: allowed in exactly the organizations where one of the user's roles grants
 *   them (`ROLE_PERMISSIONS`), as an `IS_IN_ORGANIZATION` condition that the backend turns into SQL.
 *   No such organization: denied.
 * - Catalog entities annotated with an organization: visible (and actionable) only to its members.
 * - Everything else: allowed, as the default policy of a fresh portal.
 */
export class IngestionPermissionPolicy implements PermissionPolicy {
  constructor(
    private readonly directory: OrganizationDirectory,
    private readonly userInfo: UserInfoService,
  ) {}

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    const { permission } = request;
    const isIngestion = permission.name.startsWith('ingestion.');
    const isCatalogEntity = isResourcePermission(permission, CATALOG_ENTITY);
    if (!isIngestion && !isCatalogEntity) {
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
    if (isCatalogEntity) {
      return this.catalogDecision(memberships);
    }
    return this.ingestionDecision(permission.name, request, memberships);
  }

  private catalogDecision(memberships: Memberships): PolicyDecision {
    const conditions: PermissionCriteria<
      PermissionCondition<typeof CATALOG_ENTITY>
    > = {
      anyOf: [
        { not: hasOrganizationAnnotation() },
        ...[...memberships.keys()].map(id => hasOrganizationAnnotation(id)),
      ],
    };
    return {
      result: AuthorizeResult.CONDITIONAL,
      pluginId: 'catalog',
      resourceType: CATALOG_ENTITY,
      conditions,
    };
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
