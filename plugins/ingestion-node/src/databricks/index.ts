export { DatabricksClient } from './DatabricksClient';
export type {
  DatabricksBaseRun,
  DatabricksClientOptions,
  DatabricksJob,
  DatabricksJobSettings,
  DatabricksRun,
  DatabricksRunNow,
  DatabricksRunOutput,
  DatabricksStatementParameter,
  DatabricksStatementRequest,
  DatabricksStatementResult,
  DatabricksSubmitRun,
  JobDeployment,
} from './DatabricksClient';
export { DatabricksApiError } from './errors';
export type { DatabricksRetryOptions } from './retry';
export type { DatabricksRetryEvent } from './transport';
export {
  findQualityFailureSummary,
  notebookQualityResults,
  notebookRunResult,
  parseNotebookSummary,
} from './summary';
export type {
  NotebookQualityEntry,
  NotebookRunResultOptions,
  NotebookRunSummary,
} from './summary';
export {
  generateWorkspaceArtifacts,
  pipelineWorkspaceFolder,
  toCodegenOrganization,
  versionedNotebookPath,
} from './workspaceArtifacts';
export type { GenerateWorkspaceArtifactsOptions } from './workspaceArtifacts';
export { deployJob } from './deployJob';
export type { DeployedJob, DeployJobOptions } from './deployJob';
export {
  codegenPipelineOf,
  deployPipelineVersion,
  recordedJobId,
} from './deployPipelineVersion';
export type {
  DeployablePipeline,
  DeployPipelineVersionOptions,
} from './deployPipelineVersion';
export * from './testServer';
