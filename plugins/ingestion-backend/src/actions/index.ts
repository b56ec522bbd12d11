import type { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import type { LineageGraphService } from '../lineage/LineageGraphService';
import type { CostsService } from '../service/CostsService';
import type { PipelinesService } from '../service/PipelinesService';
import type { RunsService } from '../service/RunsService';
import type { TablesService } from '../service/TablesService';
import { registerDataActions } from './dataActions';
import { registerPipelineActions } from './pipelineActions';

/**
 * The ingestion backend's actions in Backstage's actions registry (ids `ingestion:<name>`), for
 * `backstage-cli actions` and the MCP actions backend. They run with the caller's credentials
 * through the same services as the HTTP API.
 */
export function registerIngestionActions(options: {
  actionsRegistry: ActionsRegistryService;
  pipelines: PipelinesService;
  runs: RunsService;
  tables: TablesService;
  lineage: LineageGraphService;
  costs: CostsService;
}) {
  registerPipelineActions(options);
  registerDataActions(options);
}
