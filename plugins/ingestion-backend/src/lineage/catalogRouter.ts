import type { HttpAuthService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import express from 'express';
import Router from 'express-promise-router';
import type { CatalogExportService } from './CatalogExportService';

const single = (value: unknown): string | undefined => {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') {
    throw new InputError('query parameters may be given once');
  }
  return value;
};

/**
 * `/v1/catalog/*`: the export the catalog module reads with service credentials (users get a
 * 403). Mounted through the router's `extraRouters`.
 */
export function createCatalogExportRouter(options: {
  httpAuth: HttpAuthService;
  service: CatalogExportService;
}): express.Router {
  const { httpAuth, service } = options;
  const router = Router();
  const credentialsOf = (req: express.Request) =>
    httpAuth.credentials(req, { allow: ['user', 'service'] });
  const limitOf = (req: express.Request) => {
    const limit = single(req.query.limit);
    return limit === undefined ? undefined : Number(limit);
  };

  router.get('/organizations', async (req, res) => {
    res.json(await service.organizations(await credentialsOf(req)));
  });

  router.get('/pipelines', async (req, res) => {
    res.json(
      await service.pipelines(await credentialsOf(req), {
        cursor: single(req.query.cursor),
        limit: limitOf(req),
      }),
    );
  });

  router.get('/tables', async (req, res) => {
    res.json(
      await service.tables(await credentialsOf(req), {
        cursor: single(req.query.cursor),
        limit: limitOf(req),
      }),
    );
  });

  router.get('/changes', async (req, res) => {
    const credentials = await credentialsOf(req);
    const since = single(req.query.since) ?? '';
    const wait = single(req.query.wait);
    if (wait !== undefined) {
      // A long poll: stop looking for changes when the caller goes away.
      const left = new AbortController();
      res.on('close', () => {
        if (!res.writableEnded) left.abort();
      });
      await service.waitForChanges(credentials, {
        since,
        wait,
        signal: left.signal,
      });
      if (left.signal.aborted) return;
    }
    res.json(await service.changes(credentials, { since }));
  });

  router.get('/ids', async (req, res) => {
    const kind = single(req.query.kind);
    if (kind !== 'pipelines' && kind !== 'tables') {
      throw new InputError('kind: pipelines or tables');
    }
    res.json(
      await service.ids(await credentialsOf(req), {
        organization: single(req.query.organization) ?? '',
        kind,
      }),
    );
  });

  return router;
}
