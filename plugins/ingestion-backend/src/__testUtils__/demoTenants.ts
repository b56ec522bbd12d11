import { ORG_ROLES } from '@ingestion-for-backstage/plugin-ingestion-common';

/** The demo organizations, configured as the embedded default's app-config does. */
export const TEST_ORGANIZATIONS = ['finance', 'retail', 'healthcare'].map(
  (id, index) => ({
    id,
    name: id[0].toLocaleUpperCase('en-US') + id.slice(1),
    costCenter: ['FIN-001', 'RET-001', 'HLT-001'][index],
    environment: 'development',
    ownerGroup: `group:default/${id}`,
    roles: Object.fromEntries(
      ORG_ROLES.map(role => [role, [`group:default/${id}-${role}s`]]),
    ),
    storage: `/tmp/ingestion-test/${id}`,
    budget: { monthly: 1000 * (index + 1), alertThresholds: [0.5, 0.8, 1] },
  }),
);

export const TEST_CONFIG = {
  ingestion: {
    platformAdmins: ['group:default/platform-admins'],
    organizations: TEST_ORGANIZATIONS,
    // Tests poll runs as one user: each user may use all of an organization's API quota here.
    // The per-user share (default 0.25) is tested in src/ratelimit/rateLimits.fairness.http.test.ts.
    rateLimits: { userShareOfOrganization: 1 },
  },
};
