import {
  DEFAULT_QUOTAS,
  type OrganizationConfig,
} from '../organizations/organizationConfig';

/** An organization as its config reads, on the Databricks engine unless overridden. */
export function testOrganizationConfig(
  id: string,
  overrides: Partial<OrganizationConfig> = {},
): OrganizationConfig {
  return {
    id,
    name: id,
    costCenter: 'CC-1',
    environment: 'production',
    ownerGroup: `group:default/${id}`,
    roles: { admin: [], engineer: [], analyst: [], viewer: [] },
    quotas: DEFAULT_QUOTAS,
    engine: 'databricks',
    storage: `s3://${id}-lake`,
    icebergCatalog: `${id}_catalog`,
    ...overrides,
  };
}
