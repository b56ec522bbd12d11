import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import request from 'supertest';
import { DatabaseCostsStore } from './database/CostsStore';
import { DatabaseLineageStore } from './database/LineageStore';
import { DatabaseQualityStore } from './database/QualityStore';
import { DatabaseTablesStore } from './database/TablesStore';
import { batchSpec } from './__testUtils__/specs';

/** The brief's batch example for another organization: it writes to that organization's catalog. */
const specOf = (organization: string, table: string) => {
  const spec = batchSpec(table);
  spec.target.catalog = `${organization}_catalog`;
  return spec;
};
import { as } from './__testUtils__/startIngestionTestBackend';
import { setUpIngestionTestBackend } from './__testUtils__/setUpIngestionTestBackend';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

describe.each(databases.eachSupportedId())(
  'ingestion API on %s',
  databaseId => {
    const ingestion = setUpIngestionTestBackend(databases, databaseId, {
      validateResponses: true,
    });

    const api = () => request(ingestion.server);
    const createPipeline = (user: string, body: Record<string, unknown>) =>
      api()
        .post('/api/ingestion/v1/pipelines')
        .set('Authorization', as(user))
        .send(body);

    describe('pipelines', () => {
      it('lets an engineer create a pipeline from the brief example, and returns its spec', async () => {
        const res = await createPipeline('finance-engineer', {
          organization: 'finance',
          name: 'daily-transactions',
          spec: batchSpec(),
        });
        expect(res.status).toBe(201);
        expect(res.body).toMatchObject({
          organization: 'finance',
          name: 'daily-transactions',
          owner: 'user:default/finance-engineer',
          pipelineType: 'batch',
          schedule: '0 2 * * *',
          scheduleTimezone: 'UTC',
          currentVersion: 1,
          engine: 'local',
        });
        expect(res.body.spec.target).toMatchObject({
          table: 'daily_transactions',
        });
      });

      it('accepts a spec given as YAML text', async () => {
        const res = await createPipeline('finance-engineer', {
          organization: 'finance',
          name: 'from-yaml',
          spec: [
            'pipeline_type: batch',
            'source: { type: mysql, connection: finance-db, table: orders }',
            'target: { type: iceberg, catalog: finance_catalog, schema: raw, table: orders }',
          ].join('\n'),
        });
        expect(res.status).toBe(201);
      });

      it('answers 400 listing every spec problem with its path', async () => {
        const spec = batchSpec();
        (spec.transformations[1] as any).group_by = [
          'customer_id; DROP TABLE x',
        ];
        (spec.source as any).tabel = 'x';
        const res = await createPipeline('finance-engineer', {
          organization: 'finance',
          name: 'broken',
          spec,
        });
        expect(res.status).toBe(400);
        const paths = res.body.problems.map((p: { path: string }) => p.path);
        expect(paths).toEqual(
          expect.arrayContaining([
            'transformations[1].group_by[0]',
            'source.tabel',
          ]),
        );
        expect(JSON.stringify(res.body)).not.toMatch(/at .*\.ts:\d+/);
      });

      it('answers 400 with the field for a bad body', async () => {
        const res = await createPipeline('finance-engineer', {
          organization: 'finance',
          name: 'Bad Name',
          spec: batchSpec(),
          extra: true,
        });
        expect(res.status).toBe(400);
        expect(res.body.error.message).toMatch(/^extra: unknown field/);
        const badName = await createPipeline('finance-engineer', {
          organization: 'finance',
          name: 'Bad Name',
          spec: batchSpec(),
        });
        expect(badName.status).toBe(400);
        expect(badName.body.error.message).toMatch(
          /request\/body\/name must match pattern/,
        );
      });

      it('refuses a second pipeline with the same name with 409', async () => {
        const body = {
          organization: 'finance',
          name: 'dup',
          spec: batchSpec(),
        };
        expect((await createPipeline('finance-engineer', body)).status).toBe(
          201,
        );
        expect((await createPipeline('finance-admin', body)).status).toBe(409);
      });

      it('refuses analysts and viewers (403) and other organizations (404)', async () => {
        const body = {
          organization: 'finance',
          name: 'nope',
          spec: batchSpec(),
        };
        expect((await createPipeline('finance-analyst', body)).status).toBe(
          403,
        );
        expect((await createPipeline('finance-viewer', body)).status).toBe(403);
        expect((await createPipeline('retail-engineer', body)).status).toBe(
          404,
        );
        expect((await createPipeline('nobody', body)).status).toBe(404);
      });

      it('answers 401 without a token', async () => {
        const res = await api()
          .get('/api/ingestion/v1/pipelines')
          .set('Authorization', mockCredentials.none.header());
        expect(res.status).toBe(401);
      });

      it('answers 413 for an oversized body', async () => {
        const res = await createPipeline('finance-engineer', {
          organization: 'finance',
          name: 'huge',
          spec: 'x'.repeat(2 * 1024 * 1024),
        });
        expect(res.status).toBe(413);
      });

      it('keeps each organization to its own pipelines, in lists and by id', async () => {
        const retail = await createPipeline('retail-engineer', {
          organization: 'retail',
          name: 'orders',
          spec: specOf('retail', 'orders'),
        });
        expect(retail.status).toBe(201);

        const financeList = await api()
          .get('/api/ingestion/v1/pipelines?limit=500')
          .set('Authorization', as('finance-viewer'));
        expect(financeList.status).toBe(200);
        expect(financeList.body.items.length).toBeGreaterThan(0);
        expect(
          financeList.body.items.every(
            (p: { organization: string }) => p.organization === 'finance',
          ),
        ).toBe(true);

        const asked = await api()
          .get('/api/ingestion/v1/pipelines?organization=retail')
          .set('Authorization', as('finance-admin'));
        expect(asked.body.items).toEqual([]);

        for (const user of ['finance-admin', 'nobody', 'healthcare-viewer']) {
          const res = await api()
            .get(`/api/ingestion/v1/pipelines/${retail.body.id}`)
            .set('Authorization', as(user));
          expect(res.status).toBe(404);
        }
        const own = await api()
          .get(`/api/ingestion/v1/pipelines/${retail.body.id}`)
          .set('Authorization', as('retail-viewer'));
        expect(own.status).toBe(200);
      });

      it('pages through pipelines with a cursor, in order, without repeats', async () => {
        for (let i = 0; i < 7; i++) {
          await createPipeline('healthcare-engineer', {
            organization: 'healthcare',
            name: `visits-${i}`,
            spec: specOf('healthcare', `visits_${i}`),
          });
        }
        const seen: string[] = [];
        let cursor: string | undefined;
        do {
          const res = await api()
            .get('/api/ingestion/v1/pipelines')
            .query({
              organization: 'healthcare',
              sort: 'name',
              limit: '3',
              ...(cursor ? { cursor } : {}),
            })
            .set('Authorization', as('healthcare-viewer'));
          expect(res.status).toBe(200);
          seen.push(...res.body.items.map((p: { name: string }) => p.name));
          cursor = res.body.nextCursor;
        } while (cursor);
        expect(seen).toEqual([...Array(7).keys()].map(i => `visits-${i}`));

        const filtered = await api()
          .get('/api/ingestion/v1/pipelines')
          .query({ organization: 'healthcare', q: 'visits-3' })
          .set('Authorization', as('healthcare-viewer'));
        expect(
          filtered.body.items.map((p: { name: string }) => p.name),
        ).toEqual(['visits-3']);
        for (const [engine, count] of [
          ['local', 7],
          ['databricks', 0],
        ] as const) {
          const byEngine = await api()
            .get('/api/ingestion/v1/pipelines')
            .query({ organization: 'healthcare', engine, limit: '50' })
            .set('Authorization', as('healthcare-viewer'));
          expect(byEngine.body.items).toHaveLength(count);
        }

        const badCursor = await api()
          .get('/api/ingestion/v1/pipelines?cursor=nonsense')
          .set('Authorization', as('healthcare-viewer'));
        expect(badCursor.status).toBe(400);
      });

      it('saves updates as new versions, detects conflicts, rolls back, lists versions', async () => {
        const created = await createPipeline('finance-engineer', {
          organization: 'finance',
          name: 'versioned',
          spec: batchSpec('v1'),
        });
        const id = created.body.id;
        const update = (user: string, expectedVersion: number, table: string) =>
          api()
            .put(`/api/ingestion/v1/pipelines/${id}`)
            .set('Authorization', as(user))
            .send({ spec: batchSpec(table), expectedVersion });

        const v2 = await update('finance-engineer', 1, 'v2');
        expect(v2.status).toBe(200);
        expect(v2.body.currentVersion).toBe(2);
        expect((await update('finance-engineer', 1, 'stale')).status).toBe(409);
        expect((await update('finance-analyst', 2, 'nope')).status).toBe(403);
        expect((await update('retail-admin', 2, 'nope')).status).toBe(404);

        const rolled = await api()
          .post(`/api/ingestion/v1/pipelines/${id}/rollback`)
          .set('Authorization', as('finance-engineer'))
          .send({ version: 1 });
        expect(rolled.status).toBe(200);
        expect(rolled.body.currentVersion).toBe(3);
        expect(rolled.body.spec.target.table).toBe('v1');

        const versions = await api()
          .get(`/api/ingestion/v1/pipelines/${id}/versions`)
          .set('Authorization', as('finance-viewer'));
        expect(
          versions.body.items.map((v: { version: number }) => v.version),
        ).toEqual([3, 2, 1]);
        expect(versions.body.items[0].restoredFromVersion).toBe(1);

        const v1 = await api()
          .get(`/api/ingestion/v1/pipelines/${id}/versions/1`)
          .set('Authorization', as('finance-viewer'));
        expect(v1.body.spec.target.table).toBe('v1');
        expect(
          (
            await api()
              .get(`/api/ingestion/v1/pipelines/${id}/versions/9`)
              .set('Authorization', as('finance-viewer'))
          ).status,
        ).toBe(404);
      });

      it('deletes for engineers only, and the pipeline is gone', async () => {
        const created = await createPipeline('finance-engineer', {
          organization: 'finance',
          name: 'to-delete',
          spec: batchSpec('gone'),
        });
        const del = (user: string) =>
          api()
            .delete(`/api/ingestion/v1/pipelines/${created.body.id}`)
            .set('Authorization', as(user));
        expect((await del('finance-viewer')).status).toBe(403);
        expect((await del('retail-admin')).status).toBe(404);
        expect((await del('finance-engineer')).status).toBe(204);
        expect((await del('finance-engineer')).status).toBe(404);
      });

      it('validates a spec without saving it', async () => {
        const ok = await api()
          .post('/api/ingestion/v1/specs/validate')
          .set('Authorization', as('finance-viewer'))
          .send({ spec: batchSpec() });
        expect(ok.status).toBe(200);
        expect(ok.body.valid).toBe(true);
        const bad = await api()
          .post('/api/ingestion/v1/specs/validate')
          .set('Authorization', as('finance-viewer'))
          .send({ spec: { pipeline_type: 'sometimes' } });
        expect(bad.status).toBe(400);
        expect(bad.body.problems.length).toBeGreaterThan(1);
        const schema = await api()
          .get('/api/ingestion/v1/specs/schema')
          .set('Authorization', as('finance-viewer'));
        expect(schema.status).toBe(200);
        expect(schema.body).toHaveProperty('properties');
      });
    });

    describe('runs', () => {
      let pipelineId: string;
      beforeAll(async () => {
        const created = await createPipeline('retail-engineer', {
          organization: 'retail',
          name: 'runnable',
          spec: specOf('retail', 'runnable'),
        });
        pipelineId = created.body.id;
      });

      const trigger = (user: string, body: object = {}) =>
        api()
          .post(`/api/ingestion/v1/pipelines/${pipelineId}/runs`)
          .set('Authorization', as(user))
          .send(body);

      it('lets analysts trigger runs, not viewers or other organizations', async () => {
        const run = await trigger('retail-analyst');
        expect(run.status).toBe(202);
        expect(run.body).toMatchObject({
          status: 'queued',
          pipelineId,
          pipelineVersion: 1,
          triggeredBy: 'user:default/retail-analyst',
        });
        // Where a run starts is an engineer's call (ingestion.run.override).
        expect(
          (await trigger('retail-analyst', { watermark: '2026-01-01' })).status,
        ).toBe(403);
        const overridden = await trigger('retail-engineer', {
          watermark: '2026-01-01',
        });
        expect(overridden.status).toBe(202);
        expect(overridden.body.watermarkIn).toBe('2026-01-01');
        expect((await trigger('retail-viewer')).status).toBe(403);
        expect((await trigger('finance-admin')).status).toBe(404);

        const got = await api()
          .get(`/api/ingestion/v1/runs/${run.body.id}`)
          .set('Authorization', as('retail-viewer'));
        expect(got.body.id).toBe(run.body.id);
        expect(
          (
            await api()
              .get(`/api/ingestion/v1/runs/${run.body.id}`)
              .set('Authorization', as('finance-admin'))
          ).status,
        ).toBe(404);

        const logs = await api()
          .get(`/api/ingestion/v1/runs/${run.body.id}/logs`)
          .set('Authorization', as('retail-viewer'));
        expect(logs.body.items[0]).toMatchObject({
          kind: 'transition',
          status: 'queued',
        });

        const cancelled = await api()
          .post(`/api/ingestion/v1/runs/${run.body.id}/cancel`)
          .set('Authorization', as('retail-analyst'));
        expect(cancelled.body.status).toBe('cancelled');

        const list = await api()
          .get('/api/ingestion/v1/runs?organization=retail&status=cancelled')
          .set('Authorization', as('retail-viewer'));
        expect(list.body.items.map((r: { id: string }) => r.id)).toContain(
          run.body.id,
        );
        const foreign = await api()
          .get('/api/ingestion/v1/runs?organization=retail')
          .set('Authorization', as('finance-admin'));
        expect(foreign.body.items).toEqual([]);
      });
    });

    describe('tables, quality, lineage and costs', () => {
      it('show each organization only its own data', async () => {
        const pipeline = await createPipeline('finance-engineer', {
          organization: 'finance',
          name: 'with-data',
          spec: batchSpec('with_data'),
        });
        const at = new Date();
        const tableId = await new DatabaseTablesStore(ingestion.knex).upsert({
          id: '00000000-0000-4000-8000-000000000001',
          organizationId: 'finance',
          format: 'iceberg',
          catalogName: 'finance_catalog',
          namespace: 'analytics',
          tableName: 'with_data',
          owner: 'group:default/finance',
          pipelineId: pipeline.body.id,
          rowCount: 10,
          sizeBytes: 2048,
          at,
        });
        const run = await api()
          .post(`/api/ingestion/v1/pipelines/${pipeline.body.id}/runs`)
          .set('Authorization', as('finance-analyst'))
          .send({});
        await new DatabaseQualityStore(ingestion.knex).add([
          {
            organizationId: 'finance',
            runId: run.body.id,
            pipelineId: pipeline.body.id,
            ruleIndex: 0,
            ruleType: 'completeness',
            columns: ['customer_id'],
            severity: 'fail',
            threshold: 0.95,
            observed: 1,
            passed: true,
            at,
          },
        ]);
        await new DatabaseLineageStore(ingestion.knex).replaceForPipeline(
          'finance',
          pipeline.body.id,
          [
            {
              pipelineId: pipeline.body.id,
              direction: 'input',
              datasetKind: 'mysql-table',
              datasetRef: 'mysql:finance-db/transactions',
            },
            {
              pipelineId: pipeline.body.id,
              direction: 'output',
              datasetKind: 'iceberg-table',
              datasetRef: 'iceberg:finance_catalog.analytics.with_data',
            },
          ],
          at,
        );
        const period = at.toISOString().slice(0, 7);
        await new DatabaseCostsStore(ingestion.knex).add({
          organizationId: 'finance',
          costCenter: 'FIN-001',
          environment: 'development',
          serviceType: 'compute',
          pipelineId: pipeline.body.id,
          quantity: 2,
          unit: 'DBU',
          amount: 1.1,
          currency: 'USD',
          period,
          at,
        });

        const quality = await api()
          .get(`/api/ingestion/v1/quality?runId=${run.body.id}`)
          .set('Authorization', as('finance-viewer'));
        expect(quality.body.items).toEqual([
          expect.objectContaining({
            ruleType: 'completeness',
            passed: true,
            observed: 1,
          }),
        ]);
        const foreignQuality = await api()
          .get(`/api/ingestion/v1/quality?runId=${run.body.id}`)
          .set('Authorization', as('retail-admin'));
        expect(foreignQuality.body.items).toEqual([]);

        const tables = await api()
          .get('/api/ingestion/v1/tables?organization=finance')
          .set('Authorization', as('finance-viewer'));
        expect(tables.body.items.map((t: { id: string }) => t.id)).toContain(
          tableId,
        );
        expect(tables.body.items[0].identifier).toBe(
          'finance_catalog.analytics.with_data',
        );
        expect(
          (
            await api()
              .get(`/api/ingestion/v1/tables/${tableId}`)
              .set('Authorization', as('retail-admin'))
          ).status,
        ).toBe(404);

        const lineage = await api()
          .get('/api/ingestion/v1/lineage')
          .query({ organization: 'finance', pipelineId: pipeline.body.id })
          .set('Authorization', as('finance-viewer'));
        expect(lineage.status).toBe(200);
        expect(lineage.body.edges).toEqual(
          expect.arrayContaining([
            {
              from: 'dataset:mysql:finance-db/transactions',
              to: `pipeline:${pipeline.body.id}`,
            },
            {
              from: `pipeline:${pipeline.body.id}`,
              to: 'dataset:iceberg:finance_catalog.analytics.with_data',
            },
          ]),
        );

        const costs = await api()
          .get(
            '/api/ingestion/v1/costs?organization=finance&groupBy=serviceType',
          )
          .set('Authorization', as('finance-analyst'));
        expect(costs.status).toBe(200);
        expect(costs.body.groups).toEqual([
          { key: 'compute', amount: 1.1, quantity: 2 },
        ]);
        expect(costs.body.budget).toMatchObject({ spentThisMonth: 1.1 });
        expect(
          (
            await api()
              .get('/api/ingestion/v1/costs?organization=finance')
              .set('Authorization', as('finance-viewer'))
          ).status,
        ).toBe(403);
        expect(
          (
            await api()
              .get('/api/ingestion/v1/costs?organization=finance')
              .set('Authorization', as('retail-admin'))
          ).status,
        ).toBe(404);

        const csv = await api()
          .get(
            `/api/ingestion/v1/costs/chargeback?organization=finance&month=${period}&format=csv`,
          )
          .set('Authorization', as('finance-admin'));
        expect(csv.status).toBe(200);
        expect(csv.headers['content-type']).toMatch(/text\/csv/);
        expect(csv.text.split('\r\n')[1]).toBe(
          `finance,FIN-001,${period},compute,${pipeline.body.id},with-data,DBU,2,1.1,USD`,
        );
        const badMonth = await api()
          .get(
            '/api/ingestion/v1/costs/chargeback?organization=finance&month=2026-13',
          )
          .set('Authorization', as('finance-admin'));
        expect(badMonth.status).toBe(400);
      });
    });

    it('reports quotas and usage to members only', async () => {
      const res = await api()
        .get('/api/ingestion/v1/quotas?organization=finance')
        .set('Authorization', as('finance-engineer'));
      expect(res.status).toBe(200);
      expect(res.body.usage).toEqual(
        expect.objectContaining({ concurrentRuns: expect.any(Number) }),
      );
      expect(
        (
          await api()
            .get('/api/ingestion/v1/quotas?organization=finance')
            .set('Authorization', as('retail-engineer'))
        ).status,
      ).toBe(404);
    });
  },
);
