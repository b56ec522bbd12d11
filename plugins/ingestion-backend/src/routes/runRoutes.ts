import type { RunStatus } from '@ingestion-for-backstage/plugin-ingestion-common';
import type { RunsService } from '../service/RunsService';
import { pageSize, type RouteContext } from './routeContext';

/** A pipeline's runs (list, trigger) and `/v1/runs`: list, get, cancel, logs. */
export function registerRunRoutes(
  route: RouteContext,
  options: { runs: RunsService },
): void {
  const { api, params, credentialsOf } = route;
  api.get('/v1/pipelines/:pipelineId/runs', async (req, res) => {
    res.json(
      await options.runs.list(await credentialsOf(req), {
        pipelineId: req.params.pipelineId,
        status: params(req).status as RunStatus | undefined,
        cursor: params(req).cursor,
        limit: pageSize(params(req).limit),
      }),
    );
  });

  api.post('/v1/pipelines/:pipelineId/runs', async (req, res) => {
    const run = await options.runs.trigger(
      await credentialsOf(req),
      req.params.pipelineId,
      {
        watermark: req.body?.watermark,
        fullRefresh: req.body?.fullRefresh,
        trigger: 'api',
      },
    );
    res.status(202).json(run);
  });

  api.get('/v1/runs', async (req, res) => {
    res.json(
      await options.runs.list(await credentialsOf(req), {
        organization: params(req).organization,
        pipelineId: params(req).pipelineId,
        status: params(req).status as RunStatus | undefined,
        cursor: params(req).cursor,
        limit: pageSize(params(req).limit),
      }),
    );
  });

  api.get('/v1/runs/:runId', async (req, res) => {
    res.json(
      await options.runs.get(await credentialsOf(req), req.params.runId),
    );
  });

  api.post('/v1/runs/:runId/cancel', async (req, res) => {
    res.json(
      await options.runs.cancel(await credentialsOf(req), req.params.runId),
    );
  });

  api.get('/v1/runs/:runId/logs', async (req, res) => {
    res.json(
      await options.runs.logs(await credentialsOf(req), req.params.runId, {
        cursor: params(req).cursor,
        limit: pageSize(params(req).limit),
      }),
    );
  });
}
