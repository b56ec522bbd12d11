export { generateDatabricksArtifacts } from './generate';
export type {
  DatabricksArtifacts,
  GenerateDatabricksArtifactsOptions,
} from './generate';
export { CronConversionError, unixCronToQuartz } from './cron';
export { COMMIT_PROPERTIES } from './pyspark/runtime';
export {
  awsAttributes,
  buildClusterSpec,
  costTags,
  DEFAULT_SPARK_VERSION,
  getClusterConfig,
  SPARK_CONFIG,
} from './cluster';
export type { BuildClusterSpecOptions } from './cluster';
export {
  buildJobSettings,
  buildRunSubmitRequest,
  deriveIdempotencyToken,
} from './job';
export type {
  BuildJobSettingsOptions,
  BuildRunSubmitRequestOptions,
  JobScheduleInput,
} from './job';
export { buildBundle, pipelineSlug } from './bundle';
export type { BuildBundleOptions } from './bundle';
export { CONNECTION_SECRET_KEYS, secretScopeName } from './secrets';
export type {
  ClusterConfig,
  CodegenOrganization,
  CodegenPipeline,
  WorkloadType,
} from './types';
