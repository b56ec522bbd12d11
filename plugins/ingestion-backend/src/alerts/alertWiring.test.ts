import { createServiceFactory } from '@backstage/backend-plugin-api';
import { TestDatabases } from '@backstage/backend-test-utils';
import { notificationService } from '@backstage/plugin-notifications-node';
import { signalsServiceRef } from '@backstage/plugin-signals-node';
import request from 'supertest';
import { DEFAULT_QUOTAS } from '../organizations/organizationConfig';
import { TEST_CONFIG, TEST_ORGANIZATIONS } from '../__testUtils__/demoTenants';
import {
  as,
  startIngestionTestBackend,
} from '../__testUtils__/startIngestionTestBackend';

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

const FINANCE_MEMBERS = [
  'group:default/finance-admins',
  'group:default/finance-engineers',
  'group:default/finance-analysts',
  'group:default/finance-viewers',
];

describe('alerts and signals in the plugin', () => {
  const sent: any[] = [];
  const signalled: any[] = [];
  let server: Awaited<ReturnType<typeof startIngestionTestBackend>>['server'];

  beforeAll(async () => {
    const knex = await databases.init('SQLITE_3');
    const [finance, ...others] = TEST_ORGANIZATIONS;
    ({ server } = await startIngestionTestBackend({
      knex,
      config: {
        ingestion: {
          ...TEST_CONFIG.ingestion,
          // One run may wait in finance's queue: the second trigger is refused.
          organizations: [
            {
              ...finance,
              quotas: {
                ...DEFAULT_QUOTAS,
                databricks: {
                  ...DEFAULT_QUOTAS.databricks,
                  maxConcurrentJobs: 1,
                },
              },
            },
            ...others,
          ],
          runDriver: { enabled: false },
          alerts: { freshness: { enabled: false } },
        },
      },
      features: [
        createServiceFactory({
          service: notificationService,
          deps: {},
          factory: () => ({ send: async (n: unknown) => void sent.push(n) }),
        }),
        createServiceFactory({
          service: signalsServiceRef,
          deps: {},
          factory: () => ({
            publish: async (s: unknown) => void signalled.push(s),
          }),
        }),
      ],
    }));
  }, 120_000);

  it("signals run status to the organization's members and alerts the owner of a refused run once", async () => {
    const created = await request(server)
      .post('/api/ingestion/v1/pipelines')
      .set('Authorization', as('finance-engineer'))
      .send({
        organization: 'finance',
        name: 'wired',
        spec: {
          pipeline_type: 'batch',
          source: { type: 'file', path: 'in.csv', format: 'csv' },
          target: {
            type: 'iceberg',
            catalog: 'finance_catalog',
            schema: 'raw',
            table: 'wired',
          },
        },
      });
    expect(created.status).toBe(201);
    const pipelineId = created.body.id;
    const trigger = () =>
      request(server)
        .post(`/api/ingestion/v1/pipelines/${pipelineId}/runs`)
        .set('Authorization', as('finance-engineer'))
        .send({});

    const queued = await trigger();
    expect(queued.status).toBe(202);
    expect(signalled).toEqual(
      ['ingestion:runs:finance', `ingestion:pipeline-runs:${pipelineId}`].map(
        channel => ({
          recipients: { type: 'user', entityRef: FINANCE_MEMBERS },
          channel,
          message: {
            runId: queued.body.id,
            pipelineId,
            organization: 'finance',
            status: 'queued',
          },
        }),
      ),
    );
    expect(sent).toEqual([]);

    expect((await trigger()).status).toBe(429);
    expect((await trigger()).status).toBe(429);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      recipients: { type: 'entity', entityRef: [created.body.owner] },
      payload: {
        title: 'wired: run refused (quota reached)',
        severity: 'high',
        topic: 'ingestion-run-refused',
        link: `/ingestion/pipelines/${pipelineId}?tab=runs`,
      },
    });

    const cancelled = await request(server)
      .post(`/api/ingestion/v1/runs/${queued.body.id}/cancel`)
      .set('Authorization', as('finance-engineer'))
      .send({});
    expect(cancelled.status).toBe(200);
    expect(signalled.slice(2).map(s => s.message.status)).toEqual([
      'cancelled',
      'cancelled',
    ]);
  }, 60_000);
});
