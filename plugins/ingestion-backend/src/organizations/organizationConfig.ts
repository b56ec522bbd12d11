import type { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import {
  ORG_ROLES,
  type OrganizationQuotas,
  type OrgRole,
} from '@ingestion-for-backstage/plugin-ingestion-common';

/** An organization (tenant) as configured under `ingestion.organizations`. */
export interface OrganizationConfig {
  id: string;
  name: string;
  costCenter: string;
  environment: 'production' | 'staging' | 'development';
  ownerGroup: string;
  project?: string;
  roles: Record<OrgRole, string[]>;
  quotas: OrganizationQuotas;
  engine: 'local' | 'databricks';
  storage: string;
  /** More S3 locations the organization owns besides `storage` (`s3://bucket[/prefix]`). */
  storageLocations?: string[];
  icebergCatalog: string;
  /** More catalogs whose tables belong to the organization (its Iceberg REST catalogs). */
  icebergCatalogs?: string[];
  databricks?: {
    host: string;
    token: string;
    clusterPolicyId?: string;
    notificationEmails: string[];
    billingWarehouseId?: string;
    workspaceId?: string;
  };
  budget?: { monthly: number; alertThresholds: number[] };
}

/**
 * Quotas for organizations that do not configure some of them. The brief gives finance and
 * retail their numbers; anything it leaves open gets these conservative values.
 */
export const DEFAULT_QUOTAS: OrganizationQuotas = {
  databricks: { maxDbuPerHour: 50, maxClusters: 5, maxConcurrentJobs: 10 },
  storage: { maxStorageGb: 1000, retentionDays: 365 },
  compute: { maxEcsTasks: 20, maxCpuUnits: 2000 },
  api: { requestsPerMinute: 600, requestsPerDay: 50000 },
};

const ORG_ID_PATTERN = /^[a-z][a-z0-9-]{1,39}$/;
const ENVIRONMENTS = ['production', 'staging', 'development'] as const;
const ENGINES = ['local', 'databricks'] as const;

function readQuotas(config: Config | undefined): OrganizationQuotas {
  const number = (key: string, fallback: number) =>
    config?.getOptionalNumber(key) ?? fallback;
  const d = DEFAULT_QUOTAS;
  return {
    databricks: {
      maxDbuPerHour: number(
        'databricks.maxDbuPerHour',
        d.databricks.maxDbuPerHour,
      ),
      maxClusters: number('databricks.maxClusters', d.databricks.maxClusters),
      maxConcurrentJobs: number(
        'databricks.maxConcurrentJobs',
        d.databricks.maxConcurrentJobs,
      ),
    },
    storage: {
      maxStorageGb: number('storage.maxStorageGb', d.storage.maxStorageGb),
      retentionDays: number('storage.retentionDays', d.storage.retentionDays),
    },
    compute: {
      maxEcsTasks: number('compute.maxEcsTasks', d.compute.maxEcsTasks),
      maxCpuUnits: number('compute.maxCpuUnits', d.compute.maxCpuUnits),
    },
    api: {
      requestsPerMinute: number(
        'api.requestsPerMinute',
        d.api.requestsPerMinute,
      ),
      requestsPerDay: number('api.requestsPerDay', d.api.requestsPerDay),
    },
  };
}

function oneOf<T extends string>(
  value: string,
  allowed: readonly T[],
  path: string,
): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new InputError(
      `${path} must be one of ${allowed.join(', ')}, got '${value}'`,
    );
  }
  return value as T;
}

/** `storageLocations`: S3 URIs only, so the tenant check compares buckets and prefixes. */
function readStorageLocations(
  config: Config,
  path: string,
): Pick<OrganizationConfig, 'storageLocations'> {
  const locations = config.getOptionalStringArray('storageLocations');
  if (!locations) return {};
  for (const [index, location] of locations.entries()) {
    if (!/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/.test(location)) {
      throw new InputError(
        `${path}.storageLocations[${index}] must be an s3://bucket or s3://bucket/prefix URI, got '${location}'`,
      );
    }
  }
  return { storageLocations: locations };
}

/** The names of `iceberg.restCatalogs`: catalogs whose tables belong to the organization. */
function readRestCatalogNames(
  config: Config,
): Pick<OrganizationConfig, 'icebergCatalogs'> {
  const names = (
    config.getOptionalConfigArray('iceberg.restCatalogs') ?? []
  ).map(catalog => catalog.getString('name'));
  return names.length > 0 ? { icebergCatalogs: names } : {};
}

function readOrganization(config: Config, index: number): OrganizationConfig {
  const path = `ingestion.organizations[${index}]`;
  const id = config.getString('id');
  if (!ORG_ID_PATTERN.test(id)) {
    throw new InputError(
      `${path}.id '${id}' must be lower-case letters, digits and dashes, starting with a letter`,
    );
  }
  const rolesConfig = config.getConfig('roles');
  const roles = Object.fromEntries(
    ORG_ROLES.map(role => [
      role,
      (rolesConfig.getOptionalStringArray(role) ?? []).map(ref =>
        ref.toLocaleLowerCase('en-US'),
      ),
    ]),
  ) as Record<OrgRole, string[]>;
  const databricks = config.getOptionalConfig('databricks');
  const budget = config.getOptionalConfig('budget');
  return {
    id,
    name: config.getString('name'),
    costCenter: config.getString('costCenter'),
    environment: oneOf(
      config.getString('environment'),
      ENVIRONMENTS,
      `${path}.environment`,
    ),
    ownerGroup: config.getString('ownerGroup').toLocaleLowerCase('en-US'),
    project: config.getOptionalString('project'),
    roles,
    quotas: readQuotas(config.getOptionalConfig('quotas')),
    engine: oneOf(
      config.getOptionalString('engine') ?? 'local',
      ENGINES,
      `${path}.engine`,
    ),
    storage: config.getString('storage'),
    ...readStorageLocations(config, path),
    ...readRestCatalogNames(config),
    icebergCatalog:
      config.getOptionalString('iceberg.catalog') ??
      `${id.replace(/-/g, '_')}_catalog`,
    databricks: databricks && {
      host: databricks.getString('host'),
      token: databricks.getString('token'),
      clusterPolicyId: databricks.getOptionalString('clusterPolicyId'),
      notificationEmails:
        databricks.getOptionalStringArray('notificationEmails') ?? [],
      billingWarehouseId: databricks.getOptionalString('billingWarehouseId'),
      workspaceId: databricks.getOptionalString('workspaceId'),
    },
    budget: budget && {
      monthly: budget.getNumber('monthly'),
      alertThresholds: budget.getOptional<number[]>('alertThresholds') ?? [
        0.5, 0.8, 1,
      ],
    },
  };
}

/** Reads and checks `ingestion.organizations`; a broken entry stops the backend with its path. */
export function readOrganizationsConfig(config: Config): OrganizationConfig[] {
  const organizations = (
    config.getOptionalConfigArray('ingestion.organizations') ?? []
  ).map(readOrganization);
  const seen = new Set<string>();
  for (const org of organizations) {
    if (seen.has(org.id)) {
      throw new InputError(`ingestion.organizations has '${org.id}' twice`);
    }
    seen.add(org.id);
  }
  return organizations;
}
