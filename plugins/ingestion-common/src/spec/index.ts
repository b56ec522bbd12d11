export { SPEC_VERSION, pipelineSpecSchema } from './pipelineSpec';
export type {
  AggregateTransform,
  CastTransform,
  DedupeTransform,
  DeltaTarget,
  DeriveTransform,
  FileSource,
  FilterTransform,
  HttpSource,
  IcebergSource,
  IcebergTarget,
  JoinTransform,
  KafkaSource,
  MariadbSource,
  MaskTransform,
  MysqlSource,
  ParquetTarget,
  PipelineSpec,
  PipelineSpecInput,
  PostgresSource,
  QualityRuleSpec,
  RenameTransform,
  ScheduleSpec,
  SelectTransform,
  SourceSpec,
  TargetSpec,
  TransformSpec,
  TriggerSpec,
  WindowTransform,
} from './pipelineSpec';
export { AGGREGATE_FUNCTIONS } from './transforms';
export type { Aggregation } from './transforms';
export {
  BOOTSTRAP_SERVERS_PATTERN,
  CONNECTION_NAME_PATTERN,
  CONSUMER_GROUP_PATTERN,
  DURATION_PATTERN,
  PATH_SEGMENT_PATTERN,
  S3_BUCKET_PATTERN,
  TOPIC_PATTERN,
  parseDurationSeconds,
} from './fields';
export { SECRET_KEY_PATTERN } from './secrets';
export { formatSpecPath } from './problems';
export type { SpecProblem } from './problems';
export {
  MAX_SPEC_TEXT_LENGTH,
  formatPipelineSpecText,
  parsePipelineSpecText,
  validatePipelineSpec,
} from './validate';
export type {
  PipelineSpecTextParse,
  PipelineSpecValidation,
  PipelineSpecValidationOptions,
} from './validate';
export {
  organizationCatalogs,
  tenantResourceProblems,
} from './tenantResources';
export type { OrganizationResources } from './tenantResources';
export { pipelineSpecJsonSchema } from './jsonSchema';
export { getSourceDatasets, getTargetDataset } from './datasets';
export { briefBatchExample, briefStreamingExample } from './examples';
export type { DatasetKind, DatasetRef } from './datasets';
