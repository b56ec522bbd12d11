import { pipelineSpecJsonSchema } from '@ingestion-for-backstage/plugin-ingestion-common';
import type { PipelinesService } from '../service/PipelinesService';
import { pageSize, type RouteContext } from './routeContext';

/**
 * `/v1/specs` (validation, schema) and `/v1/pipelines`: CRUD, the deployment record, the
 * effective spec, versions and rollback.
 */
export function registerPipelineRoutes(
  route: RouteContext,
  options: { pipelines: PipelinesService },
): void {
  const { api, params, credentialsOf } = route;
  api.post('/v1/specs/validate', async (req, res) => {
    const validSpec = await options.pipelines.validateSpec(
      await credentialsOf(req),
      { spec: req.body.spec, organization: req.body.organization },
    );
    res.json({ valid: true, spec: validSpec });
  });

  api.get('/v1/specs/schema', async (req, res) => {
    await credentialsOf(req);
    res.json(pipelineSpecJsonSchema());
  });

  api.get('/v1/pipelines', async (req, res) => {
    const q = params(req);
    res.json(
      await options.pipelines.list(await credentialsOf(req), {
        organization: q.organization,
        owner: q.owner,
        type: q.type as 'batch' | 'streaming' | undefined,
        engine: q.engine,
        nameContains: q.q,
        sort: (q.sort ?? 'updatedAt') as 'name' | 'createdAt' | 'updatedAt',
        order: (q.order ?? (q.sort === 'name' ? 'asc' : 'desc')) as
          | 'asc'
          | 'desc',
        cursor: q.cursor,
        limit: pageSize(q.limit),
      }),
    );
  });

  api.post('/v1/pipelines', async (req, res) => {
    const created = await options.pipelines.create(
      await credentialsOf(req),
      req.body,
    );
    res.status(201).json(created);
  });

  api.get('/v1/pipelines/:pipelineId', async (req, res) => {
    res.json(
      await options.pipelines.get(
        await credentialsOf(req),
        req.params.pipelineId,
      ),
    );
  });

  api.put('/v1/pipelines/:pipelineId', async (req, res) => {
    res.json(
      await options.pipelines.update(
        await credentialsOf(req),
        req.params.pipelineId,
        req.body,
      ),
    );
  });

  api.delete('/v1/pipelines/:pipelineId', async (req, res) => {
    await options.pipelines.delete(
      await credentialsOf(req),
      req.params.pipelineId,
    );
    res.status(204).end();
  });

  api.put('/v1/pipelines/:pipelineId/deployment', async (req, res) => {
    res.json(
      await options.pipelines.recordDeployment(
        await credentialsOf(req),
        req.params.pipelineId,
        req.body,
      ),
    );
  });

  api.get('/v1/pipelines/:pipelineId/effective-spec', async (req, res) => {
    res.json(
      await options.pipelines.effectiveSpec(
        await credentialsOf(req),
        req.params.pipelineId,
      ),
    );
  });

  api.get('/v1/pipelines/:pipelineId/versions', async (req, res) => {
    res.json(
      await options.pipelines.listVersions(
        await credentialsOf(req),
        req.params.pipelineId,
        {
          cursor: params(req).cursor,
          limit: pageSize(params(req).limit),
        },
      ),
    );
  });

  api.get('/v1/pipelines/:pipelineId/versions/:version', async (req, res) => {
    res.json(
      await options.pipelines.getVersion(
        await credentialsOf(req),
        req.params.pipelineId,
        Number(req.params.version),
      ),
    );
  });

  api.post('/v1/pipelines/:pipelineId/rollback', async (req, res) => {
    res.json(
      await options.pipelines.rollback(
        await credentialsOf(req),
        req.params.pipelineId,
        req.body,
      ),
    );
  });
}
