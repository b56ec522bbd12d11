/**
 * Cluster workload profiles, as in the architecture guide's `get_cluster_config(organization, workload_type)`.
 * `batch` is the guide's default (no workload adjustment).
 *
 * @public
 */
export type WorkloadType =
  | 'batch'
  | 'batch_large'
  | 'streaming'
  | 'interactive';

/**
 * Sizing and cost settings of a Databricks cluster for one organization and workload.
 *
 * @public
 */
export interface ClusterConfig {
  nodeType: string;
  /** Defaults to `nodeType`. */
  driverNodeType?: string;
  minWorkers: number;
  maxWorkers: number;
  /** When false the cluster has a fixed size of `minWorkers`. */
  enableAutoscaling: boolean;
  /** Idle timeout for all-purpose (interactive) clusters; job clusters end with their run and ignore it. */
  autoTerminationMinutes: number;
  /** Share of worker capacity (at `maxWorkers`) that may run on spot instances, 0–100. */
  spotPercentage: number;
  /** Maximum spot price as a percentage of the on-demand price. */
  spotBidPricePercent: number;
  enableElasticDisk: boolean;
  sparkVersion: string;
}

/**
 * The organization (tenant) as code generation needs it. The backend maps its organization config onto this.
 *
 * @public
 */
export interface CodegenOrganization {
  /** Organization id, e.g. `finance`; also the `Organization` cost tag. */
  id: string;
  name: string;
  /** The `CostCenter` cost tag, e.g. `FIN-001`. */
  costCenter: string;
  environment: 'production' | 'staging' | 'development';
  /** Owning team; the `Owner` cost tag unless the pipeline names its own owner. */
  owner: string;
  /** The `Project` cost tag when the pipeline has none. */
  project?: string;
  /** The architecture guide's `organization_quotas.<org>.databricks`. */
  quotas: {
    maxConcurrentJobs: number;
    maxClusters?: number;
    maxDbuPerHour?: number;
  };
  databricks?: {
    host?: string;
    /** Cluster policy applied to generated job clusters. */
    clusterPolicyId?: string;
    /** Node type per workload, overriding the sizing table. */
    nodeTypeOverrides?: Partial<Record<WorkloadType, string>>;
    /** Organization-wide overrides applied after the sizing table and workload adjustments. */
    cluster?: Partial<ClusterConfig>;
    /** Instance profile giving clusters access to the organization's S3 storage. */
    instanceProfileArn?: string;
    /** Addresses notified when a run fails. */
    notificationEmails?: string[];
    /** Workspace folder for generated notebooks; defaults to `/Shared/ingestion/<org id>`. */
    workspaceRoot?: string;
  };
  /** Storage root (e.g. `s3://finance-data-lake`) that relative file paths resolve against. */
  storage?: string;
  /** More S3 locations the organization owns (`s3://bucket[/prefix]`): specs may name paths under them. */
  storageLocations?: string[];
  /** The organization's Iceberg (Unity) catalog; `<id>_catalog` when absent. Specs may name only its catalogs. */
  icebergCatalog?: string;
  /** More catalogs whose tables belong to the organization. */
  icebergCatalogs?: string[];
}

/**
 * The pipeline (and version) being generated.
 *
 * @public
 */
export interface CodegenPipeline {
  id: string;
  name: string;
  /** Team or person responsible; the `Owner` cost tag. */
  owner: string;
  version: number | string;
  /** The `Project` cost tag; falls back to the organization's project, then the pipeline id. */
  project?: string;
  description?: string;
}
