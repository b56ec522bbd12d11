import type { RootConfigService } from '@backstage/backend-plugin-api';
import {
  ORG_ROLES,
  type OrgRole,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import type { OrganizationDirectory } from '../organizations/OrganizationDirectory';

/**
 * The subject of this plugin's own service credentials (`auth.getOwnServiceCredentials()`, e.g.
 * the demo data seeder). Only this plugin can mint tokens with it, so it acts for every
 * organization; every other service subject gets only what `ingestion.servicePrincipals` grants.
 */
export const OWN_SERVICE_SUBJECT = 'plugin:ingestion';

/** The catalog backend's subject: the only reader of the catalog export (`/v1/catalog/*`). */
export const CATALOG_EXPORT_SUBJECT = 'plugin:catalog';

/** What config grants one service subject: organizations, and its roles in each of them. */
export interface ServicePrincipalGrant {
  subject: string;
  organizations: readonly string[];
  roles: readonly OrgRole[];
}

/**
 * `ingestion.servicePrincipals`, checked against the configured organizations. A typo (an unknown
 * organization or role, a subject listed twice) stops the backend at start rather than silently
 * granting less, or more, than meant.
 */
export function readServicePrincipals(
  config: Pick<RootConfigService, 'getOptionalConfigArray'>,
  directory: Pick<OrganizationDirectory, 'find'>,
): ServicePrincipalGrant[] {
  // A static or legacy token named like this plugin would act for every organization.
  (config.getOptionalConfigArray('backend.auth.externalAccess') ?? []).forEach(
    (entry, index) => {
      if (entry.getOptionalString('options.subject') === OWN_SERVICE_SUBJECT) {
        throw new Error(
          `backend.auth.externalAccess[${index}].options.subject: '${OWN_SERVICE_SUBJECT}' is the ingestion plugin's own subject; name the token otherwise`,
        );
      }
    },
  );
  const entries = config.getOptionalConfigArray('ingestion.servicePrincipals');
  const seen = new Set<string>();
  return (entries ?? []).map((entry, index) => {
    const at = `ingestion.servicePrincipals[${index}]`;
    const subject = entry.getString('subject').trim();
    if (!subject || /\s/.test(subject)) {
      throw new Error(
        `${at}.subject: must be a service subject without spaces`,
      );
    }
    if (subject === OWN_SERVICE_SUBJECT) {
      throw new Error(
        `${at}.subject: '${OWN_SERVICE_SUBJECT}' is the plugin itself and cannot be configured`,
      );
    }
    if (seen.has(subject)) {
      throw new Error(`${at}.subject: '${subject}' is listed twice`);
    }
    seen.add(subject);
    const organizations = entry.getStringArray('organizations');
    if (organizations.length === 0) {
      throw new Error(`${at}.organizations: name at least one organization`);
    }
    organizations.forEach((id, i) => {
      if (!directory.find(id)) {
        throw new Error(
          `${at}.organizations[${i}]: unknown organization '${id}'`,
        );
      }
    });
    const roles = entry.getStringArray('roles');
    if (roles.length === 0) {
      throw new Error(
        `${at}.roles: name at least one of ${ORG_ROLES.join(', ')}`,
      );
    }
    roles.forEach((role, i) => {
      if (!(ORG_ROLES as readonly string[]).includes(role)) {
        throw new Error(
          `${at}.roles[${i}]: '${role}' is not one of ${ORG_ROLES.join(', ')}`,
        );
      }
    });
    return { subject, organizations, roles: roles as OrgRole[] };
  });
}
