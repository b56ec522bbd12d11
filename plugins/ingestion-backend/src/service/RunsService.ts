import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import { NotFoundError } from '@backstage/errors';
import {
  FINAL_RUN_STATUSES,
  pipelineExecutePermission,
  pipelineReadPermission,
  runOverridePermission,
  type PipelineDetails,
  type PipelineSpec,
  type Run,
  type RunEvent,
  type RunStatus,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import { deriveIdempotencyToken } from '@ingestion-for-backstage/plugin-ingestion-node';
import { randomUUID } from 'node:crypto';
import { actorOf } from '../audit/AuditLog';
import type { IngestionAuthorizer } from '../authorization/IngestionAuthorizer';
import type { RunListQuery, RunsStore } from '../database/RunsStore';
import type { TablesStore } from '../database/TablesStore';
import type { OrganizationDirectory } from '../organizations/OrganizationDirectory';
import {
  columnTypeInSchema,
  cursorColumnOf,
  cursorKindOfType,
  cursorKindOfValue,
  watermarkProblem,
  type CursorKind,
} from '../runs/watermark';
import { SpecProblemsError } from '../spec/SpecProblemsError';
import type { RunRefusal } from '../alerts/RunAlerter';
import type { MutationAudit, PipelinesService } from './PipelinesService';
import type { QuotasService } from './QuotasService';

/** Triggering, cancelling and reading runs. Engines drive queued runs to their end. */
export class RunsService {
  constructor(
    private readonly options: {
      runs: RunsStore;
      pipelines: PipelinesService;
      quotas: QuotasService;
      authorizer: IngestionAuthorizer;
      directory: OrganizationDirectory;
      audit?: MutationAudit;
      /** Refuses runs while a budget is spent (`ingestion.costs.blockRunsAtBudget`). */
      budgetGate?: {
        checkRunAllowed(
          organization: ReturnType<OrganizationDirectory['get']>,
          pipeline: { owner: string },
        ): Promise<void>;
      };
      clock?: () => Date;
      /** Told when a quota or budget refuses a run (alerts its owners); errors are its own. */
      onRunRefused?: (refusal: RunRefusal) => Promise<void>;
      /** Told when a run is queued or cancelled here (live status on open pages). */
      onStatusChanged?: (run: Run) => Promise<void>;
      /** The tables pipelines wrote: their recorded schemas tell a cursor column's type. */
      tables?: Pick<TablesStore, 'list'>;
    },
  ) {}

  private now() {
    return this.options.clock?.() ?? new Date();
  }

  /**
   * Queues a run. Overriding its inputs (a watermark to start from, a full refresh) decides
   * which rows are loaded again or skipped: that needs `ingestion.run.override` on top of
   * execute, and a watermark must fit the cursor column.
   */
  async trigger(
    credentials: BackstageCredentials,
    pipelineId: string,
    input: {
      watermark?: string;
      fullRefresh?: boolean;
      trigger?: Run['trigger'];
    },
  ): Promise<Run> {
    const pipeline = await this.options.pipelines.getForAction(
      credentials,
      pipelineId,
      pipelineExecutePermission,
    );
    if (input.watermark !== undefined || input.fullRefresh) {
      const resource = {
        organizationId: pipeline.organization,
        owner: pipeline.owner,
        id: pipeline.id,
      };
      await this.options.authorizer.authorizeResource(
        credentials,
        runOverridePermission,
        resource,
        `pipeline '${pipeline.name}'`,
      );
    }
    const watermarkIn = await this.watermarkIn(pipeline, input);
    const organization = this.options.directory.get(pipeline.organization);
    try {
      await this.options.quotas.checkRunAllowed(organization);
    } catch (error) {
      await this.refused(pipeline, 'quota', error, input.trigger);
      throw error;
    }
    try {
      await this.options.budgetGate?.checkRunAllowed(organization, pipeline);
    } catch (error) {
      await this.refused(pipeline, 'budget', error, input.trigger);
      throw error;
    }
    const id = randomUUID();
    const run = await this.options.runs.create({
      id,
      organizationId: pipeline.organization,
      pipelineId: pipeline.id,
      pipelineVersion: pipeline.currentVersion,
      engine: pipeline.engine,
      trigger: input.trigger ?? 'manual',
      triggeredBy: actorOf(credentials),
      idempotencyToken: deriveIdempotencyToken(id),
      watermarkIn,
      at: this.now(),
    });
    await this.options.audit?.record({
      credentials,
      organizationId: pipeline.organization,
      action: 'run.trigger',
      targetType: 'run',
      targetId: run.id,
      outcome: 'success',
      meta: {
        pipelineId: pipeline.id,
        version: pipeline.currentVersion,
        ...(input.watermark !== undefined && { watermark: input.watermark }),
        ...(input.fullRefresh && { fullRefresh: true }),
      },
    });
    await this.options.onStatusChanged?.(run);
    return run;
  }

  private async refused(
    pipeline: PipelineDetails,
    reason: RunRefusal['reason'],
    error: unknown,
    trigger: Run['trigger'] = 'manual',
  ) {
    await this.options
      .onRunRefused?.({
        organizationId: pipeline.organization,
        pipelineId: pipeline.id,
        reason,
        message: (error as Error).message,
        trigger,
      })
      .catch(() => undefined);
  }

  /** Where the run starts: the override, nothing (full refresh), or the last recorded mark. */
  private async watermarkIn(
    pipeline: PipelineDetails,
    input: { watermark?: string; fullRefresh?: boolean },
  ): Promise<string | undefined> {
    const problem = (path: string, message: string) =>
      new SpecProblemsError([{ path, message }], 'run inputs');
    if (input.fullRefresh && input.watermark !== undefined) {
      throw problem(
        'fullRefresh',
        'a full refresh reads every row: leave out `watermark`, or set fullRefresh to false',
      );
    }
    if (input.fullRefresh) {
      return undefined;
    }
    const last = await this.options.runs.lastWatermark(
      pipeline.organization,
      pipeline.id,
    );
    if (input.watermark === undefined) {
      return last;
    }
    const column = cursorColumnOf(pipeline.spec as unknown as PipelineSpec);
    if (!column) {
      throw problem(
        'watermark',
        `pipeline '${pipeline.name}' is not incremental (its source has no incremental_column): there is no watermark to override`,
      );
    }
    const message = watermarkProblem(
      input.watermark,
      column,
      await this.cursorKind(pipeline, column, last),
    );
    if (message) {
      throw problem('watermark', message);
    }
    return input.watermark;
  }

  /**
   * The cursor column's kind: from the last recorded mark (the engine's rendering of the source
   * column's largest value), else from the schema of a table the pipeline wrote.
   */
  private async cursorKind(
    pipeline: PipelineDetails,
    column: string,
    lastWatermark: string | undefined,
  ): Promise<CursorKind | undefined> {
    const recorded =
      lastWatermark === undefined
        ? undefined
        : cursorKindOfValue(lastWatermark);
    if (recorded) return recorded;
    // An internal read, never shown to the caller: the pipeline's own organization only.
    const tables = await this.options.tables?.list(
      { organizationIds: [pipeline.organization] },
      { pipelineId: pipeline.id, limit: 20 },
    );
    for (const table of tables?.items ?? []) {
      const kind = cursorKindOfType(columnTypeInSchema(table.schema, column));
      if (kind) return kind;
    }
    return undefined;
  }

  async get(credentials: BackstageCredentials, id: string): Promise<Run> {
    const filter = await this.options.authorizer.accessFilter(
      credentials,
      pipelineReadPermission,
    );
    const run = await this.options.runs.get(filter, id);
    if (!run) {
      throw new NotFoundError(`Run '${id}' not found`);
    }
    return run;
  }

  async list(
    credentials: BackstageCredentials,
    query: RunListQuery & { organization?: string },
  ) {
    const filter = await this.options.authorizer.accessFilter(
      credentials,
      pipelineReadPermission,
      query.organization,
    );
    return this.options.runs.list(filter, query);
  }

  async logs(
    credentials: BackstageCredentials,
    id: string,
    page: { cursor?: string; limit: number },
  ): Promise<{ items: RunEvent[]; nextCursor?: string }> {
    const run = await this.get(credentials, id);
    return this.options.runs.listEvents(run.organization, id, page);
  }

  /**
   * Cancels a run that has not finished. A queued run ends at once; a submitted or running one is
   * marked cancelled here and its engine is asked to stop it by the run driver.
   */
  async cancel(credentials: BackstageCredentials, id: string): Promise<Run> {
    const run = await this.get(credentials, id);
    await this.options.pipelines.getForAction(
      credentials,
      run.pipelineId,
      pipelineExecutePermission,
    );
    if (FINAL_RUN_STATUSES.includes(run.status)) {
      return run;
    }
    const active: RunStatus[] = ['queued', 'submitted', 'running'];
    const cancelled = await this.options.runs.transition(
      run.organization,
      id,
      active,
      'cancelled',
      { finishedAt: this.now() },
      `Cancelled by ${actorOf(credentials)}`,
    );
    await this.options.audit?.record({
      credentials,
      organizationId: run.organization,
      action: 'run.cancel',
      targetType: 'run',
      targetId: id,
      outcome: 'success',
    });
    if (cancelled) await this.options.onStatusChanged?.(cancelled);
    // Lost a race with the engine finishing it: report the run as it is now.
    return cancelled ?? this.get(credentials, id);
  }
}
