import type { OrganizationSummary } from '@ingestion-for-backstage/plugin-ingestion-common';
import { useOrganizations } from '../common/useOrganizationChoice';

/** Whether the user administers the organization. */
export const isAdmin = (organization: OrganizationSummary) =>
  organization.roles.includes('admin');

/**
 * The organizations the signed-in user administers: those where the backend reports the admin
 * role (platform admins are admins of every organization). Nobody else's are ever listed.
 */
export function useAdminOrganizations() {
  return useOrganizations(isAdmin);
}
