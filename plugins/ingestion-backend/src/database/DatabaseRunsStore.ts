import type {
  Run,
  RunEvent,
  RunStatus,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import type { Knex } from 'knex';
import { recordFinishedRun } from './pipelineRunSummary';
import { applyAccessFilter, type AccessFilter } from './conditions';
import { openKeyset } from './keyset';
import type { NewRun, RunListQuery, RunProgress, RunsStore } from './RunsStore';
import {
  TIMESTAMPS_AS_ISO,
  toEpochMs,
  toIso,
  toOptionalIso,
  toOptionalNumber,
  toOptionalString,
} from './rows';

type Timestamp = Date | number | string;

type RunRow = {
  id: string;
  organization_id: string;
  pipeline_id: string;
  pipeline_version: number;
  engine: string;
  status: RunStatus;
  trigger: Run['trigger'];
  triggered_by: string;
  queued_at: Timestamp;
  submitted_at: Timestamp | null;
  started_at: Timestamp | null;
  finished_at: Timestamp | null;
  rows_read: number | string | null;
  rows_written: number | string | null;
  bytes_written: number | string | null;
  duration_ms: number | string | null;
  dbus: number | null;
  cost: number | null;
  engine_run_id: string | null;
  attempt: number;
  error_message: string | null;
  watermark_in: string | null;
  watermark_out: string | null;
};

/**
 * The columns a {@link Run} is made of, selected instead of `r.*`: a run's `summary` (a JSON
 * document, about half of a row's bytes), its idempotency token and retry time are not part of it,
 * and reading them cost every page of runs their transfer and parsing.
 */
const RUN_COLUMNS = [
  'id',
  'organization_id',
  'pipeline_id',
  'pipeline_version',
  'engine',
  'status',
  'trigger',
  'triggered_by',
  'queued_at',
  'submitted_at',
  'started_at',
  'finished_at',
  'rows_read',
  'rows_written',
  'bytes_written',
  'duration_ms',
  'dbus',
  'cost',
  'engine_run_id',
  'attempt',
  'error_message',
  'watermark_in',
  'watermark_out',
] as const satisfies ReadonlyArray<keyof RunRow>;

/** Every key of {@link RunRow} is selected (a compile-time check of the list above). */
type MissingRunColumn = Exclude<keyof RunRow, (typeof RUN_COLUMNS)[number]>;
const ALL_RUN_COLUMNS: [MissingRunColumn] extends [never] ? true : never = true;
void ALL_RUN_COLUMNS;

type EventRow = {
  id: number | string;
  at: Timestamp;
  kind: RunEvent['kind'];
  level: RunEvent['level'];
  status: RunStatus | null;
  message: string;
};

function toRun(row: RunRow): Run {
  return {
    id: row.id,
    organization: row.organization_id,
    pipelineId: row.pipeline_id,
    pipelineVersion: Number(row.pipeline_version),
    engine: row.engine,
    status: row.status,
    trigger: row.trigger,
    triggeredBy: row.triggered_by,
    queuedAt: toIso(row.queued_at),
    submittedAt: toOptionalIso(row.submitted_at),
    startedAt: toOptionalIso(row.started_at),
    finishedAt: toOptionalIso(row.finished_at),
    rowsRead: toOptionalNumber(row.rows_read),
    rowsWritten: toOptionalNumber(row.rows_written),
    bytesWritten: toOptionalNumber(row.bytes_written),
    durationMs: toOptionalNumber(row.duration_ms),
    dbus: toOptionalNumber(row.dbus),
    cost: toOptionalNumber(row.cost),
    engineRunId: toOptionalString(row.engine_run_id),
    attempt: Number(row.attempt),
    errorMessage: toOptionalString(row.error_message),
    watermarkIn: toOptionalString(row.watermark_in),
    watermarkOut: toOptionalString(row.watermark_out),
  };
}

function progressColumns(progress: RunProgress): Record<string, unknown> {
  const columns: Record<string, unknown> = {
    submitted_at: progress.submittedAt,
    started_at: progress.startedAt,
    finished_at: progress.finishedAt,
    rows_read: progress.rowsRead,
    rows_written: progress.rowsWritten,
    bytes_written: progress.bytesWritten,
    duration_ms: progress.durationMs,
    dbus: progress.dbus,
    cost: progress.cost,
    engine_run_id: progress.engineRunId,
    attempt: progress.attempt,
    next_attempt_at: progress.nextAttemptAt,
    error_message: progress.errorMessage,
    watermark_out: progress.watermarkOut,
    summary: progress.summary && JSON.stringify(progress.summary),
  };
  return Object.fromEntries(
    Object.entries(columns).filter(([, value]) => value !== undefined),
  );
}

/** {@link RunsStore} on knex (SQLite, PostgreSQL). */
export class DatabaseRunsStore implements RunsStore {
  constructor(private readonly knex: Knex) {}

  async create(run: NewRun): Promise<Run> {
    await this.knex.transaction(async tx => {
      await tx('runs').insert({
        id: run.id,
        organization_id: run.organizationId,
        pipeline_id: run.pipelineId,
        pipeline_version: run.pipelineVersion,
        engine: run.engine,
        status: 'queued',
        trigger: run.trigger,
        triggered_by: run.triggeredBy,
        queued_at: run.at,
        idempotency_token: run.idempotencyToken,
        attempt: 0,
        watermark_in: run.watermarkIn ?? null,
      });
      await tx('run_events').insert({
        organization_id: run.organizationId,
        run_id: run.id,
        at: run.at,
        kind: 'transition',
        level: 'info',
        status: 'queued',
        message: `Queued by ${run.triggeredBy} (${run.trigger})`,
      });
    });
    const row = await this.knex('runs').where({ id: run.id }).first();
    return toRun(row);
  }

  /**
   * Runs are readable where their pipeline is: the permission conditions (organization, owner)
   * apply to the pipeline row joined in.
   */
  private scoped(filter: AccessFilter) {
    const builder = this.knex('runs as r')
      .join('pipelines as p', 'p.id', 'r.pipeline_id')
      .select(RUN_COLUMNS.map(column => `r.${column}`));
    applyAccessFilter(builder, filter, 'p');
    // The same organizations on the runs themselves, so the database walks the runs index
    // (organization_id, queued_at, id) instead of every run of every tenant.
    if (filter.organizationIds.length > 0) {
      builder.whereIn('r.organization_id', filter.organizationIds);
    }
    return builder;
  }

  async get(filter: AccessFilter, id: string) {
    const row = await this.scoped(filter).where('r.id', id).first();
    return row ? toRun(row) : undefined;
  }

  async list(filter: AccessFilter, query: RunListQuery) {
    const keyset = await openKeyset<RunRow>(this.knex, {
      list: 'runs',
      scope: { filter, pipelineId: query.pipelineId, status: query.status },
      column: 'queued_at',
      order: 'desc',
      valueType: 'timestamp',
      cursor: query.cursor,
      limit: query.limit,
      valueOf: row => toEpochMs(row.queued_at),
      idOf: row => row.id,
    });
    const builder = this.scoped(filter);
    if (query.pipelineId) {
      builder.where('r.pipeline_id', query.pipelineId);
    }
    if (query.status) {
      builder.where('r.status', query.status);
    }
    keyset.apply(builder, 'r');
    builder.options(TIMESTAMPS_AS_ISO);
    const page = keyset.page((await builder) as RunRow[]);
    return { items: page.rows.map(toRun), nextCursor: page.nextCursor };
  }

  async transition(
    organizationId: string,
    id: string,
    from: readonly RunStatus[],
    to: RunStatus,
    progress: RunProgress,
    message: string,
  ) {
    const moved = await this.knex.transaction(async tx => {
      const updated = await tx('runs')
        .where({ organization_id: organizationId, id })
        .whereIn('status', from)
        .update({ status: to, ...progressColumns(progress) });
      if (updated !== 1) {
        return undefined;
      }
      // The row as moved, read once: for the run summary and for the caller.
      const row = await tx('runs')
        .where({ organization_id: organizationId, id })
        .first();
      await recordFinishedRun(tx, row);
      await tx('run_events').insert({
        organization_id: organizationId,
        run_id: id,
        at:
          progress.finishedAt ??
          progress.startedAt ??
          progress.submittedAt ??
          new Date(),
        kind: 'transition',
        level: ['failed', 'quality_failed'].includes(to) ? 'error' : 'info',
        status: to,
        message,
      });
      return row;
    });
    return moved && toRun(moved);
  }

  async updateProgress(
    organizationId: string,
    id: string,
    progress: RunProgress,
  ) {
    const columns = progressColumns(progress);
    if (Object.keys(columns).length > 0) {
      await this.knex('runs')
        .where({ organization_id: organizationId, id })
        .update(columns);
    }
  }

  async appendLog(
    organizationId: string,
    runId: string,
    level: RunEvent['level'],
    message: string,
    at: Date,
  ) {
    await this.knex('run_events').insert({
      organization_id: organizationId,
      run_id: runId,
      at,
      kind: 'log',
      level,
      message,
    });
  }

  async listEvents(
    organizationId: string,
    runId: string,
    page: { cursor?: string; limit: number },
  ) {
    const keyset = await openKeyset<EventRow>(this.knex, {
      list: 'run-events',
      scope: { organizationId, runId },
      column: 'id',
      order: 'asc',
      valueType: 'integer',
      idType: 'integer',
      cursor: page.cursor,
      limit: page.limit,
      valueOf: row => Number(row.id),
      idOf: row => String(row.id),
    });
    const builder = this.knex('run_events as e')
      .select('e.id', 'e.at', 'e.kind', 'e.level', 'e.status', 'e.message')
      .where({ 'e.organization_id': organizationId, 'e.run_id': runId });
    keyset.apply(builder, 'e');
    const rows = keyset.page((await builder) as EventRow[]);
    return {
      items: rows.rows.map(row => ({
        id: String(row.id),
        at: toIso(row.at),
        kind: row.kind,
        level: row.level,
        status: row.status ?? undefined,
        message: row.message,
      })),
      nextCursor: rows.nextCursor,
    };
  }

  async countByStatus(organizationId: string, statuses: readonly RunStatus[]) {
    const [{ count }] = await this.knex('runs')
      .where('organization_id', organizationId)
      .whereIn('status', statuses)
      .count({ count: '*' });
    return Number(count);
  }

  async dbusSince(organizationId: string, since: Date) {
    const [{ total }] = await this.knex('runs')
      .where('organization_id', organizationId)
      .where('queued_at', '>=', since)
      .sum({ total: 'dbus' });
    return Number(total ?? 0);
  }

  async listInStates(statuses: readonly RunStatus[], limit: number) {
    const rows = await this.knex('runs')
      .whereIn('status', statuses)
      .orderBy('queued_at', 'asc')
      .limit(limit);
    return rows.map(toRun);
  }

  async lastWatermark(organizationId: string, pipelineId: string) {
    const row = await this.knex('runs')
      .select('watermark_out')
      .where({
        organization_id: organizationId,
        pipeline_id: pipelineId,
        status: 'succeeded',
      })
      .whereNotNull('watermark_out')
      .orderBy('finished_at', 'desc')
      .first();
    return row?.watermark_out ?? undefined;
  }
}
