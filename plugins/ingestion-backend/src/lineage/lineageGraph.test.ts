import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { batchSpec } from '../__testUtils__/specs';
import { as } from '../__testUtils__/startIngestionTestBackend';
import { setUpIngestionTestBackend } from '../__testUtils__/setUpIngestionTestBackend';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

const iceberg = (table: string) => ({
  type: 'iceberg',
  catalog: 'finance_catalog',
  schema: 'analytics',
  table,
});

/**
 * A chain of three finance pipelines:
 * mysql:finance-db/transactions → [daily] → iceberg daily_transactions
 *   → [enrich] → iceberg customer_totals → [export] → parquet exports/totals
 */
describe.each(databases.eachSupportedId())(
  'lineage graph on %s',
  databaseId => {
    const ids: Record<string, string> = {};

    const ingestion = setUpIngestionTestBackend(databases, databaseId, {
      validateResponses: true,
    });

    beforeAll(async () => {
      const create = async (name: string, spec: unknown, org = 'finance') => {
        const res = await request(ingestion.server)
          .post('/api/ingestion/v1/pipelines')
          .set('Authorization', as(`${org}-engineer`))
          .send({ organization: org, name, spec });
        expect(res.status).toBe(201);
        ids[name] = res.body.id;
      };
      await create('daily', batchSpec());
      await create('enrich', {
        pipeline_type: 'batch',
        source: iceberg('daily_transactions'),
        transformations: [
          { type: 'rename', columns: { amount: 'total' } },
          { type: 'derive', column: 'total_cents', expression: 'total * 100' },
          { type: 'mask', columns: ['customer_id'] },
          {
            type: 'select',
            columns: ['customer_id', 'date', 'total', 'total_cents'],
          },
        ],
        target: iceberg('customer_totals'),
      });
      await create('export', {
        pipeline_type: 'batch',
        source: iceberg('customer_totals'),
        target: { type: 'parquet', path: 'exports/totals' },
      });
      // Retail has a pipeline on a dataset of the same name (its source): it never shows in
      // finance's graph. It writes to its own catalog, the only one it may name.
      const retailDaily = batchSpec();
      retailDaily.target.catalog = 'retail_catalog';
      await create('retail-daily', retailDaily, 'retail');
      // The table the first pipeline wrote, with its schema.
      await ingestion.knex('data_tables').insert({
        id: randomUUID(),
        organization_id: 'finance',
        format: 'iceberg',
        catalog_name: 'finance_catalog',
        namespace: 'analytics',
        table_name: 'daily_transactions',
        location: 'file:///w/daily_transactions',
        owner: 'group:default/finance',
        pipeline_id: ids.daily,
        schema: JSON.stringify({
          fields: ['customer_id', 'date', 'amount', 'count'].map((name, i) => ({
            id: i + 1,
            name,
            type: 'string',
            required: false,
          })),
        }),
        created_at: new Date(),
        updated_at: new Date(),
      });
    });

    const graph = (query: Record<string, string>, user = 'finance-analyst') =>
      request(ingestion.server)
        .get('/api/ingestion/v1/lineage/graph')
        .query(query)
        .set('Authorization', as(user));

    const DAILY =
      'dataset:iceberg:finance_catalog.analytics.daily_transactions';
    const TOTALS = 'dataset:iceberg:finance_catalog.analytics.customer_totals';
    const MYSQL = 'dataset:mysql:finance-db/transactions';
    const PARQUET = 'dataset:file:exports/totals';

    it('answers a pipeline’s own inputs and outputs at depth 1', async () => {
      const res = await graph({
        organization: 'finance',
        pipelineId: ids.enrich,
        depth: '1',
      });
      expect(res.status).toBe(200);
      expect(res.body.root).toBe(`pipeline:${ids.enrich}`);
      expect(res.body.nodes.map((n: { id: string }) => n.id).sort()).toEqual(
        [`pipeline:${ids.enrich}`, DAILY, TOTALS].sort(),
      );
      expect(res.body.edges).toEqual(
        expect.arrayContaining([
          { from: DAILY, to: `pipeline:${ids.enrich}` },
          { from: `pipeline:${ids.enrich}`, to: TOTALS },
        ]),
      );
      expect(
        res.body.nodes.find((n: { id: string }) => n.id === TOTALS),
      ).toMatchObject({
        kind: 'iceberg-table',
        name: 'finance_catalog.analytics.customer_totals',
        entityRef: 'resource:finance/finance_catalog.analytics.customer_totals',
        depth: 1,
      });
      expect(res.body.truncated).toBe(false);
    });

    it('walks N hops up and down from a dataset', async () => {
      const upstream = await graph({
        organization: 'finance',
        dataset: 'iceberg:finance_catalog.analytics.customer_totals',
        direction: 'upstream',
        depth: '5',
      });
      expect(upstream.status).toBe(200);
      expect(
        upstream.body.nodes.map((n: { id: string }) => n.id).sort(),
      ).toEqual(
        [
          TOTALS,
          `pipeline:${ids.enrich}`,
          DAILY,
          `pipeline:${ids.daily}`,
          MYSQL,
        ].sort(),
      );

      const oneHop = await graph({
        organization: 'finance',
        dataset: 'mysql:finance-db/transactions',
        direction: 'downstream',
        depth: '1',
      });
      expect(oneHop.body.nodes.map((n: { id: string }) => n.id).sort()).toEqual(
        [MYSQL, `pipeline:${ids.daily}`, DAILY].sort(),
      );

      const everything = await graph({
        organization: 'finance',
        dataset: 'mysql:finance-db/transactions',
        direction: 'downstream',
        depth: '3',
      });
      expect(everything.body.nodes.map((n: { id: string }) => n.id)).toEqual(
        expect.arrayContaining([`pipeline:${ids.export}`, PARQUET]),
      );
      expect(
        everything.body.nodes.some(
          (n: { pipelineId?: string }) => n.pipelineId === ids['retail-daily'],
        ),
      ).toBe(false);
    });

    it('derives column lineage along the graph', async () => {
      const res = await graph({
        organization: 'finance',
        pipelineId: ids.enrich,
        depth: '2',
        direction: 'upstream',
        columns: 'true',
      });
      expect(res.status).toBe(200);
      const edges = res.body.columnEdges as Array<{
        from: { node: string; column: string };
        to: { node: string; column: string };
        kind: string;
        pipelineId: string;
      }>;
      const into = (node: string, column: string) =>
        edges
          .filter(e => e.to.node === node && e.to.column === column)
          .map(e => [e.from.node, e.from.column, e.kind]);
      expect(into(TOTALS, 'total')).toEqual([[DAILY, 'amount', 'identity']]);
      expect(into(TOTALS, 'total_cents')).toEqual([
        [DAILY, 'amount', 'derived'],
      ]);
      expect(into(TOTALS, 'customer_id')).toEqual([
        [DAILY, 'customer_id', 'masked'],
      ]);
      // the daily table's schema is known: its columns come from the aggregate
      expect(into(DAILY, 'amount')).toEqual([[MYSQL, 'amount', 'aggregated']]);
      expect(into(DAILY, 'count')).toEqual([]);
      const daily = res.body.columnLineage.find(
        (c: { pipelineId: string }) => c.pipelineId === ids.daily,
      );
      expect(daily.indirect).toContainEqual({
        node: MYSQL,
        column: 'amount',
        type: 'filter',
      });
    });

    it('traces one column through every hop', async () => {
      const res = await graph({
        organization: 'finance',
        dataset: 'iceberg:finance_catalog.analytics.customer_totals',
        column: 'total_cents',
        direction: 'upstream',
        depth: '5',
      });
      expect(res.status).toBe(200);
      expect(
        res.body.columnEdges.map(
          (e: {
            from: { node: string; column: string };
            to: { column: string };
          }) => `${e.from.node}.${e.from.column}→${e.to.column}`,
        ),
      ).toEqual(
        expect.arrayContaining([
          `${DAILY}.amount→total_cents`,
          `${MYSQL}.amount→amount`,
        ]),
      );
      expect(res.body.columnEdges).toHaveLength(2);
    });

    it('is scoped to what the caller may see', async () => {
      const outsider = await graph(
        { organization: 'finance', pipelineId: ids.enrich },
        'retail-admin',
      );
      expect(outsider.status).toBe(404);
      const unknownDataset = await graph({
        organization: 'finance',
        dataset: 'iceberg:finance_catalog.analytics.nothing',
      });
      expect(unknownDataset.status).toBe(404);
      const otherOrgsPipeline = await graph({
        organization: 'finance',
        pipelineId: ids['retail-daily'],
      });
      expect(otherOrgsPipeline.status).toBe(404);
      // Services see only what ingestion.servicePrincipals grants them (none here).
      const service = await request(ingestion.server)
        .get('/api/ingestion/v1/lineage/graph')
        .query({ organization: 'finance', pipelineId: ids.daily })
        .set(
          'Authorization',
          mockCredentials.service.header({
            onBehalfOf: mockCredentials.service('plugin:catalog'),
            targetPluginId: 'ingestion',
          }),
        );
      expect(service.status).toBe(404);
    });

    it('gives pipelines their latest run and tables their freshness', async () => {
      for (const [id, status, at] of [
        ['run-old', 'failed', '2026-11-01T00:00:00Z'],
        ['run-new', 'succeeded', '2026-11-02T00:00:00Z'],
      ]) {
        await ingestion.knex('runs').insert({
          id,
          organization_id: 'finance',
          pipeline_id: ids.daily,
          pipeline_version: 1,
          engine: 'local',
          status,
          trigger: 'api',
          triggered_by: 'user:default/finance-engineer',
          queued_at: new Date(at),
          idempotency_token: `t-${id}`,
        });
      }
      const res = await graph({
        organization: 'finance',
        pipelineId: ids.daily,
        depth: '1',
      });
      const byId = new Map(
        res.body.nodes.map((n: { id: string }) => [n.id, n] as const),
      );
      expect(byId.get(`pipeline:${ids.daily}`)).toMatchObject({
        lastRun: { status: 'succeeded', queuedAt: '2026-11-02T00:00:00.000Z' },
      });
      expect(byId.get(DAILY)).toHaveProperty('updatedAt');
      expect(byId.get(MYSQL)).not.toHaveProperty('updatedAt');
    });

    it('drops the lineage of a deleted pipeline', async () => {
      const res = await request(ingestion.server)
        .delete(`/api/ingestion/v1/pipelines/${ids.export}`)
        .set('Authorization', as('finance-admin'));
      expect(res.status).toBe(204);
      const after = await graph({
        organization: 'finance',
        dataset: 'iceberg:finance_catalog.analytics.customer_totals',
        direction: 'downstream',
      });
      expect(after.body.nodes.map((n: { id: string }) => n.id)).toEqual([
        TOTALS,
      ]);
    });

    it('rejects bad queries', async () => {
      const queries: Array<Record<string, string>> = [
        { organization: 'finance' },
        { organization: 'finance', pipelineId: ids.daily, dataset: 'x:y' },
        { organization: 'finance', pipelineId: ids.daily, depth: '11' },
        {
          organization: 'finance',
          pipelineId: ids.daily,
          direction: 'sideways',
        },
        { organization: 'finance', pipelineId: ids.daily, column: 'x' },
      ];
      for (const query of queries) {
        expect((await graph(query)).status).toBe(400);
      }
    });
  },
);
