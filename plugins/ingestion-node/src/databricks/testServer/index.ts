export { DatabricksTestServer } from './DatabricksTestServer';
export type {
  DatabricksFault,
  DatabricksRunOutcome,
  DatabricksTestLifeCycleState,
  DatabricksTestRequest,
  DatabricksTestRun,
  DatabricksTestServerOptions,
  DatabricksTestTaskRun,
} from './DatabricksTestServer';
