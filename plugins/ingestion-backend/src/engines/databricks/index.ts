export { DatabricksEngine, billedDbusStatement } from './DatabricksEngine';
export type { DatabricksEngineOptions } from './DatabricksEngine';
export {
  DEFAULT_DBU_RATES,
  dbuRate,
  estimateRunDbus,
  estimatedWorkers,
} from './dbus';
export { pipelineDeployments } from './deployments';
export { verifyPipelineJob, unverifiableMessage } from './jobVerification';
export type { JobVerification } from './jobVerification';
export type {
  DatabricksDeployment,
  DatabricksDeployments,
} from './deployments';
export {
  DATABRICKS_BILLING_TASK_ID,
  DatabricksBillingReconciler,
  startDatabricksBilling,
} from './billing';
export type {
  BilledDbusSource,
  DatabricksBillingReconcilerOptions,
} from './billing';
export {
  DATABRICKS_SCHEDULED_RUNS_TASK_ID,
  DatabricksScheduledRuns,
  scheduledDatabricksRunId,
  startDatabricksScheduledRuns,
} from './scheduledRuns';
export type {
  DatabricksScheduledRunsOptions,
  ScheduledJobRun,
  ScheduledJobRunsSource,
} from './scheduledRuns';
export {
  DATABRICKS_DEPLOYMENT_SYNC_TASK_ID,
  DatabricksDeploymentSync,
  startDatabricksDeploymentSync,
} from './deploymentSync';
export type {
  DatabricksDeploymentSyncOptions,
  WorkspaceNotebooks,
} from './deploymentSync';
