import type {
  Run,
  RunEvent,
  RunStatus,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import type { AccessFilter } from './conditions';

export interface NewRun {
  id: string;
  organizationId: string;
  pipelineId: string;
  pipelineVersion: number;
  engine: string;
  trigger: Run['trigger'];
  triggeredBy: string;
  idempotencyToken: string;
  watermarkIn?: string;
  at: Date;
}

/** Fields an engine reports as a run progresses. */
export interface RunProgress {
  submittedAt?: Date;
  startedAt?: Date;
  finishedAt?: Date;
  rowsRead?: number;
  rowsWritten?: number;
  bytesWritten?: number;
  durationMs?: number;
  dbus?: number;
  cost?: number;
  engineRunId?: string;
  attempt?: number;
  nextAttemptAt?: Date | null;
  errorMessage?: string;
  watermarkOut?: string;
  summary?: Record<string, unknown>;
}

export interface RunListQuery {
  pipelineId?: string;
  status?: RunStatus;
  cursor?: string;
  limit: number;
}

/** Runs, their events and logs. Reads take an access filter (on the run's pipeline); writes an org. */
export interface RunsStore {
  create(run: NewRun): Promise<Run>;
  get(filter: AccessFilter, id: string): Promise<Run | undefined>;
  list(
    filter: AccessFilter,
    query: RunListQuery,
  ): Promise<{ items: Run[]; nextCursor?: string }>;
  /**
   * Moves a run to `to` if it is in one of `from` (compare-and-set, so two backend replicas never
   * drive one run twice), records the transition event, and returns the run; `undefined` if the
   * run was not in `from`.
   */
  transition(
    organizationId: string,
    id: string,
    from: readonly RunStatus[],
    to: RunStatus,
    progress: RunProgress,
    message: string,
  ): Promise<Run | undefined>;
  updateProgress(
    organizationId: string,
    id: string,
    progress: RunProgress,
  ): Promise<void>;
  appendLog(
    organizationId: string,
    runId: string,
    level: RunEvent['level'],
    message: string,
    at: Date,
  ): Promise<void>;
  listEvents(
    organizationId: string,
    runId: string,
    page: { cursor?: string; limit: number },
  ): Promise<{ items: RunEvent[]; nextCursor?: string }>;
  countByStatus(
    organizationId: string,
    statuses: readonly RunStatus[],
  ): Promise<number>;
  dbusSince(organizationId: string, since: Date): Promise<number>;
  /** Runs in the given states across organizations, oldest first (for the run driver). */
  listInStates(statuses: readonly RunStatus[], limit: number): Promise<Run[]>;
  /** The watermark the last successful run of a pipeline ended at. */
  lastWatermark(
    organizationId: string,
    pipelineId: string,
  ): Promise<string | undefined>;
}
