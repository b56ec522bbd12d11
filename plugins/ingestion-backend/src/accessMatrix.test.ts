import { TestDatabases } from '@backstage/backend-test-utils';
import {
  ORG_ROLES,
  type OrgRole,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import {
  DatabricksClient,
  DatabricksTestServer,
} from '@ingestion-for-backstage/plugin-ingestion-node';
import request from 'supertest';
import { TEST_CONFIG } from './__testUtils__/demoTenants';
import { batchSpec } from './__testUtils__/specs';
import { as } from './__testUtils__/startIngestionTestBackend';
import { setUpIngestionTestBackend } from './__testUtils__/setUpIngestionTestBackend';

jest.setTimeout(120_000);

/**
 * The access matrix over HTTP, through the real permission backend and the ingestion policy:
 * every operation × every role in its own organization, the same roles of another organization,
 * a user with no organization, and a user with different roles in two organizations.
 */
type Outcome = 'ok' | 'empty' | 403 | 404;
type Caller = { user: string; role?: OrgRole };

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

describe.each(databases.eachSupportedId())(
  'access matrix on %s',
  databaseId => {
    let counter = 0;
    // finance's Databricks workspace: recorded deployments are verified there.
    let workspace: DatabricksTestServer;
    const token = 'dapi00112233445566778899aabbccddeeff';

    beforeAll(async () => {
      workspace = await DatabricksTestServer.start({ token });
    });

    const ingestion = setUpIngestionTestBackend(databases, databaseId, () => ({
      extraGroups: {
        // Engineer in finance, viewer in retail.
        'user:default/two-orgs': [
          'group:default/finance-engineers',
          'group:default/retail-viewers',
        ],
      },
      validateResponses: true,
      config: {
        ingestion: {
          ...TEST_CONFIG.ingestion,
          // Every operation queues runs of its own; the queue quota is not under test here.
          organizations: TEST_CONFIG.ingestion.organizations.map(org => ({
            ...org,
            // One admin sets every case up: the API quota is not under test either.
            quotas: {
              databricks: { maxConcurrentJobs: 10_000 },
              api: { requestsPerMinute: 100_000, requestsPerDay: 1_000_000 },
            },
            databricks: { host: workspace.url, token },
          })),
        },
      },
    }));

    afterAll(async () => {
      await workspace?.stop();
    });

    async function newPipeline(org = 'finance') {
      counter += 1;
      // Each organization writes to its own catalog.
      const spec = batchSpec(`t${counter}`);
      spec.target.catalog = `${org}_catalog`;
      const res = await request(ingestion.server)
        .post('/api/ingestion/v1/pipelines')
        .set('Authorization', as(`${org}-admin`))
        .send({ organization: org, name: `matrix-${counter}`, spec });
      expect(res.status).toBe(201);
      return res.body.id as string;
    }

    /** A job of the pipeline in finance's workspace, tagged as the code generator does. */
    async function jobOf(pipelineId: string): Promise<string> {
      const client = new DatabricksClient({ host: workspace.url, token });
      const { jobId } = await client.createOrUpdateJob({
        name: `job-${pipelineId}`,
        tags: { Organization: 'finance', PipelineId: pipelineId },
      });
      return String(jobId);
    }

    async function newRun(org = 'finance') {
      const pipelineId = await newPipeline(org);
      const res = await request(ingestion.server)
        .post(`/api/ingestion/v1/pipelines/${pipelineId}/runs`)
        .set('Authorization', as(`${org}-admin`))
        .send({});
      expect(res.status).toBe(202);
      return res.body.id as string;
    }

    /** Each operation acts on a fresh finance resource and names who may do it there. */
    const operations: Array<{
      name: string;
      allowed: readonly OrgRole[];
      /** What a caller who may not act sees: lists answer empty, single resources 403/404. */
      list?: boolean;
      call(user: string): Promise<request.Response>;
    }> = [
      {
        name: 'list pipelines',
        allowed: ORG_ROLES,
        list: true,
        call: async user => {
          await newPipeline();
          return request(ingestion.server)
            .get('/api/ingestion/v1/pipelines?organization=finance')
            .set('Authorization', as(user));
        },
      },
      {
        name: 'get a pipeline',
        allowed: ORG_ROLES,
        call: async user =>
          request(ingestion.server)
            .get(`/api/ingestion/v1/pipelines/${await newPipeline()}`)
            .set('Authorization', as(user)),
      },
      {
        name: 'read the effective spec of a pipeline',
        allowed: ORG_ROLES,
        call: async user =>
          request(ingestion.server)
            .get(
              `/api/ingestion/v1/pipelines/${await newPipeline()}/effective-spec`,
            )
            .set('Authorization', as(user)),
      },
      {
        name: 'create a pipeline',
        allowed: ['admin', 'engineer'],
        call: async user => {
          counter += 1;
          return request(ingestion.server)
            .post('/api/ingestion/v1/pipelines')
            .set('Authorization', as(user))
            .send({
              organization: 'finance',
              name: `made-${counter}`,
              spec: batchSpec(),
            });
        },
      },
      {
        name: 'update a pipeline',
        allowed: ['admin', 'engineer'],
        call: async user =>
          request(ingestion.server)
            .put(`/api/ingestion/v1/pipelines/${await newPipeline()}`)
            .set('Authorization', as(user))
            .send({ spec: batchSpec('changed'), expectedVersion: 1 }),
      },
      {
        name: 'record a deployment',
        allowed: ['admin', 'engineer'],
        call: async user => {
          const id = await newPipeline();
          return request(ingestion.server)
            .put(`/api/ingestion/v1/pipelines/${id}/deployment`)
            .set('Authorization', as(user))
            .send({ jobId: await jobOf(id) });
        },
      },
      {
        name: 'estimate the cost of a new pipeline',
        allowed: ['admin', 'engineer'],
        call: user =>
          request(ingestion.server)
            .post('/api/ingestion/v1/costs/estimate')
            .set('Authorization', as(user))
            .send({ organization: 'finance', spec: batchSpec() }),
      },
      {
        name: 'delete a pipeline',
        allowed: ['admin', 'engineer'],
        call: async user =>
          request(ingestion.server)
            .delete(`/api/ingestion/v1/pipelines/${await newPipeline()}`)
            .set('Authorization', as(user)),
      },
      {
        name: 'trigger a run',
        allowed: ['admin', 'engineer', 'analyst'],
        call: async user =>
          request(ingestion.server)
            .post(`/api/ingestion/v1/pipelines/${await newPipeline()}/runs`)
            .set('Authorization', as(user))
            .send({}),
      },
      {
        name: 'cancel a run',
        allowed: ['admin', 'engineer', 'analyst'],
        call: async user =>
          request(ingestion.server)
            .post(`/api/ingestion/v1/runs/${await newRun()}/cancel`)
            .set('Authorization', as(user)),
      },
      {
        name: 'read a run and its logs',
        allowed: ORG_ROLES,
        call: async user =>
          request(ingestion.server)
            .get(`/api/ingestion/v1/runs/${await newRun()}/logs`)
            .set('Authorization', as(user)),
      },
      {
        name: 'list runs',
        allowed: ORG_ROLES,
        list: true,
        call: async user => {
          await newRun();
          return request(ingestion.server)
            .get('/api/ingestion/v1/runs?organization=finance')
            .set('Authorization', as(user));
        },
      },
      {
        name: 'read costs',
        allowed: ['admin', 'engineer', 'analyst'],
        call: user =>
          request(ingestion.server)
            .get('/api/ingestion/v1/costs?organization=finance')
            .set('Authorization', as(user)),
      },
      {
        name: 'read the chargeback',
        allowed: ['admin', 'engineer', 'analyst'],
        call: user =>
          request(ingestion.server)
            .get(
              '/api/ingestion/v1/costs/chargeback?organization=finance&month=2026-11',
            )
            .set('Authorization', as(user)),
      },
      {
        name: 'read quotas (infrastructure)',
        allowed: ['admin', 'engineer'],
        call: user =>
          request(ingestion.server)
            .get('/api/ingestion/v1/quotas?organization=finance')
            .set('Authorization', as(user)),
      },
      {
        name: 'create a connection (secrets)',
        allowed: ['admin'],
        call: async user => {
          counter += 1;
          return request(ingestion.server)
            .post('/api/ingestion/v1/connections')
            .set('Authorization', as(user))
            .send({
              organization: 'finance',
              name: `db-${counter}`,
              type: 'postgres',
              host: '127.0.0.1',
              user: 'reader',
              password: 's3cret-matrix',
            });
        },
      },
      {
        name: 'list connections (secrets read)',
        allowed: ['admin', 'engineer'],
        list: true,
        call: async user => {
          counter += 1;
          await request(ingestion.server)
            .post('/api/ingestion/v1/connections')
            .set('Authorization', as('finance-admin'))
            .send({
              organization: 'finance',
              name: `seen-${counter}`,
              type: 'postgres',
              host: '127.0.0.1',
              user: 'reader',
              password: 's3cret-matrix',
            });
          return request(ingestion.server)
            .get('/api/ingestion/v1/connections?organization=finance')
            .set('Authorization', as(user));
        },
      },
    ];

    function expected(
      operation: (typeof operations)[number],
      caller: Caller,
    ): Outcome {
      if (caller.role && operation.allowed.includes(caller.role)) return 'ok';
      if (operation.list) return 'empty';
      return caller.role ? 403 : 404;
    }

    function expectOutcome(res: request.Response, outcome: Outcome) {
      const summary = { status: res.status, body: res.body };
      if (outcome === 'ok') {
        expect(summary.status).toBeGreaterThanOrEqual(200);
        expect(summary.status).toBeLessThan(300);
        if (Array.isArray(res.body?.items)) {
          expect(res.body.items.length).toBeGreaterThan(0);
        }
      } else if (outcome === 'empty') {
        expect(summary).toMatchObject({ status: 200, body: { items: [] } });
      } else {
        expect(summary.status).toBe(outcome);
      }
      expect(JSON.stringify(res.body ?? '')).not.toContain('s3cret-matrix');
    }

    const callers: Array<[string, Caller]> = [
      ...ORG_ROLES.map(
        role =>
          [`finance-${role}`, { user: `finance-${role}`, role }] as [
            string,
            Caller,
          ],
      ),
      ...ORG_ROLES.map(
        role =>
          [`retail-${role} (other org)`, { user: `retail-${role}` }] as [
            string,
            Caller,
          ],
      ),
      ['nobody (no organization)', { user: 'nobody' }],
      [
        'two-orgs (engineer here, viewer in retail)',
        { user: 'two-orgs', role: 'engineer' },
      ],
      ['platform-admin', { user: 'platform-admin', role: 'admin' }],
    ];

    describe.each(operations.map(op => [op.name, op] as const))(
      '%s',
      (_name, operation) => {
        it.each(callers)('as %s', async (_label, caller) => {
          expect.hasAssertions();
          expectOutcome(
            await operation.call(caller.user),
            expected(operation, caller),
          );
        });
      },
    );

    it('applies the two-orgs user’s viewer role in retail', async () => {
      const pipelineId = await newPipeline('retail');
      const read = await request(ingestion.server)
        .get(`/api/ingestion/v1/pipelines/${pipelineId}`)
        .set('Authorization', as('two-orgs'));
      expect(read.status).toBe(200);
      const trigger = await request(ingestion.server)
        .post(`/api/ingestion/v1/pipelines/${pipelineId}/runs`)
        .set('Authorization', as('two-orgs'))
        .send({});
      expect(trigger.status).toBe(403);
    });
  },
);
