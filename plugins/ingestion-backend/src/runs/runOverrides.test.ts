import { TestDatabases } from '@backstage/backend-test-utils';
import {
  briefBatchExample,
  ORG_ROLES,
  validatePipelineSpec,
  type OrgRole,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { TEST_CONFIG } from '../__testUtils__/demoTenants';
import { testOrganizationConfig } from '../__testUtils__/organizationConfig';
import { as } from '../__testUtils__/startIngestionTestBackend';
import { setUpIngestionTestBackend } from '../__testUtils__/setUpIngestionTestBackend';
import { RunResultRecorder } from './RunResultRecorder';

/**
 * Class 7 over HTTP: overriding a run's watermark or forcing a full refresh is an engineer's
 * right (`ingestion.run.override`), not an analyst's; a watermark must fit the cursor column;
 * a run that read nothing never moves the high-water mark.
 */
const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

type Outcome = 202 | 403 | 404;

describe.each(databases.eachSupportedId())(
  'run overrides on %s',
  databaseId => {
    let counter = 0;

    const ingestion = setUpIngestionTestBackend(
      databases,
      databaseId,
      {
        extraGroups: {
          'user:default/two-orgs': [
            'group:default/finance-analysts',
            'group:default/retail-engineers',
          ],
        },
        validateResponses: true,
        config: {
          ingestion: {
            ...TEST_CONFIG.ingestion,
            organizations: TEST_CONFIG.ingestion.organizations.map(org => ({
              ...org,
              quotas: { databricks: { maxConcurrentJobs: 10_000 } },
            })),
            // Runs stay queued: what is under test is what they are queued with.
            runDriver: { enabled: false },
          },
        },
      },
      { timeout: 120_000 },
    );

    async function newPipeline(spec: unknown = briefBatchExample()) {
      counter += 1;
      const res = await request(ingestion.server)
        .post('/api/ingestion/v1/pipelines')
        .set('Authorization', as('finance-admin'))
        .send({ organization: 'finance', name: `overrides-${counter}`, spec });
      expect(res.status).toBe(201);
      return res.body.id as string;
    }

    const trigger = (
      pipelineId: string,
      body: object,
      user = 'finance-engineer',
    ) =>
      request(ingestion.server)
        .post(`/api/ingestion/v1/pipelines/${pipelineId}/runs`)
        .set('Authorization', as(user))
        .send(body);

    /** A finished run of the pipeline, as the recorder leaves it. */
    async function recordedRun(
      pipelineId: string,
      fields: { status: string; watermarkOut?: string; at: Date },
    ) {
      const id = randomUUID();
      await ingestion.knex('runs').insert({
        id,
        organization_id: 'finance',
        pipeline_id: pipelineId,
        pipeline_version: 1,
        engine: 'local',
        status: fields.status,
        trigger: 'manual',
        triggered_by: 'user:default/finance-engineer',
        queued_at: fields.at,
        started_at: fields.at,
        finished_at: fields.status === 'running' ? null : fields.at,
        idempotency_token: id,
        attempt: 1,
        watermark_out: fields.watermarkOut ?? null,
      });
      return id;
    }

    describe('who may override', () => {
      const overrides: Array<[string, object]> = [
        ['a watermark', { watermark: '2026-11-23T00:00:00Z' }],
        ['a full refresh', { fullRefresh: true }],
      ];
      const callers: Array<[string, OrgRole | undefined]> = [
        ...ORG_ROLES.map(
          role => [`finance-${role}`, role] as [string, OrgRole],
        ),
        ...ORG_ROLES.map(
          role => [`retail-${role}`, undefined] as [string, undefined],
        ),
        ['nobody', undefined],
        ['platform-admin', 'admin'],
        ['two-orgs', 'analyst'],
      ];
      const expected = (
        role: OrgRole | undefined,
        override: boolean,
      ): Outcome => {
        if (!role) return 404;
        const allowed = override
          ? ['admin', 'engineer']
          : ['admin', 'engineer', 'analyst'];
        return allowed.includes(role) ? 202 : 403;
      };

      describe.each(overrides)('with %s', (_name, body) => {
        it.each(callers)('as %s', async (user, role) => {
          const res = await trigger(await newPipeline(), body, user);
          expect(res.status).toBe(expected(role, true));
        });
      });

      it.each(callers)('a plain run as %s is unchanged', async (user, role) => {
        const res = await trigger(await newPipeline(), {}, user);
        expect(res.status).toBe(expected(role, false));
      });

      it('records the override in the audit log, and the denial', async () => {
        const pipelineId = await newPipeline();
        expect((await trigger(pipelineId, { fullRefresh: true })).status).toBe(
          202,
        );
        expect(
          (await trigger(pipelineId, { fullRefresh: true }, 'finance-analyst'))
            .status,
        ).toBe(403);
        const audit = await request(ingestion.server)
          .get('/api/ingestion/v1/audit?organization=finance')
          .set('Authorization', as('finance-admin'));
        expect(audit.status).toBe(200);
        const events = audit.body.items.filter(
          (e: { targetId?: string; meta?: Record<string, unknown> }) =>
            e.targetId === pipelineId || e.meta?.pipelineId === pipelineId,
        );
        expect(events).toEqual(
          expect.arrayContaining([
            expect.objectContaining({
              action: 'run.trigger',
              outcome: 'success',
              meta: expect.objectContaining({ fullRefresh: true }),
            }),
            expect.objectContaining({ outcome: 'denied' }),
          ]),
        );
      });
    });

    describe('watermark inputs', () => {
      it('refuses a watermark that is not a date-time for a timestamp cursor', async () => {
        const pipelineId = await newPipeline();
        await recordedRun(pipelineId, {
          status: 'succeeded',
          watermarkOut: '2026-11-23 23:59:00',
          at: new Date('2026-11-24T02:00:00Z'),
        });
        for (const watermark of ['1024', 'yesterday', '2026-13-01']) {
          const res = await trigger(pipelineId, { watermark });
          expect(res.status).toBe(400);
          expect(res.body.problems).toEqual([
            {
              path: 'watermark',
              message: `\`${watermark}\` does not fit the cursor column \`updated_at\` (timestamp): write an ISO 8601 date-time such as 2026-11-23T00:00:00Z`,
            },
          ]);
        }
        const ok = await trigger(pipelineId, {
          watermark: '2026-11-01T00:00:00Z',
        });
        expect(ok.status).toBe(202);
        expect(ok.body.watermarkIn).toBe('2026-11-01T00:00:00Z');
      });

      it('takes the cursor type from the table the pipeline wrote', async () => {
        const pipelineId = await newPipeline();
        await ingestion.knex('data_tables').insert({
          id: randomUUID(),
          organization_id: 'finance',
          format: 'iceberg',
          catalog_name: 'finance_catalog',
          namespace: 'analytics',
          table_name: `written_${counter}`,
          owner: 'group:default/finance',
          pipeline_id: pipelineId,
          schema: JSON.stringify({
            type: 'struct',
            fields: [
              { id: 1, name: 'updated_at', type: 'long', required: false },
            ],
          }),
          created_at: new Date(),
          updated_at: new Date(),
        });
        expect((await trigger(pipelineId, { watermark: '1024' })).status).toBe(
          202,
        );
        const res = await trigger(pipelineId, { watermark: '2026-11-01' });
        expect(res.status).toBe(400);
        expect(res.body.problems[0].message).toMatch(
          /\(integer\): write an integer/,
        );
      });

      it('accepts an integer or a date-time while the type is not known, nothing else', async () => {
        const pipelineId = await newPipeline();
        expect((await trigger(pipelineId, { watermark: '42' })).status).toBe(
          202,
        );
        expect(
          (await trigger(pipelineId, { watermark: '2026-11-01T00:00:00Z' }))
            .status,
        ).toBe(202);
        const res = await trigger(pipelineId, { watermark: "0' OR '1'='1" });
        expect(res.status).toBe(400);
        expect(res.body.problems).toEqual([
          expect.objectContaining({ path: 'watermark' }),
        ]);
      });

      it('refuses a watermark for a pipeline that is not incremental', async () => {
        const spec = briefBatchExample() as any;
        spec.source = { type: 'file', path: 'raw/x/*.csv', format: 'csv' };
        const res = await trigger(await newPipeline(spec), { watermark: '42' });
        expect(res.status).toBe(400);
        expect(res.body.problems).toEqual([
          expect.objectContaining({
            path: 'watermark',
            message: expect.stringMatching(/is not incremental/),
          }),
        ]);
      });

      it('refuses a watermark together with a full refresh', async () => {
        const res = await trigger(await newPipeline(), {
          watermark: '42',
          fullRefresh: true,
        });
        expect(res.status).toBe(400);
        expect(res.body.problems[0].path).toBe('fullRefresh');
      });

      it('starts a full refresh without the recorded mark, a plain run from it', async () => {
        const pipelineId = await newPipeline();
        await recordedRun(pipelineId, {
          status: 'succeeded',
          watermarkOut: '2026-11-23 23:59:00',
          at: new Date('2026-11-24T02:00:00Z'),
        });
        const full = await trigger(pipelineId, { fullRefresh: true });
        expect(full.status).toBe(202);
        expect(full.body.watermarkIn).toBeUndefined();
        const plain = await trigger(pipelineId, {}, 'finance-analyst');
        expect(plain.status).toBe(202);
        expect(plain.body.watermarkIn).toBe('2026-11-23 23:59:00');
      });
    });

    it('never moves the high-water mark with a run that read nothing', async () => {
      const pipelineId = await newPipeline();
      await recordedRun(pipelineId, {
        status: 'succeeded',
        watermarkOut: '2026-11-23 23:59:00',
        at: new Date('2026-11-24T02:00:00Z'),
      });
      // An override far ahead, which matched no row; the engine reported it back as its mark.
      const idle = await recordedRun(pipelineId, {
        status: 'running',
        at: new Date('2026-11-25T02:00:00Z'),
      });
      const spec = validatePipelineSpec(briefBatchExample());
      if (!spec.valid) throw new Error('invalid spec');
      const finished = await new RunResultRecorder(ingestion.knex, {
        dbu: 0.55,
        storageGbMonth: 0.023,
        currency: 'USD',
      }).finish({
        organization: testOrganizationConfig('finance', { engine: 'local' }),
        run: { id: idle, pipelineId, startedAt: '2026-11-25T02:00:00Z' },
        pipeline: { owner: 'group:default/finance' },
        spec: spec.spec,
        status: 'succeeded',
        message: '',
        result: {
          rowsRead: 0,
          rowsWritten: 0,
          bytesWritten: 0,
          dbus: 0,
          watermarkOut: '2099-01-01 00:00:00',
          quality: [],
          tables: [],
        },
        now: new Date('2026-11-25T02:01:00Z'),
      });
      expect(finished?.run.status).toBe('succeeded');
      expect(finished?.run.watermarkOut).toBeUndefined();
      const next = await trigger(pipelineId, {});
      expect(next.status).toBe(202);
      expect(next.body.watermarkIn).toBe('2026-11-23 23:59:00');
    });
  },
);
