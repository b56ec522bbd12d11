import type {
  AuthService,
  DiscoveryService,
  LoggerService,
  RootConfigService,
} from '@backstage/backend-plugin-api';
import { NotFoundError } from '@backstage/errors';
import {
  readOrganizationDirectory,
  type CodegenOrganization,
  type DirectoryOrganization,
  type EngineOrganization,
} from '@ingestion-for-backstage/plugin-ingestion-node';

/**
 * The static settings of an organization that the actions need beyond what the HTTP API shows:
 * where its data and repositories live, its Databricks workspace and the code generation settings.
 * They come from the ingestion backend's organization directory ({@link OrganizationSettingsReader}),
 * so an organization created at run time works at once, with the secrets (the Databricks token,
 * the Iceberg REST catalogs) from `ingestion.organizations` by id, as the backend merges them;
 * roles, quotas, usage and budgets for the calling user always come from the backend's API.
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
 * Reads one organization's settings from `ingestion.organizations` alone: the fallback while the
 * ingestion backend cannot be reached (see {@link OrganizationSettingsReader}).
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

/** An organization's config-only secrets by id: its Databricks token and REST catalogs' names. */
function configSecrets(config: RootConfigService, organizationId: string) {
  const entry = (
    config.getOptionalConfigArray('ingestion.organizations') ?? []
  ).find(org => org.getString('id') === organizationId);
  return {
    databricksToken: entry?.getOptionalString('databricks.token') ?? '',
    icebergCatalogs: entry
      ?.getOptionalConfigArray('iceberg.restCatalogs')
      ?.map(catalog => catalog.getString('name')),
  };
}

/** An organization of the directory as the actions need it, with config's secrets. */
export function settingsOfDirectoryOrganization(
  org: DirectoryOrganization,
  config: RootConfigService,
): OrganizationSettings {
  const secrets = configSecrets(config, org.id);
  return {
    id: org.id,
    name: org.name,
    costCenter: org.costCenter,
    environment: (ENVIRONMENTS as readonly string[]).includes(org.environment)
      ? org.environment
      : 'development',
    ownerGroup: org.ownerGroup.toLocaleLowerCase('en-US'),
    project: org.project,
    engine: org.engine ?? 'local',
    storage: org.storage,
    ...optionalList('storageLocations', org.storageLocations),
    ...optionalList('icebergCatalogs', secrets.icebergCatalogs),
    icebergCatalog: org.icebergCatalog,
    quotas: {
      maxDbuPerHour:
        org.quotas?.databricks?.maxDbuPerHour ??
        DEFAULT_DATABRICKS_QUOTAS.maxDbuPerHour,
      maxClusters:
        org.quotas?.databricks?.maxClusters ??
        DEFAULT_DATABRICKS_QUOTAS.maxClusters,
      maxConcurrentJobs:
        org.quotas?.databricks?.maxConcurrentJobs ??
        DEFAULT_DATABRICKS_QUOTAS.maxConcurrentJobs,
    },
    databricks: org.databricks && {
      host: org.databricks.host,
      token: secrets.databricksToken,
      clusterPolicyId: org.databricks.clusterPolicyId,
      notificationEmails: org.databricks.notificationEmails ?? [],
    },
  };
}

/** How long the directory read from the ingestion backend is used (`ingestion.organizationsCacheSeconds`). */
const DEFAULT_MAX_AGE_SECONDS = 5;

/**
 * The organizations' settings for the actions, read from the ingestion backend's
 * `GET /v1/organizations/directory` with the scaffolder's own service credentials and kept for
 * `ingestion.organizationsCacheSeconds` (default 5). A retired or unknown organization is not
 * found. Config (`ingestion.organizations`) is used only while the backend has never answered
 * (it is unreachable at start); once it has, a failed read keeps the last organizations read.
 */
export class OrganizationSettingsReader {
  private organizations?: ReadonlyMap<string, DirectoryOrganization>;
  private readAt?: number;
  private reading?: Promise<void>;

  constructor(
    private readonly options: {
      config: RootConfigService;
      discovery: DiscoveryService;
      auth: AuthService;
      logger?: LoggerService;
      fetch?: typeof globalThis.fetch;
      now?: () => number;
    },
  ) {}

  private now() {
    return this.options.now?.() ?? Date.now();
  }

  private get maxAgeMs() {
    return (
      (this.options.config.getOptionalNumber(
        'ingestion.organizationsCacheSeconds',
      ) ?? DEFAULT_MAX_AGE_SECONDS) * 1000
    );
  }

  private async refresh(): Promise<void> {
    if (this.readAt !== undefined && this.now() - this.readAt < this.maxAgeMs) {
      return;
    }
    this.reading ??= readOrganizationDirectory(this.options)
      .then(({ items }) => {
        this.organizations = new Map(items.map(org => [org.id, org]));
        this.readAt = this.now();
      })
      .catch(error => {
        // Try again at the next read, not at every one.
        this.readAt = this.now();
        this.options.logger?.warn(
          this.organizations
            ? `Could not read the ingestion organizations; using the last ones read: ${error}`
            : `Could not read the ingestion organizations; using ingestion.organizations from config: ${error}`,
        );
      })
      .finally(() => {
        this.reading = undefined;
      });
    await this.reading;
  }

  /**
   * One organization's settings.
   *
   * @throws NotFoundError when no organization has this id, or it is retired.
   */
  async get(organizationId: string): Promise<OrganizationSettings> {
    await this.refresh();
    if (!this.organizations) {
      return readOrganizationSettings(this.options.config, organizationId);
    }
    const org = this.organizations.get(organizationId);
    if (!org || org.retired) {
      throw new NotFoundError(
        `organization: '${organizationId}' is not an ingestion organization${
          org ? ' (it is retired)' : ''
        }`,
      );
    }
    return settingsOfDirectoryOrganization(org, this.options.config);
  }
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
