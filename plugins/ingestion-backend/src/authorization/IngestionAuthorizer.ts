import type {
  BackstageCredentials,
  BackstageUserPrincipal,
  PermissionsRegistryService,
  PermissionsService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError, NotFoundError } from '@backstage/errors';
import {
  AuthorizeResult,
  type PermissionCriteria,
  type PolicyDecision,
  type ResourcePermission,
} from '@backstage/plugin-permission-common';
import {
  createConditionAuthorizer,
  createConditionTransformer,
} from '@backstage/plugin-permission-node';
import {
  ORGANIZATION_RESOURCE_TYPE,
  PIPELINE_RESOURCE_TYPE,
  TABLE_RESOURCE_TYPE,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import {
  organizationPermissionResourceRef,
  pipelinePermissionResourceRef,
  tablePermissionResourceRef,
  type IngestionResourceQuery,
  type OwnedPermissionResource,
} from '@ingestion-for-backstage/plugin-ingestion-node';
import { recordDenial, type DenialAudit } from '../audit/recordDenial';
import type { AccessFilter } from '../database/conditions';
import type { OrganizationDirectory } from '../organizations/OrganizationDirectory';

function isUserCredentials(
  credentials: BackstageCredentials,
): credentials is BackstageCredentials<BackstageUserPrincipal> {
  return (credentials.principal as { type?: string }).type === 'user';
}

type IngestionResourceType =
  | typeof ORGANIZATION_RESOURCE_TYPE
  | typeof PIPELINE_RESOURCE_TYPE
  | typeof TABLE_RESOURCE_TYPE;

/**
 * When the policy's condition is a plain "in these organizations", only those organizations can
 * match: narrowing the list up front lets the database use the per-organization indexes.
 */
function narrowToGrantedOrganizations(
  organizationIds: string[],
  criteria: PermissionCriteria<IngestionResourceQuery>,
): string[] {
  if ('column' in criteria && criteria.column === 'organization_id') {
    return organizationIds.filter(id => criteria.values.includes(id));
  }
  return organizationIds;
}

/** A permission of one of the ingestion resource types. */
export type IngestionPermission = ResourcePermission<IngestionResourceType>;

/**
 * Turns permission decisions into the product's answers: conditional decisions become SQL filters
 * for lists, a resource another organization owns is "not found" (its existence is not revealed),
 * and a resource the caller can see but not act on is "not allowed".
 */
export class IngestionAuthorizer {
  private readonly refs = {
    [ORGANIZATION_RESOURCE_TYPE]: organizationPermissionResourceRef,
    [PIPELINE_RESOURCE_TYPE]: pipelinePermissionResourceRef,
    [TABLE_RESOURCE_TYPE]: tablePermissionResourceRef,
  } as const;

  constructor(
    private readonly options: {
      permissions: PermissionsService;
      permissionsRegistry: PermissionsRegistryService;
      userInfo: UserInfoService;
      directory: OrganizationDirectory;
      /** Where denials are recorded (`src/audit`); recording never changes the answer. */
      audit?: DenialAudit;
    },
  ) {}

  private async decide(
    credentials: BackstageCredentials,
    permission: IngestionPermission,
  ): Promise<PolicyDecision> {
    const [decision] = await this.options.permissions.authorizeConditional(
      [{ permission }],
      { credentials },
    );
    return decision;
  }

  private matches(
    permission: IngestionPermission,
    decision: PolicyDecision,
    resource: { organizationId: string; owner?: string },
  ): boolean {
    const ruleset = this.options.permissionsRegistry.getPermissionRuleset(
      this.refs[permission.resourceType],
    );
    return createConditionAuthorizer(ruleset)(decision, {
      owner: '',
      ...resource,
    } as OwnedPermissionResource);
  }

  /** Whether the caller is allowed `permission` on this resource, applying conditions in memory. */
  async isAllowed(
    credentials: BackstageCredentials,
    permission: IngestionPermission,
    resource: { organizationId: string; owner?: string },
  ): Promise<boolean> {
    const decision = await this.decide(credentials, permission);
    return this.matches(permission, decision, resource);
  }

  /**
   * Which rows the caller may see for `permission`, optionally narrowed to one organization.
   * Lists pass this filter to the store, which applies it in SQL.
   */
  async accessFilter(
    credentials: BackstageCredentials,
    permission: IngestionPermission,
    organizationId?: string,
  ): Promise<AccessFilter> {
    const decision = await this.decide(credentials, permission);
    const organizationIds = organizationId
      ? [organizationId]
      : this.options.directory.organizations.map(org => org.id);
    if (decision.result === AuthorizeResult.DENY) {
      return { organizationIds: [] };
    }
    if (decision.result === AuthorizeResult.ALLOW) {
      return { organizationIds };
    }
    if (decision.result !== AuthorizeResult.CONDITIONAL) {
      return { organizationIds: [] };
    }
    const ruleset = this.options.permissionsRegistry.getPermissionRuleset(
      this.refs[permission.resourceType],
    );
    const criteria = createConditionTransformer<IngestionResourceQuery>(
      ruleset,
    )(decision.conditions);
    return {
      organizationIds: narrowToGrantedOrganizations(organizationIds, criteria),
      criteria,
    };
  }

  /**
   * Requires `permission` on an organization. A caller who is not a member of it (and not allowed
   * by the policy anyway) gets a 404, as if it did not exist; a member without the right, a 403.
   */
  async authorizeOrganization(
    credentials: BackstageCredentials,
    permission: IngestionPermission,
    organizationId: string,
  ): Promise<void> {
    const organization = this.options.directory.find(organizationId);
    if (
      organization &&
      (await this.isAllowed(credentials, permission, { organizationId }))
    ) {
      return;
    }
    if (!organization || !(await this.isMember(credentials, organizationId))) {
      throw await recordDenial(this.options.audit, {
        credentials,
        permission,
        organizationId,
        organizationExists: Boolean(organization),
        error: new NotFoundError(`Organization '${organizationId}' not found`),
      });
    }
    throw await recordDenial(this.options.audit, {
      credentials,
      permission,
      organizationId,
      error: new NotAllowedError(
        `Your roles in organization '${organizationId}' do not allow ${permission.name}`,
      ),
    });
  }

  /**
   * Requires `permission` on a resource the caller has already been allowed to read (it was
   * loaded through an access filter): failing it is a 403.
   */
  async authorizeResource(
    credentials: BackstageCredentials,
    permission: IngestionPermission,
    resource: { organizationId: string; owner: string },
    description: string,
  ): Promise<void> {
    if (!(await this.isAllowed(credentials, permission, resource))) {
      throw await recordDenial(this.options.audit, {
        credentials,
        permission,
        organizationId: resource.organizationId,
        targetId: (resource as { id?: string }).id,
        description,
        error: new NotAllowedError(
          `Your roles in organization '${resource.organizationId}' do not allow ${permission.name} on ${description}`,
        ),
      });
    }
  }

  private async isMember(
    credentials: BackstageCredentials,
    organizationId: string,
  ): Promise<boolean> {
    if (!isUserCredentials(credentials)) {
      return false;
    }
    const info = await this.options.userInfo.getUserInfo(credentials);
    return this.options.directory
      .membershipsOf(info.ownershipEntityRefs)
      .has(organizationId);
  }
}
