import type { RootConfigService } from '@backstage/backend-plugin-api';
import { NotFoundError } from '@backstage/errors';
import type {
  CodegenOrganization,
  EngineOrganization,
} from '@ingestion-for-backstage/plugin-ingestion-node';

/**
 * The static settings of an organization that the actions need beyond what the HTTP API shows:
 * where its data and repositories live, its Databricks workspace and the code generation settings.
 * They are read from the same `ingestion.organizations` config the ingestion backend reads, and
 * only the keys it reads, so generated and deployed jobs match what its engines run; roles,
 * quotas, usage and budgets always come from the backend's API, for the calling user.
 */
export interface OrganizationSettings {
  id: string;
  name: string;
  costCenter: string;
  environment: 'production' | 'staging' | 'development';
  ownerGroup: string;
  project?: string;
  engine: string;
  /** As configured: a local folder (relative to the backend's working directory) or `s3://…`. */
  storage: string;
  /** More S3 locations the organization owns (`storageLocations`). */
  storageLocations?: string[];
  icebergCatalog: string;
  /** The names of its Iceberg REST catalogs (`iceberg.restCatalogs`): also its catalogs. */
  icebergCatalogs?: string[];
  quotas: {
    maxDbuPerHour: number;
    maxClusters: number;
    maxConcurrentJobs: number;
  };
  databricks?: {
    host: string;
    token: string;
    clusterPolicyId?: string;
    notificationEmails: string[];
  };
}

/** The ingestion backend's defaults for quotas an organization leaves out. */
const DEFAULT_DATABRICKS_QUOTAS = {
  maxDbuPerHour: 50,
  maxClusters: 5,
  maxConcurrentJobs: 10,
};

const ENVIRONMENTS = ['production', 'staging', 'development'] as const;

const optionalList = <K extends string>(key: K, list: string[] | undefined) =>
  (list?.length ? { [key]: list } : {}) as Partial<Record<K, string[]>>;

/**
 * Reads one organization's settings from `ingestion.organizations`.
 *
 * @throws NotFoundError when no organization has this id.
 */
export function readOrganizationSettings(
  config: RootConfigService,
  organizationId: string,
): OrganizationSettings {
  const entry = (
    config.getOptionalConfigArray('ingestion.organizations') ?? []
  ).find(org => org.getString('id') === organizationId);
  if (!entry) {
    throw new NotFoundError(
      `organization: '${organizationId}' is not configured in ingestion.organizations`,
    );
  }
  const environment = entry.getString('environment');
  const databricks = entry.getOptionalConfig('databricks');
  return {
    id: organizationId,
    name: entry.getString('name'),
    costCenter: entry.getString('costCenter'),
    environment: (ENVIRONMENTS as readonly string[]).includes(environment)
      ? (environment as OrganizationSettings['environment'])
      : 'development',
    ownerGroup: entry.getString('ownerGroup').toLocaleLowerCase('en-US'),
    project: entry.getOptionalString('project'),
    engine: entry.getOptionalString('engine') ?? 'local',
    storage: entry.getString('storage'),
    ...optionalList(
      'storageLocations',
      entry.getOptionalStringArray('storageLocations'),
    ),
    ...optionalList(
      'icebergCatalogs',
      entry
        .getOptionalConfigArray('iceberg.restCatalogs')
        ?.map(catalog => catalog.getString('name')),
    ),
    icebergCatalog:
      entry.getOptionalString('iceberg.catalog') ??
      `${organizationId.replace(/-/g, '_')}_catalog`,
    quotas: {
      maxDbuPerHour:
        entry.getOptionalNumber('quotas.databricks.maxDbuPerHour') ??
        DEFAULT_DATABRICKS_QUOTAS.maxDbuPerHour,
      maxClusters:
        entry.getOptionalNumber('quotas.databricks.maxClusters') ??
        DEFAULT_DATABRICKS_QUOTAS.maxClusters,
      maxConcurrentJobs:
        entry.getOptionalNumber('quotas.databricks.maxConcurrentJobs') ??
        DEFAULT_DATABRICKS_QUOTAS.maxConcurrentJobs,
    },
    databricks: databricks && {
      host: databricks.getString('host'),
      token: databricks.getString('token'),
      clusterPolicyId: databricks.getOptionalString('clusterPolicyId'),
      notificationEmails:
        databricks.getOptionalStringArray('notificationEmails') ?? [],
    },
  };
}

/** The organization as code generation needs it (never with the Databricks token). */
export function toCodegenOrganization(
  settings: OrganizationSettings,
): CodegenOrganization {
  const { databricks } = settings;
  return {
    id: settings.id,
    name: settings.name,
    costCenter: settings.costCenter,
    environment: settings.environment,
    owner: settings.ownerGroup,
    ...(settings.project ? { project: settings.project } : {}),
    quotas: { ...settings.quotas },
    ...(databricks
      ? {
          databricks: {
            host: databricks.host,
            ...(databricks.clusterPolicyId
              ? { clusterPolicyId: databricks.clusterPolicyId }
              : {}),
            notificationEmails: [...databricks.notificationEmails],
          },
        }
      : {}),
    storage: settings.storage,
    icebergCatalog: settings.icebergCatalog,
    ...optionalList('icebergCatalogs', settings.icebergCatalogs),
    ...optionalList('storageLocations', settings.storageLocations),
  };
}

/** The organization as the Databricks deployment needs it (with the workspace token). */
export function toEngineOrganization(
  settings: OrganizationSettings,
): EngineOrganization {
  return {
    id: settings.id,
    name: settings.name,
    costCenter: settings.costCenter,
    environment: settings.environment,
    storage: settings.storage,
    icebergCatalog: settings.icebergCatalog,
    ...optionalList('icebergCatalogs', settings.icebergCatalogs),
    ...optionalList('storageLocations', settings.storageLocations),
    quotas: {
      maxConcurrentJobs: settings.quotas.maxConcurrentJobs,
      maxDbuPerHour: settings.quotas.maxDbuPerHour,
    },
    databricks: settings.databricks && { ...settings.databricks },
    owner: settings.ownerGroup,
    ...(settings.project ? { project: settings.project } : {}),
  };
}
