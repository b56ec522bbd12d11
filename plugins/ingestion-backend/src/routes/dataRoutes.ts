import type { LineageService } from '../service/LineageService';
import type { TablesService } from '../service/TablesService';
import { pageSize, type RouteContext } from './routeContext';

/** `/v1/tables`, `/v1/quality` and `/v1/lineage`. */
export function registerDataRoutes(
  route: RouteContext,
  options: { tables: TablesService; lineage: LineageService },
): void {
  const { api, params, credentialsOf } = route;
  api.get('/v1/tables', async (req, res) => {
    res.json(
      await options.tables.list(await credentialsOf(req), {
        organization: params(req).organization,
        pipelineId: params(req).pipelineId,
        cursor: params(req).cursor,
        limit: pageSize(params(req).limit),
      }),
    );
  });

  api.get('/v1/tables/:tableId', async (req, res) => {
    res.json(
      await options.tables.get(await credentialsOf(req), req.params.tableId),
    );
  });

  api.get('/v1/quality', async (req, res) => {
    res.json(
      await options.tables.quality(await credentialsOf(req), {
        organization: params(req).organization,
        pipelineId: params(req).pipelineId,
        runId: params(req).runId,
        cursor: params(req).cursor,
        limit: pageSize(params(req).limit),
      }),
    );
  });

  api.get('/v1/lineage', async (req, res) => {
    res.json(
      await options.lineage.graph(await credentialsOf(req), {
        organization: params(req).organization!,
        pipelineId: params(req).pipelineId!,
        depth: Number(params(req).depth ?? 3),
      }),
    );
  });
}
