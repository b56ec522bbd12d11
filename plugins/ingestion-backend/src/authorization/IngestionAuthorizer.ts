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
  rolesGrant,
  TABLE_RESOURCE_TYPE,
  type OrgRole,
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
import type {
  Memberships,
  OrganizationDirectory,
} from '../organizations/OrganizationDirectory';
import {
  DEFAULT_DECISION_CACHE_TTL_MS,
  PermissionDecisionCache,
} from './PermissionDecisionCache';
import {
  OWN_SERVICE_SUBJECT,
  type ServicePrincipalGrant,
} from './servicePrincipals';

function isUserCredentials(
  credentials: BackstageCredentials,
): credentials is BackstageCredentials<BackstageUserPrincipal> {
  return (credentials.principal as { type?: string }).type === 'user';
}

function serviceSubjectOf(
  credentials: BackstageCredentials,
): string | undefined {
  const principal = credentials.principal as {
    type?: string;
    subject?: string;
  };
  return principal.type === 'service' ? principal.subject : undefined;
}

const NO_MEMBERSHIPS: Memberships = new Map();

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
 *
 * Organization membership is the tenant boundary and is decided here, whatever policy the portal
 * runs: every decision is intersected with the caller's organizations ({@link membershipsOf}), so
 * even an allow-all policy only lets members act in their own organizations. The policy refines
 * roles within them. Service principals never reach the policy (the permissions service allows
 * them, within their token's `accessRestrictions`), so their roles come from
 * `ingestion.servicePrincipals` and are applied here.
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
      /** `ingestion.servicePrincipals`: the organizations and roles of other services. */
      servicePrincipals?: readonly ServicePrincipalGrant[];
      /** Where denials are recorded (`src/audit`); recording never changes the answer. */
      audit?: DenialAudit;
      /**
       * How long a user's decision is reused (`ingestion.permissionDecisionCacheSeconds`, see
       * {@link PermissionDecisionCache}); 0: never.
       */
      decisionCacheTtlMs?: number;
      clock?: () => number;
    },
  ) {
    this.decisions = new PermissionDecisionCache({
      ttlMs: options.decisionCacheTtlMs ?? DEFAULT_DECISION_CACHE_TTL_MS,
      clock: options.clock,
    });
    this.serviceGrants = new Map(
      (options.servicePrincipals ?? []).map(grant => [
        grant.subject,
        new Map(grant.organizations.map(id => [id, grant.roles])),
      ]),
    );
  }

  private readonly serviceGrants: ReadonlyMap<string, Memberships>;
  private readonly decisions: PermissionDecisionCache;

  /**
   * The organizations the caller acts in, with its roles there: a user's from their groups
   * (platform admins: every organization), a service's from `ingestion.servicePrincipals` (this
   * plugin itself: every organization), nobody else's.
   */
  async membershipsOf(credentials: BackstageCredentials): Promise<Memberships> {
    if (isUserCredentials(credentials)) {
      const info = await this.options.userInfo.getUserInfo(credentials);
      return this.options.directory.membershipsOf(info.ownershipEntityRefs);
    }
    const subject = serviceSubjectOf(credentials);
    if (subject === undefined) {
      return NO_MEMBERSHIPS;
    }
    if (subject === OWN_SERVICE_SUBJECT) {
      return new Map(
        this.options.directory.all.map(org => [
          org.id,
          ['admin'] as readonly OrgRole[],
        ]),
      );
    }
    const grants = this.serviceGrants.get(subject);
    if (!grants) return NO_MEMBERSHIPS;
    // A retired organization is hidden from everyone but platform admins: services included.
    return new Map(
      [...grants].filter(([id]) => !this.options.directory.isRetired(id)),
    );
  }

  /**
   * Whether membership lets the caller ask for `permission` in an organization at all. For users
   * the policy decides the rest; for services, whose decisions skip the policy, the configured
   * roles must grant it too.
   */
  private admits(
    credentials: BackstageCredentials,
    memberships: Memberships,
    permission: IngestionPermission,
    organizationId: string,
  ): boolean {
    const roles = memberships.get(organizationId);
    if (!roles) {
      return false;
    }
    return (
      isUserCredentials(credentials) ||
      serviceSubjectOf(credentials) === OWN_SERVICE_SUBJECT ||
      rolesGrant(roles, permission.name)
    );
  }

  private async ask(
    credentials: BackstageCredentials,
    permission: IngestionPermission,
  ): Promise<PolicyDecision> {
    const [decision] = await this.options.permissions.authorizeConditional(
      [{ permission }],
      { credentials },
    );
    return decision;
  }

  /**
   * The policy's decision on `permission` for the caller: a user's is reused for a few seconds
   * (per user, groups and permission, until the organizations change); a service's is asked each
   * time (its token's `accessRestrictions` are part of it).
   */
  private async decide(
    credentials: BackstageCredentials,
    permission: IngestionPermission,
  ): Promise<PolicyDecision> {
    if (!isUserCredentials(credentials)) {
      return this.ask(credentials, permission);
    }
    const info = await this.options.userInfo.getUserInfo(credentials);
    return this.decisions.get(
      {
        userEntityRef: info.userEntityRef,
        ownershipEntityRefs: info.ownershipEntityRefs,
        permissionName: permission.name,
        resourceType: permission.resourceType,
        directoryVersion: this.options.directory.version,
      },
      () => this.ask(credentials, permission),
    );
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
    const [decision, memberships] = await Promise.all([
      this.decide(credentials, permission),
      this.membershipsOf(credentials),
    ]);
    return (
      this.admits(
        credentials,
        memberships,
        permission,
        resource.organizationId,
      ) && this.matches(permission, decision, resource)
    );
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
    const [decision, memberships] = await Promise.all([
      this.decide(credentials, permission),
      this.membershipsOf(credentials),
    ]);
    // Whatever the policy says, only the caller's own organizations can match.
    const organizationIds = (
      organizationId
        ? [organizationId]
        : this.options.directory.all.map(org => org.id)
    ).filter(id => this.admits(credentials, memberships, permission, id));
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
    const memberships = await this.membershipsOf(credentials);
    if (!organization || !memberships.has(organizationId)) {
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
}
