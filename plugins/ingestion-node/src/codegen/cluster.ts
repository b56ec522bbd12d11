import type { compute } from '@databricks/sdk-experimental';
import type {
  ClusterConfig,
  CodegenOrganization,
  CodegenPipeline,
  WorkloadType,
} from './types';

/**
 * The architecture guide's `spark_config` (Performance Tuning Guidelines), passed verbatim as `spark_conf`.
 *
 * @public
 */
export const SPARK_CONFIG: Readonly<Record<string, string>> = Object.freeze({
  // Adaptive Query Execution
  'spark.sql.adaptive.enabled': 'true',
  'spark.sql.adaptive.coalescePartitions.enabled': 'true',
  'spark.sql.adaptive.skewJoin.enabled': 'true',
  // Delta Lake optimization
  'spark.databricks.delta.optimizeWrite.enabled': 'true',
  'spark.databricks.delta.autoCompact.enabled': 'true',
  'spark.databricks.delta.retentionDurationCheck.enabled': 'false',
  // Memory optimization
  'spark.sql.adaptive.advisoryPartitionSizeInBytes': '134217728',
  'spark.sql.adaptive.maxNumPostShufflePartitions': '200',
  'spark.serializer': 'org.apache.spark.serializer.KryoSerializer',
  // Network optimization
  'spark.sql.adaptive.localShuffleReader.enabled': 'true',
  'spark.sql.adaptive.skewJoin.skewedPartitionThresholdInBytes': '268435456',
  // Iceberg optimization
  'spark.sql.iceberg.vectorization.enabled': 'true',
  'spark.sql.iceberg.planning.preserveDataGrouping': 'true',
});

/**
 * Databricks Runtime for generated clusters: 16.4 LTS is the first LTS that writes managed Iceberg tables in
 * Unity Catalog.
 *
 * @public
 */
export const DEFAULT_SPARK_VERSION = '16.4.x-scala2.12';

type Sizing = Pick<ClusterConfig, 'nodeType' | 'minWorkers' | 'maxWorkers'>;

/** `get_cluster_config`'s `base_configs`. */
const BASE_SIZING: Readonly<Record<string, Sizing>> = {
  finance: { nodeType: 'i3.xlarge', minWorkers: 2, maxWorkers: 10 },
  retail: { nodeType: 'i3.2xlarge', minWorkers: 5, maxWorkers: 20 },
  // Memory optimized for large datasets.
  healthcare: { nodeType: 'r5.xlarge', minWorkers: 1, maxWorkers: 8 },
};

/**
 * Sizing for organizations outside the guide's table: the guide's `scaling_policies.databricks_clusters` bounds
 * (1–20 workers) on the general-purpose node type the finance profile uses.
 */
const DEFAULT_SIZING: Sizing = {
  nodeType: 'i3.xlarge',
  minWorkers: 1,
  maxWorkers: 20,
};

/** `get_cluster_config`'s `workload_adjustments`, applied over the base like the guide's `config.update`. */
const WORKLOAD_ADJUSTMENTS: Readonly<
  Record<WorkloadType, Partial<ClusterConfig>>
> = {
  batch: {},
  streaming: { minWorkers: 3, enableAutoscaling: true },
  batch_large: { maxWorkers: 50, spotPercentage: 80 },
  interactive: { minWorkers: 1, autoTerminationMinutes: 60 },
};

/** `scaling_policies.databricks_clusters` settings that apply to every cluster. */
const CLUSTER_DEFAULTS: Omit<ClusterConfig, keyof Sizing> = {
  enableAutoscaling: true,
  autoTerminationMinutes: 60,
  // Workers may all run on spot; the driver is always on demand (see awsAttributes).
  spotPercentage: 100,
  spotBidPricePercent: 50,
  enableElasticDisk: true,
  sparkVersion: DEFAULT_SPARK_VERSION,
};

/**
 * The cluster configuration for an organization and workload, following the architecture guide's
 * `get_cluster_config(organization, workload_type)`: finance i3.xlarge 2–10 workers, retail i3.2xlarge 5–20,
 * healthcare r5.xlarge 1–8, any other organization i3.xlarge 1–20; then the workload adjustment (streaming: 3
 * min workers and autoscaling; batch_large: 50 max workers and 80 % spot; interactive: 1 min
 * worker, 60 minutes auto-termination); then the organization's `nodeTypeOverrides` and `cluster` overrides.
 *
 * @throws Error when overrides leave an impossible configuration (e.g. min workers above max).
 * @public
 */
export function getClusterConfig(
  organization: CodegenOrganization,
  workloadType: WorkloadType,
): ClusterConfig {
  const databricks = organization.databricks ?? {};
  const nodeTypeOverride = databricks.nodeTypeOverrides?.[workloadType];
  const config: ClusterConfig = {
    ...CLUSTER_DEFAULTS,
    ...(BASE_SIZING[organization.id] ?? DEFAULT_SIZING),
    ...WORKLOAD_ADJUSTMENTS[workloadType],
    ...(nodeTypeOverride ? { nodeType: nodeTypeOverride } : {}),
    ...databricks.cluster,
  };
  const problems: string[] = [];
  if (!Number.isInteger(config.minWorkers) || config.minWorkers < 0) {
    problems.push(
      `minWorkers must be a non-negative integer (got ${config.minWorkers})`,
    );
  }
  if (
    !Number.isInteger(config.maxWorkers) ||
    config.maxWorkers < config.minWorkers
  ) {
    problems.push(
      `maxWorkers must be an integer of at least minWorkers (got ${config.minWorkers}–${config.maxWorkers})`,
    );
  }
  if (!(config.spotPercentage >= 0 && config.spotPercentage <= 100)) {
    problems.push(
      `spotPercentage must be within 0–100 (got ${config.spotPercentage})`,
    );
  }
  if (problems.length > 0) {
    throw new Error(
      `Invalid ${workloadType} cluster configuration for organization "${
        organization.id
      }": ${problems.join('; ')}`,
    );
  }
  return config;
}

/**
 * The AWS spot settings: spot instances with fallback to on-demand at the configured bid. `first_on_demand`
 * counts nodes from the driver: the driver is always on demand (losing it fails the run), plus enough workers
 * that at full size no more than `spotPercentage` of the workers are spot. For batch_large (50 workers, 80 %
 * spot) that is 1 + ceil(50 × 20 %) = 11.
 *
 * @public
 */
export function awsAttributes(
  config: ClusterConfig,
  instanceProfileArn?: string,
): compute.AwsAttributes {
  const onDemandWorkers = Math.ceil(
    (config.maxWorkers * (100 - config.spotPercentage)) / 100,
  );
  return {
    availability:
      config.spotPercentage > 0 ? 'SPOT_WITH_FALLBACK' : 'ON_DEMAND',
    first_on_demand: 1 + onDemandWorkers,
    spot_bid_price_percent: config.spotBidPricePercent,
    ...(instanceProfileArn ? { instance_profile_arn: instanceProfileArn } : {}),
  };
}

// Cluster tags become cloud resource tags, so they follow the strictest (AWS) rules.
const TAG_VALUE_MAX = 255;
function tagValue(value: string): string {
  return value
    .replace(/[^\p{L}\p{N} +\-=._:/@]/gu, '_')
    .slice(0, TAG_VALUE_MAX);
}

/**
 * The architecture guide's required cost allocation tags, in its order: Organization, CostCenter, Environment,
 * Service (`pipeline`), Owner (the pipeline owner) and Project (the pipeline's, else the organization's, else
 * the pipeline id). Values are reduced to the characters cloud resource tags accept.
 *
 * @public
 */
export function costTags(
  organization: CodegenOrganization,
  pipeline: CodegenPipeline,
): Record<string, string> {
  return {
    Organization: tagValue(organization.id),
    CostCenter: tagValue(organization.costCenter),
    Environment: tagValue(organization.environment),
    Service: 'pipeline',
    Owner: tagValue(pipeline.owner || organization.owner),
    Project: tagValue(pipeline.project ?? organization.project ?? pipeline.id),
  };
}

/**
 * Options of {@link buildClusterSpec}.
 *
 * @public
 */
export interface BuildClusterSpecOptions {
  organization: CodegenOrganization;
  pipeline: CodegenPipeline;
  config: ClusterConfig;
  /**
   * `job` for job clusters (created per run, so auto-termination does not apply) or `all-purpose` for
   * interactive clusters, which get `autotermination_minutes`.
   */
  kind: 'job' | 'all-purpose';
}

/**
 * A Databricks cluster spec from a cluster configuration: sizing (autoscale or fixed), spot settings, elastic
 * disk, the guide's Spark configuration, the cost tags, Unity Catalog access mode and the organization's cluster
 * policy when it has one.
 *
 * @public
 */
export function buildClusterSpec(
  options: BuildClusterSpecOptions,
): compute.ClusterSpec {
  const { organization, pipeline, config, kind } = options;
  const databricks = organization.databricks ?? {};
  return {
    spark_version: config.sparkVersion,
    node_type_id: config.nodeType,
    driver_node_type_id: config.driverNodeType ?? config.nodeType,
    ...(config.enableAutoscaling && config.maxWorkers > config.minWorkers
      ? {
          autoscale: {
            min_workers: config.minWorkers,
            max_workers: config.maxWorkers,
          },
        }
      : { num_workers: config.minWorkers }),
    ...(kind === 'all-purpose'
      ? { autotermination_minutes: config.autoTerminationMinutes }
      : {}),
    aws_attributes: awsAttributes(config, databricks.instanceProfileArn),
    enable_elastic_disk: config.enableElasticDisk,
    spark_conf: { ...SPARK_CONFIG },
    custom_tags: costTags(organization, pipeline),
    // Dedicated (single user) access mode: Unity Catalog tables, and JDBC/Kafka without shared-mode limits.
    data_security_mode: 'SINGLE_USER',
    ...(databricks.clusterPolicyId
      ? { policy_id: databricks.clusterPolicyId }
      : {}),
  };
}
