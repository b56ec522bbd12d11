import type { RunStatus } from '@ingestion-for-backstage/plugin-ingestion-common';
import type { Knex } from 'knex';
import {
  toOptionalIso,
  toOptionalNumber,
  toOptionalString,
} from '../database/rows';

/**
 * The run driver's queries: what the run store's domain objects leave out (idempotency token,
 * next attempt time), across organizations, for the driver only. Writes go through the stores.
 */

/** A run as the driver needs it. */
export interface DriverRun {
  id: string;
  organizationId: string;
  pipelineId: string;
  pipelineVersion: number;
  engine: string;
  status: RunStatus;
  attempt: number;
  idempotencyToken: string;
  engineRunId?: string;
  watermarkIn?: string;
  queuedAt: string;
  submittedAt?: string;
  startedAt?: string;
}

/** A pipeline as the driver needs it. */
export interface DriverPipeline {
  id: string;
  organizationId: string;
  name: string;
  owner: string;
  engine: string;
  pipelineType: string;
  schedule?: string;
  scheduleTimezone?: string;
  currentVersion: number;
  updatedAt: string;
}

type Timestamp = Date | number | string;

function toRun(row: any): DriverRun {
  return {
    id: row.id,
    organizationId: row.organization_id,
    pipelineId: row.pipeline_id,
    pipelineVersion: Number(row.pipeline_version),
    engine: row.engine,
    status: row.status,
    attempt: Number(row.attempt),
    idempotencyToken: row.idempotency_token,
    engineRunId: toOptionalString(row.engine_run_id),
    watermarkIn: toOptionalString(row.watermark_in),
    queuedAt: toOptionalIso(row.queued_at as Timestamp)!,
    submittedAt: toOptionalIso(row.submitted_at),
    startedAt: toOptionalIso(row.started_at),
  };
}

function toPipeline(row: any): DriverPipeline {
  return {
    id: row.id,
    organizationId: row.organization_id,
    name: row.name,
    owner: row.owner,
    engine: row.engine,
    pipelineType: row.pipeline_type,
    schedule: toOptionalString(row.schedule),
    scheduleTimezone: toOptionalString(row.schedule_timezone),
    currentVersion: Number(toOptionalNumber(row.current_version)),
    updatedAt: toOptionalIso(row.updated_at as Timestamp)!,
  };
}

const RUN_COLUMNS = [
  'id',
  'organization_id',
  'pipeline_id',
  'pipeline_version',
  'engine',
  'status',
  'attempt',
  'idempotency_token',
  'engine_run_id',
  'watermark_in',
  'queued_at',
  'submitted_at',
  'started_at',
];

export class DriverStore {
  constructor(private readonly knex: Knex) {}

  /** Queued runs of an organization that may start now, oldest first. */
  async startableRuns(
    organizationId: string,
    now: Date,
    limit: number,
  ): Promise<DriverRun[]> {
    const rows = await this.knex('runs')
      .select(RUN_COLUMNS)
      .where({ organization_id: organizationId, status: 'queued' })
      .where(q =>
        q.whereNull('next_attempt_at').orWhere('next_attempt_at', '<=', now),
      )
      .orderBy([
        { column: 'queued_at', order: 'asc' },
        { column: 'id', order: 'asc' },
      ])
      .limit(limit);
    return rows.map(toRun);
  }

  /** Runs in the given states across organizations, oldest first. */
  async runsIn(
    statuses: readonly RunStatus[],
    limit: number,
  ): Promise<DriverRun[]> {
    const rows = await this.knex('runs')
      .select(RUN_COLUMNS)
      .whereIn('status', statuses)
      .orderBy([
        { column: 'queued_at', order: 'asc' },
        { column: 'id', order: 'asc' },
      ])
      .limit(limit);
    return rows.map(toRun);
  }

  /** Runs cancelled through the API since `since` that an engine may still be running. */
  async cancelledSince(since: Date, limit: number): Promise<DriverRun[]> {
    const rows = await this.knex('runs')
      .select(RUN_COLUMNS)
      .where('status', 'cancelled')
      .whereNotNull('engine_run_id')
      .where('finished_at', '>=', since)
      .orderBy('finished_at', 'asc')
      .limit(limit);
    return rows.map(toRun);
  }

  async run(organizationId: string, id: string) {
    const row = await this.knex('runs')
      .select(RUN_COLUMNS)
      .where({ organization_id: organizationId, id })
      .first();
    return row ? toRun(row) : undefined;
  }

  async pipeline(
    organizationId: string,
    id: string,
  ): Promise<DriverPipeline | undefined> {
    const row = await this.knex('pipelines')
      .where({ organization_id: organizationId, id })
      .first();
    return row ? toPipeline(row) : undefined;
  }

  /**
   * An organization's pipelines whose schedule is due for a look (`next_run_at` reached), read
   * through the (organization_id, next_run_at) index: pipelines without a schedule, or whose next
   * fire time is ahead, are not read at all.
   */
  async duePipelines(
    organizationId: string,
    now: Date,
    limit: number,
  ): Promise<DriverPipeline[]> {
    const rows = await this.knex('pipelines')
      .where('organization_id', organizationId)
      .where('next_run_at', '<=', now)
      .orderBy([
        { column: 'next_run_at', order: 'asc' },
        { column: 'id', order: 'asc' },
      ])
      .limit(limit);
    return rows.map(toPipeline);
  }

  /**
   * Moves a pipeline's next look to `nextRunAt` (null: never, until the pipeline is saved again).
   * A compare-and-set on the version the driver read: a save in between (which asks for a look
   * now) wins over the driver's stale answer.
   */
  async setNextRunAt(
    pipeline: DriverPipeline,
    nextRunAt: Date | null,
  ): Promise<void> {
    await this.knex('pipelines')
      .where({
        organization_id: pipeline.organizationId,
        id: pipeline.id,
        current_version: pipeline.currentVersion,
      })
      .update({ next_run_at: nextRunAt });
  }

  async runExists(id: string): Promise<boolean> {
    return Boolean(await this.knex('runs').where({ id }).first('id'));
  }
}
