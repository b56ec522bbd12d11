import {
  AuthorizeResult,
  isResourcePermission,
  type Permission,
  type PermissionCondition,
  type PermissionCriteria,
  type PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  ANNOTATION_ORGANIZATION,
  type OrgRole,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import type { PolicyUser } from './PolicyUser';

/** The catalog's resource type for entities (`@backstage/plugin-catalog-common`). */
export const CATALOG_ENTITY = 'catalog-entity';

type EntityCondition = PermissionCondition<typeof CATALOG_ENTITY>;
type EntityCriteria = PermissionCriteria<EntityCondition>;

/**
 * Which organization roles may act on an organization's entities, by catalog permission.
 * Reading is for every member; refreshing or unregistering an organization's entities changes what
 * its members see, so it is for the organization's admins. Permissions not listed here (future
 * entity permissions included) are granted to no role: only platform admins hold them.
 */
const ENTITY_ROLE_GRANTS: Readonly<Record<string, readonly OrgRole[]>> = {
  'catalog.entity.read': ['admin', 'engineer', 'analyst', 'viewer'],
  'catalog.entity.refresh': ['admin'],
  'catalog.entity.delete': ['admin'],
};

/**
 * Catalog permissions without a resource that anyone signed in may use: they read, or they
 * validate an entity body without storing it.
 */
const OPEN_CATALOG_PERMISSIONS: ReadonlySet<string> = new Set([
  'catalog.entity.validate',
  'catalog.location.read',
  'catalog.ingestion.read',
]);

/**
 * Whether the policy decides this permission as a catalog permission: every permission the catalog
 * defines (`catalog.` prefix), entity-scoped or not.
 */
export function isCatalogPermission(permission: Permission): boolean {
  return (
    permission.name.startsWith('catalog.') ||
    isResourcePermission(permission, CATALOG_ENTITY)
  );
}

/**
 * The catalog half of the policy.
 *
 * - Platform admins: everything.
 * - Entities annotated with an organization (`ingestion.backstage.io/organization`): each
 *   permission for the members whose role in that organization grants it (`ENTITY_ROLE_GRANTS`).
 *   Everyone else does not see them at all.
 * - Entities without that annotation (users, groups, templates, components registered by hand):
 *   readable by everyone, refreshed or unregistered by their owners (`spec.owner` is one of the
 *   user's ownership refs) and by location admins, who manage registrations.
 * - Registering and removing locations (and `catalog.entity.create`, which gates the register
 *   page, and analyzing a location, which fetches arbitrary URLs with the portal's integration
 *   credentials): location admins only. Any other mutation the catalog defines: the same.
 */
export function catalogDecision(
  permission: Permission,
  user: PolicyUser,
): PolicyDecision {
  if (user.isPlatformAdmin) {
    return { result: AuthorizeResult.ALLOW };
  }
  if (!isResourcePermission(permission, CATALOG_ENTITY)) {
    return OPEN_CATALOG_PERMISSIONS.has(permission.name) || user.isLocationAdmin
      ? { result: AuthorizeResult.ALLOW }
      : { result: AuthorizeResult.DENY };
  }
  const grantingRoles = ENTITY_ROLE_GRANTS[permission.name] ?? [];
  const isRead = permission.name === 'catalog.entity.read';
  const organizationIds = [...user.memberships]
    .filter(([, roles]) => roles.some(role => grantingRoles.includes(role)))
    .map(([id]) => id);

  const withoutOrganization: EntityCriteria = { not: hasOrganization() };
  const unannotated: EntityCriteria =
    isRead || user.isLocationAdmin
      ? withoutOrganization
      : {
          allOf: [
            withoutOrganization,
            {
              rule: 'IS_ENTITY_OWNER',
              resourceType: CATALOG_ENTITY,
              params: { claims: [...user.ownershipEntityRefs] },
            },
          ],
        };
  return {
    result: AuthorizeResult.CONDITIONAL,
    pluginId: 'catalog',
    resourceType: CATALOG_ENTITY,
    conditions: {
      anyOf: [unannotated, ...organizationIds.map(id => hasOrganization(id))],
    },
  };
}

function hasOrganization(value?: string): EntityCondition {
  return {
    rule: 'HAS_ANNOTATION',
    resourceType: CATALOG_ENTITY,
    params:
      value === undefined
        ? { annotation: ANNOTATION_ORGANIZATION }
        : { annotation: ANNOTATION_ORGANIZATION, value },
  };
}
