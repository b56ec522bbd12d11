import {
  mockCredentials,
  mockServices,
  TestDatabases,
} from '@backstage/backend-test-utils';
import express from 'express';
import request from 'supertest';
import { batchSpec } from '../__testUtils__/specs';
import { as } from '../__testUtils__/startIngestionTestBackend';
import { setUpIngestionTestBackend } from '../__testUtils__/setUpIngestionTestBackend';
import type { OrganizationDirectory } from '../organizations/OrganizationDirectory';
import { CatalogExportService } from './CatalogExportService';
import type { CatalogExportStore } from './CatalogExportStore';
import { createCatalogExportRouter } from './catalogRouter';

jest.setTimeout(90_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

const catalogService = mockCredentials.service.header({
  onBehalfOf: mockCredentials.service('plugin:catalog'),
  targetPluginId: 'ingestion',
});

describe.each(databases.eachSupportedId())(
  'catalog change long poll on %s',
  databaseId => {
    const ingestion = setUpIngestionTestBackend(databases, databaseId, {
      validateResponses: true,
    });

    const changes = (query: string) =>
      request(ingestion.server)
        .get(`/api/ingestion/v1/catalog/changes?${query}`)
        .set('Authorization', catalogService);

    async function createPipeline(name: string) {
      const res = await request(ingestion.server)
        .post('/api/ingestion/v1/pipelines')
        .set('Authorization', as('finance-engineer'))
        .send({
          organization: 'finance',
          name,
          spec: {
            ...batchSpec(),
            target: { ...batchSpec().target, catalog: 'finance_catalog' },
          },
        });
      expect(res.status).toBe(201);
      return res.body.id as string;
    }

    const idsOf = (items: Array<{ id: string }>) => items.map(i => i.id);

    it('answers at once when something changed since `since`', async () => {
      const since = Date.now();
      const id = await createPipeline('long-poll-ready');
      const started = Date.now();
      const res = await changes(`since=${since}&wait=20`);
      expect(res.status).toBe(200);
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(idsOf(res.body.pipelines)).toContain(id);
    });

    it('waits for a change and answers as soon as one is made', async () => {
      const since = Date.now() + 1;
      const started = Date.now();
      const answer = changes(`since=${since}&wait=20`).then(res => res);
      await new Promise(resolve => setTimeout(resolve, 1_500));
      const id = await createPipeline('long-poll-woken');
      const res = await answer;
      const elapsed = Date.now() - started;
      expect(res.status).toBe(200);
      expect(idsOf(res.body.pipelines)).toContain(id);
      expect(elapsed).toBeGreaterThanOrEqual(1_500);
      expect(elapsed).toBeLessThan(12_000);
    });

    it('answers after `wait` with nothing changed, in the same shape', async () => {
      const started = Date.now();
      const res = await changes(`since=${Date.now() + 60_000}&wait=2`);
      expect(res.status).toBe(200);
      expect(Date.now() - started).toBeGreaterThanOrEqual(1_900);
      expect(res.body).toMatchObject({
        pipelines: [],
        tables: [],
        truncated: false,
      });
      expect(res.body.counts.finance.pipelines).toBeGreaterThanOrEqual(2);
      expect(Number(res.body.until)).toBeGreaterThan(started);
    });

    it.each(['26', '99', 'soon', '-1', '1.5', '100'])(
      'answers 400 naming wait for wait=%s',
      async wait => {
        const res = await changes(`since=${Date.now()}&wait=${wait}`);
        expect(res.status).toBe(400);
        expect(res.body.error.message).toMatch(/wait/);
      },
    );

    it('is for the catalog backend only, before it waits', async () => {
      const res = await request(ingestion.server)
        .get(`/api/ingestion/v1/catalog/changes?since=0&wait=20`)
        .set('Authorization', as('finance-admin'));
      expect(res.status).toBe(403);
    });
  },
);

describe('catalog change long poll, the caller leaving', () => {
  function serviceOver(
    store: Partial<CatalogExportStore>,
    stopping?: AbortSignal,
  ) {
    const directory = {
      organizations: [{ id: 'finance' }],
      version: 'v1',
      ensureFresh: async () => {},
    } as unknown as OrganizationDirectory;
    return new CatalogExportService({
      store: store as CatalogExportStore,
      directory,
      cursors: async () => {
        throw new Error('not used');
      },
      checkIntervalMs: 50,
      stopping,
    });
  }

  it('stops looking for changes when the signal aborts', async () => {
    let looks = 0;
    const service = serviceOver({
      changeMark: async () => {
        looks += 1;
        return { rows: 0, latest: ['', '', ''] };
      },
      counts: async () => ({ finance: { pipelines: 1, tables: 1 } }),
    });
    const left = new AbortController();
    const waited = service.waitForChanges(
      mockCredentials.service('plugin:catalog'),
      { since: String(Date.now()), wait: '20', signal: left.signal },
    );
    await new Promise(resolve => setTimeout(resolve, 300));
    expect(looks).toBeGreaterThan(2);
    const started = Date.now();
    left.abort();
    await waited;
    expect(Date.now() - started).toBeLessThan(200);
    const after = looks;
    await new Promise(resolve => setTimeout(resolve, 300));
    expect(looks).toBe(after);
  });

  it('answers when a deletion changes the counts', async () => {
    let pipelines = 2;
    const service = serviceOver({
      changeMark: async () => ({ rows: 0, latest: ['', '', ''] }),
      counts: async () => ({ finance: { pipelines, tables: 0 } }),
    });
    const started = Date.now();
    const waited = service.waitForChanges(
      mockCredentials.service('plugin:catalog'),
      { since: String(Date.now()), wait: '20' },
    );
    await new Promise(resolve => setTimeout(resolve, 200));
    pipelines = 1;
    await waited;
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('answers at once when the backend stops', async () => {
    const stopping = new AbortController();
    const service = serviceOver(
      {
        changeMark: async () => ({ rows: 0, latest: ['', '', ''] }),
        counts: async () => ({ finance: { pipelines: 1, tables: 0 } }),
      },
      stopping.signal,
    );
    const waited = service.waitForChanges(
      mockCredentials.service('plugin:catalog'),
      { since: String(Date.now()), wait: '20' },
    );
    await new Promise(resolve => setTimeout(resolve, 200));
    const started = Date.now();
    stopping.abort();
    await waited;
    expect(Date.now() - started).toBeLessThan(200);
  });

  it('gives up on a request whose caller disconnected', async () => {
    let signal: AbortSignal | undefined;
    const service = {
      waitForChanges: jest.fn(
        async (_credentials: unknown, query: { signal?: AbortSignal }) => {
          signal = query.signal;
          await new Promise(resolve =>
            query.signal?.addEventListener('abort', resolve),
          );
        },
      ),
      changes: jest.fn(async () => ({})),
    };
    const app = express().use(
      createCatalogExportRouter({
        httpAuth: mockServices.httpAuth(),
        service: service as unknown as CatalogExportService,
      }),
    );
    await expect(
      request(app).get('/changes?since=0&wait=20').timeout(300),
    ).rejects.toThrow(/timeout/i);
    for (let i = 0; i < 50 && !signal?.aborted; i++) {
      await new Promise(resolve => setTimeout(resolve, 20));
    }
    expect(signal?.aborted).toBe(true);
    expect(service.changes).not.toHaveBeenCalled();
  });
});
