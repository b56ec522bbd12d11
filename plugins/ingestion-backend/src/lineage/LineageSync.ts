import type { LoggerService } from '@backstage/backend-plugin-api';
import type { PipelineSpec } from '@ingestion-for-backstage/plugin-ingestion-common';
import type { Knex } from 'knex';
import { DatabaseLineageStore } from '../database/LineageStore';
import { lineageEdges } from '../runs/RunResultRecorder';
import type { PipelineChangeListener } from '../service/PipelinesService';

/**
 * Keeps table-level lineage edges in step with pipeline specs, so lineage exists from the moment
 * a pipeline is saved (runs then rewrite the edges with what the engine reports). Registered as
 * a `PipelinesService.onChange` listener; `backfill()` covers pipelines saved before.
 */
export class LineageSync {
  private readonly store: DatabaseLineageStore;

  constructor(
    private readonly options: {
      knex: Knex;
      logger: LoggerService;
      clock?: () => Date;
    },
  ) {
    this.store = new DatabaseLineageStore(options.knex);
  }

  private now() {
    return this.options.clock?.() ?? new Date();
  }

  private async currentSpec(
    organizationId: string,
    pipelineId: string,
  ): Promise<PipelineSpec | undefined> {
    const row = await this.options
      .knex('pipelines as p')
      .join('pipeline_versions as v', join =>
        join
          .on('v.pipeline_id', 'p.id')
          .andOn('v.version', 'p.current_version'),
      )
      .where({ 'p.organization_id': organizationId, 'p.id': pipelineId })
      .first('v.spec');
    return row ? JSON.parse(row.spec) : undefined;
  }

  private async sync(organizationId: string, pipelineId: string) {
    const spec = await this.currentSpec(organizationId, pipelineId);
    await this.store.replaceForPipeline(
      organizationId,
      pipelineId,
      spec ? lineageEdges(pipelineId, spec) : [],
      this.now(),
    );
  }

  /** The `PipelinesService.onChange` listener. Failures are logged: a save never fails for them. */
  readonly listener: PipelineChangeListener = async change => {
    try {
      await this.sync(change.organizationId, change.pipelineId);
    } catch (error) {
      this.options.logger.warn(
        `Could not update the lineage of pipeline ${change.pipelineId}: ${error}`,
      );
    }
  };

  /** Writes the edges of pipelines that have none yet (saved before this ran). */
  async backfill(): Promise<number> {
    const rows: Array<{ id: string; organization_id: string }> =
      await this.options
        .knex('pipelines as p')
        .whereNotExists(q =>
          q
            .select(this.options.knex.raw('1'))
            .from('lineage_edges as e')
            .whereRaw('e.organization_id = p.organization_id')
            .andWhereRaw('e.pipeline_id = p.id'),
        )
        .select('p.id', 'p.organization_id');
    for (const row of rows) {
      await this.sync(row.organization_id, row.id);
    }
    return rows.length;
  }
}
