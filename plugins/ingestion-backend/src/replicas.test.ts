import { DefaultSchedulerService } from '@backstage/backend-defaults/scheduler';
import {
  coreServices,
  createServiceFactory,
  type SchedulerService,
} from '@backstage/backend-plugin-api';
import { metricsServiceRef } from '@backstage/backend-plugin-api/alpha';
import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import { notificationService } from '@backstage/plugin-notifications-node';
import type { Knex } from 'knex';
import { promises as fs } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { monthOf } from './costs/dates';
import { costRecordRow } from './database/CostsStore';
import {
  createTestCaches,
  testCacheConfig,
} from './ratelimit/__testUtils__/testCaches';
import { RUN_DRIVER_TASK_ID } from './runs';
import { scheduledRunId } from './runs/schedules';
import { TEST_CONFIG, TEST_ORGANIZATIONS } from './__testUtils__/demoTenants';
import { batchSpec } from './__testUtils__/specs';
import {
  as,
  startIngestionTestBackend,
} from './__testUtils__/startIngestionTestBackend';

/**
 * Two backend replicas behind one address, as a portal scales the plugin out: both on one
 * PostgreSQL database, both with a cache on one Redis, each with the real scheduler (whose
 * distributed lock lives in that database), the real permission backend and the ingestion
 * policy. A round-robin proxy in front sends each request to the next replica, so consecutive
 * requests are served by different replicas (the proxy names the replica in `x-test-replica`).
 * This machine cannot show the throughput of two replicas; this test shows they are correct.
 */

jest.setTimeout(300_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15'] });
const caches = createTestCaches();
const supported =
  databases.supports('POSTGRES_15') && caches.supports('REDIS_7');

/** Healthcare's API quota per minute in this test: low, so a burst uses it up. */
const LIMIT = 10;
/** What other replicas may admit in overlapping rounds (README, "How counts are shared"). */
const ALLOWANCE = 2 * Math.max(1, Math.ceil(LIMIT / 100));

const catalogService = mockCredentials.service.header({
  onBehalfOf: mockCredentials.service('plugin:catalog'),
  targetPluginId: 'ingestion',
});

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

/** Polls `probe` until it returns a value (not undefined), at most `timeoutMs`. */
async function eventually<T>(
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await sleep(500);
  }
}

/**
 * The real scheduler (`schedulerServiceFactory`'s), which also counts how often each task ran on
 * this replica: `ticks[task id]`.
 */
function countingScheduler(ticks: Record<string, number>) {
  return createServiceFactory({
    service: coreServices.scheduler,
    deps: {
      database: coreServices.database,
      logger: coreServices.logger,
      rootLifecycle: coreServices.rootLifecycle,
      httpRouter: coreServices.httpRouter,
      pluginMetadata: coreServices.pluginMetadata,
      metrics: metricsServiceRef,
    },
    factory(deps): SchedulerService {
      const scheduler = DefaultSchedulerService.create(deps);
      return {
        scheduleTask: task =>
          scheduler.scheduleTask({
            ...task,
            fn: async signal => {
              ticks[task.id] = (ticks[task.id] ?? 0) + 1;
              await task.fn(signal);
            },
          }),
        createScheduledTaskRunner: schedule =>
          scheduler.createScheduledTaskRunner(schedule),
        triggerTask: id => scheduler.triggerTask(id),
        getScheduledTasks: () => scheduler.getScheduledTasks(),
        cancelTask: id => scheduler.cancelTask(id),
      } as SchedulerService;
    },
  });
}

/** A round-robin HTTP proxy: each request goes to the next target, named in `x-test-replica`. */
async function startRoundRobinProxy(targets: AddressInfo[]) {
  let next = 0;
  const server = http.createServer((req, res) => {
    const index = next++ % targets.length;
    const upstream = http.request(
      {
        host: '127.0.0.1',
        port: targets[index].port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      answer => {
        res.writeHead(answer.statusCode ?? 502, {
          ...answer.headers,
          'x-test-replica': String(index),
        });
        answer.pipe(res);
      },
    );
    upstream.on('error', error => {
      res.writeHead(502, { 'x-test-replica': String(index) });
      res.end(String(error));
    });
    req.pipe(upstream);
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>(resolve => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

(supported ? describe : describe.skip)(
  'two backend replicas behind one address (PostgreSQL, Redis)',
  () => {
    const sent: any[] = [];
    /** Per replica, how often each scheduled task ran there. */
    const ticks: Array<Record<string, number>> = [{}, {}];
    const backends: Array<
      Awaited<ReturnType<typeof startIngestionTestBackend>>
    > = [];
    let proxy: Awaited<ReturnType<typeof startRoundRobinProxy>>;
    let knex: Knex;
    let root: string;

    beforeAll(async () => {
      knex = await databases.init('POSTGRES_15');
      root = await fs.mkdtemp(join(tmpdir(), 'ingestion-replicas-'));
      // One Redis namespace for both replicas, as one `backend.cache` config would give them.
      const cacheConfig = await testCacheConfig(caches, 'REDIS_7');
      const config = {
        ...cacheConfig,
        ingestion: {
          ...TEST_CONFIG.ingestion,
          organizations: TEST_ORGANIZATIONS.map(org => ({
            ...org,
            storage: join(root, org.id),
            ...(org.id === 'healthcare'
              ? { quotas: { api: { requestsPerMinute: LIMIT } } }
              : {}),
          })),
          // Every tick of the driver may be on either replica; a failed run is not retried.
          runDriver: { frequencySeconds: 1, maxAttempts: 1 },
          alerts: { freshness: { enabled: false } },
          // A spent budget refuses runs, which alerts the pipeline's owner once an hour.
          costs: { blockRunsAtBudget: true },
        },
      };
      // One notifications service for both replicas: what the portal's users would receive.
      const notifications = createServiceFactory({
        service: notificationService,
        deps: {},
        factory: () => ({ send: async (n: unknown) => void sent.push(n) }),
      });
      // One after the other: the second finds the migrations done.
      for (let i = 0; i < 2; i++) {
        backends.push(
          await startIngestionTestBackend({
            knex,
            config,
            features: [countingScheduler(ticks[i]), notifications],
          }),
        );
      }
      proxy = await startRoundRobinProxy(
        backends.map(backend => backend.server.address() as AddressInfo),
      );
    }, 240_000);

    afterAll(async () => {
      await proxy?.close();
      for (const backend of backends) {
        await backend.stop();
      }
      if (root) await fs.rm(root, { recursive: true, force: true });
    }, 120_000);

    const api = () => request(proxy.url);

    async function createPipeline(name: string, spec: object) {
      const res = await api()
        .post('/api/ingestion/v1/pipelines')
        .set('Authorization', as('finance-engineer'))
        .send({ organization: 'finance', name, spec });
      expect(res.status).toBe(201);
      return res;
    }

    it('agree on reads: what one replica writes the other lists, and wakes its long poll', async () => {
      const created = await createPipeline('replicated', batchSpec());
      const listed = await api()
        .get('/api/ingestion/v1/pipelines?organization=finance')
        .set('Authorization', as('finance-viewer'));
      expect(listed.status).toBe(200);
      expect(listed.headers['x-test-replica']).not.toBe(
        created.headers['x-test-replica'],
      );
      expect(listed.body.items.map((p: { id: string }) => p.id)).toContain(
        created.body.id,
      );

      // The catalog's long poll waits on one replica; the change is made through the other.
      const since = Date.now() + 1;
      const started = Date.now();
      const polled = api()
        .get(`/api/ingestion/v1/catalog/changes?since=${since}&wait=20`)
        .set('Authorization', catalogService)
        .then(res => res);
      await sleep(1_500);
      const changed = await createPipeline('replicated-later', batchSpec());
      const answer = await polled;
      const elapsed = Date.now() - started;
      expect(answer.status).toBe(200);
      expect(answer.headers['x-test-replica']).not.toBe(
        changed.headers['x-test-replica'],
      );
      expect(answer.body.pipelines.map((p: { id: string }) => p.id)).toContain(
        changed.body.id,
      );
      expect(elapsed).toBeGreaterThanOrEqual(1_500);
      expect(elapsed).toBeLessThan(15_000);
    });

    it("share one count of an organization's API requests", async () => {
      // The burst and the refusal after it fall in one minute window.
      const second = new Date().getUTCSeconds();
      if (second > 40) await sleep((61 - second) * 1000);

      const get = (organization: string) =>
        api()
          .get(`/api/ingestion/v1/pipelines?organization=${organization}`)
          .set('Authorization', as(`${organization}-viewer`));
      // A burst three times the limit, spread over both replicas at once.
      const burst = await Promise.all(
        Array.from({ length: 3 * LIMIT }, () => get('healthcare')),
      );
      const replicas = new Set(burst.map(res => res.headers['x-test-replica']));
      expect(replicas).toEqual(new Set(['0', '1']));
      const statuses = burst.map(res => res.status);
      expect(statuses.filter(s => s !== 200 && s !== 429)).toEqual([]);
      const admitted = statuses.filter(s => s === 200).length;
      // Counted apart, each replica would admit LIMIT (2 × LIMIT in all).
      expect(admitted).toBeGreaterThanOrEqual(LIMIT);
      expect(admitted).toBeLessThanOrEqual(LIMIT + ALLOWANCE);

      // Sequential requests after it are refused by both replicas, as the brief words it.
      const refused = [await get('healthcare'), await get('healthcare')];
      expect(
        new Set(refused.map(res => res.headers['x-test-replica'])),
      ).toEqual(new Set(['0', '1']));
      for (const res of refused) {
        expect(res.status).toBe(429);
        const retryAfter = Number(res.headers['retry-after']);
        expect(retryAfter).toBeGreaterThanOrEqual(1);
        expect(retryAfter).toBeLessThanOrEqual(60);
        expect(res.headers['x-ratelimit-limit']).toBe(String(LIMIT));
        expect(res.headers['x-ratelimit-remaining']).toBe('0');
        expect(res.body.error).toMatchObject({
          name: 'RateLimitExceededError',
          organization: 'healthcare',
          quota: 'quotas.api.requestsPerMinute',
          window: 'minute',
          limit: LIMIT,
          retryAfterSeconds: retryAfter,
        });
        expect(res.body.error.message).toBe(
          `Organization 'healthcare' has used its API quota of ${LIMIT} requests per minute (quotas.api.requestsPerMinute); retry in ${retryAfter} seconds`,
        );
        expect(res.body.response).toEqual({ statusCode: 429 });
      }

      // Another organization is not affected, on either replica.
      const retail = [await get('retail'), await get('retail')];
      expect(retail.map(res => res.status)).toEqual([200, 200]);
    });

    it('run a due schedule once and alert its failure once', async () => {
      // A schedule that fires once in the test: at the first whole minute at least 20 s away.
      const fire = new Date(Math.ceil((Date.now() + 20_000) / 60_000) * 60_000);
      const created = await createPipeline('scheduled', {
        pipeline_type: 'batch',
        schedule: `${fire.getUTCMinutes()} ${fire.getUTCHours()} * * *`,
        // Nothing there: the run fails, which alerts the pipeline's owner.
        source: { type: 'file', path: 'missing/orders.csv', format: 'csv' },
        target: {
          type: 'iceberg',
          catalog: 'finance_catalog',
          schema: 'raw',
          table: 'scheduled',
        },
      });
      const pipelineId: string = created.body.id;
      expect(Date.now()).toBeLessThan(fire.getTime());
      const driverTicks = () => ticks.map(t => t[RUN_DRIVER_TASK_ID] ?? 0);
      const before = driverTicks();

      const runsOf = () =>
        knex('runs').where({ pipeline_id: pipelineId }).select('id', 'status');
      const failed = await eventually(
        async () => {
          const runs = await runsOf();
          return runs.some(run => run.status === 'failed') ? runs : undefined;
        },
        fire.getTime() - Date.now() + 90_000,
        `the scheduled run of ${pipelineId} to fail`,
      );
      // Several more ticks of both replicas' drivers: nothing more may happen.
      await sleep(8_000);
      const runs = await runsOf();
      expect(runs).toEqual(failed);
      // Both replicas' run drivers ticked in the window (the scheduler's lock: one at a time).
      const after = driverTicks();
      expect(after[0]).toBeGreaterThan(before[0]);
      expect(after[1]).toBeGreaterThan(before[1]);
      expect(runs).toEqual([
        { id: scheduledRunId(pipelineId, fire), status: 'failed' },
      ]);

      const alerts = sent.filter(
        n =>
          n.payload.topic === 'ingestion-run-failed' &&
          n.payload.link === `/ingestion/pipelines/${pipelineId}?tab=runs`,
      );
      expect(alerts).toHaveLength(1);
      expect(alerts[0]).toMatchObject({
        recipients: { type: 'entity', entityRef: [created.body.owner] },
        payload: { severity: 'critical', scope: `run-failed:${runs[0].id}` },
      });
      expect(
        await knex('alert_ledger')
          .where('alert_key', 'like', `%${runs[0].id}%`)
          .select('alert_key'),
      ).toEqual([{ alert_key: `run-failed:${runs[0].id}` }]);
    });

    it("alert a refusal repeated on both replicas once (the alert ledger's claim)", async () => {
      // The refusals fall in one hour (the alert is once per pipeline and hour).
      const now = new Date();
      if (now.getUTCMinutes() === 59 && now.getUTCSeconds() > 40) {
        await sleep((61 - now.getUTCSeconds()) * 1000);
      }
      const created = await api()
        .post('/api/ingestion/v1/pipelines')
        .set('Authorization', as('retail-engineer'))
        .send({
          organization: 'retail',
          name: 'over-budget',
          spec: {
            ...batchSpec(),
            target: { ...batchSpec().target, catalog: 'retail_catalog' },
          },
        });
      expect(created.status).toBe(201);
      const pipelineId: string = created.body.id;
      // Retail's configured budget (2000 a month) is spent.
      const at = new Date();
      await knex('cost_records').insert(
        costRecordRow({
          organizationId: 'retail',
          costCenter: 'RET-001',
          environment: 'development',
          serviceType: 'compute',
          quantity: 2000,
          unit: 'DBU',
          amount: 2000,
          currency: 'USD',
          period: monthOf(at),
          at,
        }),
      );

      const refused = [];
      for (let i = 0; i < 4; i++) {
        refused.push(
          await api()
            .post(`/api/ingestion/v1/pipelines/${pipelineId}/runs`)
            .set('Authorization', as('retail-engineer'))
            .send({}),
        );
      }
      expect(
        new Set(refused.map(res => res.headers['x-test-replica'])),
      ).toEqual(new Set(['0', '1']));
      for (const res of refused) {
        expect(res.status).toBe(409);
        expect(res.body.error.message).toMatch(
          /^Budget exhausted: the monthly budget of organization 'retail' is 2000\.00 USD/,
        );
      }

      // Each refusal raised the alert on its replica before answering; the ledger let one send it.
      const alerts = sent.filter(
        n =>
          n.payload.topic === 'ingestion-run-refused' &&
          n.payload.link === `/ingestion/pipelines/${pipelineId}?tab=runs`,
      );
      expect(alerts).toHaveLength(1);
      expect(alerts[0]).toMatchObject({
        recipients: { type: 'entity', entityRef: [created.body.owner] },
        payload: {
          title: 'over-budget: run refused (budget spent)',
          severity: 'high',
        },
      });
      expect(
        await knex('alert_ledger')
          .where({ pipeline_id: pipelineId })
          .select('kind'),
      ).toEqual([{ kind: 'run-refused' }]);
      expect(await knex('runs').where({ pipeline_id: pipelineId })).toEqual([]);
    });
  },
);
