import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import {
  DatabricksFault,
  DatabricksTestServer,
  deployJob,
  deriveIdempotencyToken,
} from '@ingestion-for-backstage/plugin-ingestion-node';
import type { Knex } from 'knex';
import { DatabasePipelinesStore } from '../../database/DatabasePipelinesStore';
import { DatabaseRunsStore } from '../../database/DatabaseRunsStore';
import { applyDatabaseMigrations } from '../../database/migrations';
import {
  DEFAULT_QUOTAS,
  OrganizationConfig,
} from '../../organizations/organizationConfig';
import { OrganizationDirectory } from '../../organizations/OrganizationDirectory';
import { engineOrganization, RunDriver } from '../../runs/RunDriver';
import type { FinishedRun } from '../../runs/RunResultRecorder';
import { DatabricksBillingReconciler } from './billing';
import { injectFaults } from './__testUtils__/faults';
import { prng } from './__testUtils__/prng';
import { DatabricksEngine } from './DatabricksEngine';
import { pipelineDeployments } from './deployments';

/**
 * The run driver and the Databricks engine against the fake workspace, with a fault on 30% of the HTTP
 * requests (seeded): 429 with Retry-After, 503, dropped connections before and after the request took
 * effect, hangs past the client timeout and slow answers within it. Databricks runs succeed, fail, end in
 * INTERNAL_ERROR or hang for a while. Every ingestion run must end, no run may be submitted twice, and
 * results are recorded once. Runs start as one-off runs (`runs/submit`) or, for a pipeline deployed as a job,
 * as runs of the job (`run-now`). Afterwards billing reports each Databricks run's DBUs, and the billing
 * reconciliation (its statements under the same faults) replaces every estimate exactly once.
 */

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

const TOKEN = 'dapi00112233445566778899aabbccddeeff';
const RUNS = 30;
const FAULT_RATE = 0.3;
const REQUEST_TIMEOUT_MS = 250;
const FINAL = ['succeeded', 'failed', 'quality_failed', 'cancelled'];

const SPEC = {
  pipeline_type: 'batch',
  source: {
    type: 'mysql',
    connection: 'finance-db',
    table: 'transactions',
    incremental_column: 'updated_at',
  },
  transformations: [],
  target: {
    type: 'iceberg',
    catalog: 'finance_catalog',
    schema: 'analytics',
    table: 'daily',
  },
  data_quality: [
    { type: 'completeness', columns: ['id'], threshold: 0.95 },
    { type: 'row_count', min: 1, severity: 'warn' },
  ],
};

function summary(runId: string) {
  return {
    organization: 'finance',
    pipeline_version: '1',
    run_id: runId,
    status: 'succeeded',
    rows_read: 100,
    rows_written: 99,
    quality: [
      {
        rule: 'completeness(id)',
        kind: 'completeness',
        severity: 'fail',
        passed: true,
        total: 100,
        failed: 1,
        pass_rate: 0.99,
        threshold: 0.95,
      },
      {
        rule: 'row_count',
        kind: 'row_count',
        severity: 'warn',
        passed: true,
        total: 99,
        min: 1,
        max: null,
      },
    ],
    watermark: '2026-03-01T00:00:00',
  };
}

type FaultKind =
  | '429'
  | '503-before'
  | '503-after'
  | 'reset-before'
  | 'reset-after'
  | 'hang'
  | 'slow';
const FAULT_KINDS: FaultKind[] = [
  '429',
  '503-before',
  '503-after',
  'reset-before',
  'reset-after',
  'hang',
  'slow',
];

function fault(kind: FaultKind, path: string, method: string): DatabricksFault {
  switch (kind) {
    case '429':
      return {
        path,
        method,
        respond: { status: 429, retryAfter: 1 },
      };
    case '503-before':
      return { path, method, respond: { status: 503 } };
    case '503-after':
      return { path, method, when: 'after', respond: { status: 503 } };
    case 'reset-before':
      return { path, method, respond: 'reset' };
    case 'reset-after':
      return { path, method, when: 'after', respond: 'reset' };
    default:
      return { path, method, respond: 'hang' };
  }
}

type Plan = {
  kind: 'success' | 'failed' | 'internal' | 'hang';
  /** Ticks until it ends. */
  ticks: number;
};

/** 70% succeed, 10% fail in the notebook, 10% end in INTERNAL_ERROR, 10% hang for 8 ticks, then succeed. */
function drawOutcome(r: number): Plan {
  if (r < 0.7) return { kind: 'success', ticks: 2 };
  if (r < 0.8) return { kind: 'failed', ticks: 2 };
  if (r < 0.9) return { kind: 'internal', ticks: 1 };
  return { kind: 'hang', ticks: 8 };
}

const SEED = Number(process.env.FAULT_RATE_SEED ?? 20260301);

describe.each(databases.eachSupportedId())(
  'Databricks runs under a %s fault rate',
  databaseId => {
    let knex: Knex;
    let server: DatabricksTestServer;
    let fetchSpy: jest.SpyInstance;
    const injected = new Map<string, number>();

    beforeEach(async () => {
      knex = await databases.init(databaseId);
      await applyDatabaseMigrations(knex);
      server = await DatabricksTestServer.start({ token: TOKEN });
      injected.clear();
    });

    afterEach(async () => {
      fetchSpy?.mockRestore();
      await server.stop();
      await knex.destroy();
    });

    it.each(['runs/submit', 'run-now'] as const)(
      `loses no run and submits none twice with ${
        FAULT_RATE * 100
      }% of requests failing (%s)`,
      async mode => {
        const random = prng(SEED);
        const org: OrganizationConfig = {
          id: 'finance',
          name: 'Finance',
          costCenter: 'FIN-001',
          environment: 'production',
          ownerGroup: 'group:default/finance',
          roles: { admin: [], engineer: [], analyst: [], viewer: [] },
          quotas: {
            ...DEFAULT_QUOTAS,
            databricks: {
              maxDbuPerHour: 1_000_000,
              maxClusters: 10,
              maxConcurrentJobs: 8,
            },
          },
          engine: 'databricks',
          storage: 's3://finance-data-lake',
          icebergCatalog: 'finance_catalog',
          databricks: {
            host: server.url,
            token: TOKEN,
            notificationEmails: [],
            billingWarehouseId: 'wh-billing',
          },
        };
        let now = new Date('2026-03-01T12:00:00Z');
        const engine = new DatabricksEngine({
          logger: mockServices.logger.mock(),
          client: {
            sleep: async () => {},
            random: () => 0,
            requestTimeoutMs: REQUEST_TIMEOUT_MS,
            retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 30_000 },
          },
          deployments: pipelineDeployments(new DatabasePipelinesStore(knex)),
        });
        const driver = new RunDriver({
          knex,
          directory: new OrganizationDirectory([org]),
          engines: new Map([['databricks', engine]]),
          resolveConnection: async () => ({
            type: 'mysql',
            settings: {},
            password: 'x',
          }),
          logger: mockServices.logger.mock(),
          pricing: { dbu: 0.55, storageGbMonth: 0.023, currency: 'USD' },
          scheduledEngines: [],
          clock: () => now,
        });
        const finished: FinishedRun[] = [];
        driver.onRunFinished(event => {
          finished.push(event);
        });

        const pipeline = await new DatabasePipelinesStore(knex).create({
          id: 'pl-fault-rate',
          organizationId: org.id,
          name: 'fault-rate',
          owner: 'group:default/finance-team',
          pipelineType: 'batch',
          engine: 'databricks',
          spec: SPEC,
          specHash: 'fault-rate',
          createdBy: 'user:default/test',
          at: now,
        });
        let jobId: number | undefined;
        if (mode === 'run-now') {
          // Deployed before the faults start, as the deploy action would have done.
          ({ jobId } = await deployJob(
            engineOrganization(org),
            {
              id: pipeline.id,
              name: pipeline.name,
              owner: pipeline.owner,
              version: 1,
            },
            SPEC as any,
          ));
          await new DatabasePipelinesStore(knex).recordDeployment(
            org.id,
            pipeline.id,
            {
              databricksJobId: String(jobId),
              deployedVersion: 1,
              at: now,
              verifiedAt: now,
            },
          );
        }
        // Every request to the workspace draws a fault: the fault is injected into the test server for exactly
        // that request just before it is sent (the driver sends one request at a time).
        fetchSpy = injectFaults(server, (path, method) => {
          if (random() >= FAULT_RATE) return undefined;
          const kind = FAULT_KINDS[Math.floor(random() * FAULT_KINDS.length)];
          injected.set(kind, (injected.get(kind) ?? 0) + 1);
          return kind === 'slow'
            ? { delayMs: REQUEST_TIMEOUT_MS / 5 }
            : fault(kind, path, method);
        });

        const runsStore = new DatabaseRunsStore(knex);
        const ids: string[] = [];
        for (let i = 0; i < RUNS; i++) {
          const id = `run-${String(i).padStart(2, '0')}`;
          await runsStore.create({
            id,
            organizationId: org.id,
            pipelineId: pipeline.id,
            pipelineVersion: 1,
            engine: 'databricks',
            trigger: 'manual',
            triggeredBy: 'user:default/test',
            idempotencyToken: deriveIdempotencyToken(id),
            watermarkIn: '2026-01-01T00:00:00',
            at: new Date(now.getTime() + i),
          });
          ids.push(id);
        }

        // How each Databricks run ends, drawn from a separate stream so the fault draws do not shift it.
        const outcomes = prng(SEED ^ 0x5eed);
        const plans = new Map<number, Plan>();
        const advanceWorkspace = () => {
          for (const run of server.runs()) {
            if (
              !['PENDING', 'QUEUED', 'RUNNING'].includes(run.lifeCycleState)
            ) {
              continue;
            }
            let plan = plans.get(run.runId);
            if (!plan) {
              plan = drawOutcome(outcomes());
              plans.set(run.runId, plan);
            }
            plan.ticks -= 1;
            if (run.lifeCycleState !== 'RUNNING' && plan.kind !== 'internal') {
              server.startRun(run.runId);
              continue;
            }
            if (plan.ticks > 0) continue;
            const ingestionRunId = run.tasks[0].baseParameters.run_id;
            const durations = { setupMs: 60_000, executionMs: 240_000 };
            if (plan.kind === 'internal') {
              server.failRunInternally(run.runId);
            } else if (plan.kind === 'failed') {
              server.finishRun(run.runId, {
                resultState: 'FAILED',
                error: 'ValueError: bad input',
                durations,
              });
            } else {
              server.finishRun(run.runId, {
                notebookResult: summary(ingestionRunId),
                durations,
              });
            }
          }
        };

        const rows = () =>
          knex('runs').whereIn('id', ids).orderBy('id') as Promise<any[]>;
        let ticks = 0;
        for (; ticks < 400; ticks++) {
          const current = await rows();
          if (current.every(r => FINAL.includes(r.status))) break;
          await driver.tick();
          advanceWorkspace();
          now = new Date(now.getTime() + 5 * 60_000); // past any retry back-off
        }
        const final = await rows();
        const databricksRuns = server.runs();
        const diagnostics = {
          seed: SEED,
          ticks,
          injected: Object.fromEntries(injected),
          requests: server.requests.length,
          neverSubmitted: final
            .filter(r => !r.engine_run_id)
            .map(r => `${r.id}: ${r.status} after ${r.attempt} attempts`),
          statuses: final.reduce<Record<string, number>>((acc, r) => {
            acc[r.status] = (acc[r.status] ?? 0) + 1;
            return acc;
          }, {}),
        };
        // eslint-disable-next-line no-console
        console.log(`fault-rate run (${mode}): ${JSON.stringify(diagnostics)}`);

        // Every Databricks run is of the kind the mode starts.
        expect(
          databricksRuns.filter(r =>
            mode === 'run-now'
              ? r.runType !== 'JOB_RUN' || r.jobId !== jobId
              : r.runType !== 'SUBMIT_RUN',
          ),
        ).toEqual([]);

        // Faults really happened, of every kind.
        expect(new Set(injected.keys())).toEqual(new Set(FAULT_KINDS));

        // No run is lost: every one reached a final state.
        expect(
          final.filter(r => !FINAL.includes(r.status)).map(r => r.id),
        ).toEqual([]);

        // No duplicate submission: one Databricks run per idempotency token, every token an attempt of an
        // ingestion run (attempts after the first derive their own), and no more Databricks runs per
        // ingestion run than it had attempts.
        const byToken = new Map<string, number[]>();
        const byIngestionRun = new Map<string, number[]>();
        for (const run of databricksRuns) {
          const token = run.idempotencyToken!;
          byToken.set(token, [...(byToken.get(token) ?? []), run.runId]);
          const ingestionRunId = run.tasks[0].baseParameters.run_id;
          byIngestionRun.set(ingestionRunId, [
            ...(byIngestionRun.get(ingestionRunId) ?? []),
            run.runId,
          ]);
        }
        expect([...byToken.values()].filter(list => list.length > 1)).toEqual(
          [],
        );
        const tokens = new Set(
          final.flatMap(r => [
            r.idempotency_token,
            ...Array.from({ length: Math.max(0, r.attempt - 1) }, (_, i) =>
              deriveIdempotencyToken(`${r.idempotency_token}#${i + 2}`),
            ),
          ]),
        );
        expect([...byToken.keys()].filter(t => !tokens.has(t))).toEqual([]);
        const attemptsOf = new Map(
          final.map(r => [r.id, Math.max(1, r.attempt)]),
        );
        expect(
          [...byIngestionRun.entries()].filter(
            ([id, list]) => list.length > (attemptsOf.get(id) ?? 1),
          ),
        ).toEqual([]);

        // Every Databricks run is the one its ingestion run tracks, and none is left running behind a final
        // ingestion run (an orphan would keep a cluster busy with nobody watching).
        const mismatches: string[] = [];
        for (const row of final) {
          const submitted = byIngestionRun.get(row.id) ?? [];
          if (submitted.length === 0) {
            // Never reached the workspace: only acceptable when every submit attempt failed.
            if (
              row.status !== 'failed' ||
              !/Could not submit the run/.test(row.error_message)
            ) {
              mismatches.push(
                `${row.id}: ${row.status} without a Databricks run`,
              );
            }
            continue;
          }
          for (const earlier of submitted.slice(0, -1)) {
            const state = server.run(earlier)!.lifeCycleState;
            if (!['TERMINATED', 'INTERNAL_ERROR'].includes(state)) {
              mismatches.push(
                `${row.id}: an earlier attempt's run is ${state}`,
              );
            }
          }
          // The run's outcome is its last attempt's.
          const run = server.run(submitted[submitted.length - 1])!;
          if (row.engine_run_id !== String(run.runId)) {
            mismatches.push(
              `${row.id}: tracks ${row.engine_run_id}, Databricks ran ${run.runId}`,
            );
          }
          if (!['TERMINATED', 'INTERNAL_ERROR'].includes(run.lifeCycleState)) {
            mismatches.push(
              `${row.id}: ${row.status} while Databricks run ${run.runId} is ${run.lifeCycleState}`,
            );
          }
          const expected =
            run.lifeCycleState === 'TERMINATED' && run.resultState === 'SUCCESS'
              ? 'succeeded'
              : 'failed';
          if (row.status !== expected) {
            mismatches.push(
              `${row.id}: ${row.status}, Databricks run ${run.runId} ended ${run.lifeCycleState} ${run.resultState}`,
            );
          }
        }
        expect(mismatches).toEqual([]);

        // Results are recorded once: one listener call per run, and each succeeded run has its two quality
        // results and one compute cost record.
        const notified = finished.map(f => f.run.id).sort();
        expect(notified).toEqual([...new Set(notified)]);
        expect(notified).toEqual(final.map(r => r.id));
        const succeeded = final.filter(r => r.status === 'succeeded');
        expect(succeeded.length).toBeGreaterThan(0);
        for (const row of succeeded) {
          expect(Number(row.rows_written)).toBe(99);
          const quality = await knex('quality_results').where({
            run_id: row.id,
          });
          expect({ id: row.id, quality: quality.length }).toEqual({
            id: row.id,
            quality: 2,
          });
          const compute = await knex('cost_records').where({
            run_id: row.id,
            service_type: 'compute',
          });
          expect({ id: row.id, compute: compute.length }).toEqual({
            id: row.id,
            compute: 1,
          });
        }

        // Billing catches up: every Databricks run has DBU records. The reconciliation, its statements failing
        // like every other request, replaces each tracked run's estimate with the billed figure, once.
        for (const run of databricksRuns) {
          server.addBillingUsage(
            { jobRunId: run.runId, dbus: 0.25 * ((run.runId % 7) + 1) },
            { jobRunId: run.runId, dbus: 0.5 },
          );
        }
        const reconciler = new DatabricksBillingReconciler({
          knex,
          logger: mockServices.logger.mock(),
          organizations: () => [engineOrganization(org)],
          source: engine,
          pricing: { dbu: 0.55, currency: 'USD' },
          lookbackDays: 30,
          firstCheckAfterMinutes: 0,
          now: () => now,
        });
        const tracked = final.filter(r => r.engine_run_id);
        let errors = 0;
        for (let pass = 0; pass < 50; pass++) {
          const billed = await knex('databricks_billing').whereNotNull(
            'billed_at',
          );
          if (billed.length === tracked.length) break;
          errors += (await reconciler.reconcile()).errors;
          now = new Date(now.getTime() + 60_000);
        }
        fetchSpy.mockRestore();
        expect(errors).toBeGreaterThan(0);
        const billedDbus = (engineRunId: string) =>
          0.25 * ((Number(engineRunId) % 7) + 1) + 0.5;
        const problems: string[] = [];
        for (const row of tracked) {
          const after = await knex('runs').where({ id: row.id }).first();
          const compute = await knex('cost_records').where({
            run_id: row.id,
            service_type: 'compute',
          });
          const expected = billedDbus(row.engine_run_id);
          if (Number(after.dbus) !== expected) {
            problems.push(`${row.id}: ${after.dbus} DBUs, billed ${expected}`);
          }
          if (
            compute.length !== 1 ||
            Number(compute[0].quantity) !== expected ||
            Math.abs(Number(compute[0].amount) - expected * 0.55) > 1e-9
          ) {
            problems.push(
              `${row.id}: compute records ${JSON.stringify(compute)}`,
            );
          }
        }
        expect(problems).toEqual([]);
      },
    );
  },
);
