import { NotAllowedError, NotFoundError } from '@backstage/errors';
import {
  rolesGrant,
  type OrganizationSummary,
  type OrgRole,
} from '@ingestion-for-backstage/plugin-ingestion-common';

/** Roles whose holders may do something, for messages: "engineer or admin". */
function rolesThatGrant(permission: string): string {
  const roles = (
    ['admin', 'engineer', 'analyst', 'viewer'] as OrgRole[]
  ).filter(role => rolesGrant([role], permission));
  return roles.reverse().join(' or ');
}

/**
 * The organization as the user sees it, when one of the user's roles there grants the permission.
 *
 * @throws NotFoundError when the user is not a member of the organization (or it does not exist),
 *   NotAllowedError when the user's roles there do not grant the permission.
 */
export function requireOrganizationPermission(
  organizations: OrganizationSummary[],
  organizationId: string,
  permission: string,
  doing: string,
): OrganizationSummary {
  const organization = organizations.find(o => o.id === organizationId);
  if (!organization) {
    throw new NotFoundError(
      `organization: you are not a member of organization '${organizationId}' (or it does not exist), so you cannot ${doing} there`,
    );
  }
  if (!rolesGrant(organization.roles, permission)) {
    throw new NotAllowedError(
      `You cannot ${doing} in organization '${organizationId}': that needs the ${rolesThatGrant(
        permission,
      )} role, and your role${
        organization.roles.length === 1 ? ' is' : 's are'
      } ${organization.roles.join(', ') || 'none'}`,
    );
  }
  return organization;
}
