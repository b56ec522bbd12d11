import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import { NotFoundError } from '@backstage/errors';
import {
  FINAL_RUN_STATUSES,
  pipelineExecutePermission,
  pipelineReadPermission,
  type Run,
  type RunEvent,
  type RunStatus,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import { deriveIdempotencyToken } from '@ingestion-for-backstage/plugin-ingestion-node';
import { randomUUID } from 'node:crypto';
import { actorOf } from '../audit/AuditLog';
import type { IngestionAuthorizer } from '../authorization/IngestionAuthorizer';
import type { RunListQuery, RunsStore } from '../database/RunsStore';
import type { OrganizationDirectory } from '../organizations/OrganizationDirectory';
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
    },
  ) {}

  private now() {
    return this.options.clock?.() ?? new Date();
  }

  async trigger(
    credentials: BackstageCredentials,
    pipelineId: string,
    input: { watermark?: string; trigger?: Run['trigger'] },
  ): Promise<Run> {
    const pipeline = await this.options.pipelines.getForAction(
      credentials,
      pipelineId,
      pipelineExecutePermission,
    );
    const organization = this.options.directory.get(pipeline.organization);
    await this.options.quotas.checkRunAllowed(organization);
    await this.options.budgetGate?.checkRunAllowed(organization, pipeline);
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
      watermarkIn:
        input.watermark ??
        (await this.options.runs.lastWatermark(
          pipeline.organization,
          pipeline.id,
        )),
      at: this.now(),
    });
    await this.options.audit?.record({
      credentials,
      organizationId: pipeline.organization,
      action: 'run.trigger',
      targetType: 'run',
      targetId: run.id,
      outcome: 'success',
      meta: { pipelineId: pipeline.id, version: pipeline.currentVersion },
    });
    return run;
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
    // Lost a race with the engine finishing it: report the run as it is now.
    return cancelled ?? this.get(credentials, id);
  }
}
