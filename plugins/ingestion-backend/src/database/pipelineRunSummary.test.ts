import { TestDatabases } from '@backstage/backend-test-utils';
import type { Knex } from 'knex';
import { DatabaseQualityStore } from './QualityStore';
import { DatabaseRunsStore } from './DatabaseRunsStore';
import { applyDatabaseMigrations, migrationsDir } from './migrations';

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });
const MIGRATION = '20261207090000_pipeline_run_summary.js';
const PIPELINE = '00000000-0000-4000-8000-00000000000a';
const OTHER = '00000000-0000-4000-8000-00000000000b';
const T0 = Date.parse('2026-12-01T00:00:00Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000);

/** The summary rows, comparable across databases (timestamps as epoch ms, flags as booleans). */
async function summaries(knex: Knex) {
  const rows = await knex('pipeline_run_summary').orderBy('pipeline_id');
  const ms = (v: unknown) => (v === null ? null : new Date(v as any).getTime());
  return rows.map(r => ({
    pipeline: r.pipeline_id,
    latestFinished: r.latest_finished_status,
    latestFinishedQueuedAt: ms(r.latest_finished_queued_at),
    lastSucceededQueuedAt: ms(r.last_succeeded_queued_at),
    lastSucceededFinishedAt: ms(r.last_succeeded_finished_at),
    latestCheckedRun: r.latest_checked_run_id,
    latestCheckedAt: ms(r.latest_checked_at),
    breached: Boolean(r.latest_check_breached),
  }));
}

describe.each(databases.eachSupportedId())(
  'pipeline run summaries on %s',
  id => {
    let knex: Knex;

    beforeEach(async () => {
      knex = await databases.init(id);
      await applyDatabaseMigrations(knex);
      for (const pipelineId of [PIPELINE, OTHER]) {
        await knex('pipelines').insert({
          id: pipelineId,
          organization_id: 'finance',
          name: `p-${pipelineId.slice(-1)}`,
          owner: 'group:default/finance',
          pipeline_type: 'batch',
          engine: 'local',
          current_version: 1,
          created_by: 'user:default/x',
          updated_by: 'user:default/x',
          created_at: at(0),
          updated_at: at(0),
        });
      }
    }, 120_000);

    afterEach(async () => {
      await knex.destroy();
    });

    /** Runs `runs` (id, pipeline, queued minute, final status) through the store as an engine would. */
    async function finish(
      runs: Array<[string, string, number, string]>,
      order: string[],
    ) {
      const store = new DatabaseRunsStore(knex);
      for (const [runId, pipelineId, minute] of runs) {
        await store.create({
          id: runId,
          organizationId: 'finance',
          pipelineId,
          pipelineVersion: 1,
          engine: 'local',
          trigger: 'api',
          triggeredBy: 'user:default/x',
          idempotencyToken: `t-${runId}`,
          at: at(minute),
        });
      }
      for (const runId of order) {
        const [, , minute, status] = runs.find(r => r[0] === runId)!;
        await store.transition(
          'finance',
          runId,
          ['queued'],
          status as any,
          { finishedAt: at(minute + 30) },
          status,
        );
      }
    }

    const RUNS: Array<[string, string, number, string]> = [
      ['00000000-0000-4000-8000-000000000001', PIPELINE, 0, 'succeeded'],
      ['00000000-0000-4000-8000-000000000002', PIPELINE, 10, 'failed'],
      ['00000000-0000-4000-8000-000000000003', PIPELINE, 20, 'cancelled'],
      ['00000000-0000-4000-8000-000000000004', OTHER, 5, 'quality_failed'],
    ];

    it('keeps the latest deciding outcome and the latest success, whatever order runs finish in', async () => {
      // The newest run finishes first; the older ones finish later and change nothing newer.
      await finish(RUNS, [RUNS[2][0], RUNS[1][0], RUNS[0][0], RUNS[3][0]]);
      expect(await summaries(knex)).toEqual([
        {
          pipeline: PIPELINE,
          latestFinished: 'failed',
          latestFinishedQueuedAt: at(10).getTime(),
          lastSucceededQueuedAt: at(0).getTime(),
          lastSucceededFinishedAt: at(30).getTime(),
          latestCheckedRun: null,
          latestCheckedAt: null,
          breached: false,
        },
        {
          pipeline: OTHER,
          latestFinished: 'quality_failed',
          latestFinishedQueuedAt: at(5).getTime(),
          lastSucceededQueuedAt: null,
          lastSucceededFinishedAt: null,
          latestCheckedRun: null,
          latestCheckedAt: null,
          breached: false,
        },
      ]);
    });

    it("records each run's quality check, the latest one deciding breached", async () => {
      await finish(RUNS.slice(0, 2), [RUNS[0][0], RUNS[1][0]]);
      const quality = new DatabaseQualityStore(knex);
      const result = (runId: string, ruleIndex: number, passed: boolean) => ({
        organizationId: 'finance',
        runId,
        pipelineId: PIPELINE,
        ruleIndex,
        ruleType: 'completeness',
        columns: ['amount'],
        severity: 'fail' as const,
        passed,
        at: at(runId === RUNS[0][0] ? 25 : 35),
      });
      await quality.add([
        result(RUNS[1][0], 0, true),
        result(RUNS[1][0], 1, false),
      ]);
      // An older run's results arriving later are not the latest check.
      await quality.add([result(RUNS[0][0], 0, true)]);
      expect((await summaries(knex))[0]).toMatchObject({
        latestCheckedRun: RUNS[1][0],
        latestCheckedAt: at(35).getTime(),
        breached: true,
      });
    });

    it('backfills existing runs and results to what the stores keep', async () => {
      await finish(RUNS, [RUNS[0][0], RUNS[1][0], RUNS[2][0], RUNS[3][0]]);
      await new DatabaseQualityStore(knex).add([
        {
          organizationId: 'finance',
          runId: RUNS[3][0],
          pipelineId: OTHER,
          ruleIndex: 0,
          ruleType: 'unique',
          columns: ['id'],
          severity: 'warn',
          passed: false,
          at: at(40),
        },
      ]);
      const kept = await summaries(knex);
      expect(kept).toHaveLength(2);

      await knex.migrate.down({ directory: migrationsDir, name: MIGRATION });
      expect(await knex.schema.hasTable('pipeline_run_summary')).toBe(false);
      await knex.migrate.up({ directory: migrationsDir, name: MIGRATION });
      expect(await summaries(knex)).toEqual(kept);
    });
  },
);
