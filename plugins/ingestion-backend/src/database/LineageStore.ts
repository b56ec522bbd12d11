import type { Knex } from 'knex';

/** A dataset a pipeline reads (input) or writes (output). */
export interface LineageEdge {
  pipelineId: string;
  direction: 'input' | 'output';
  datasetKind: string;
  /** Stable reference of the dataset, e.g. `iceberg:finance_catalog.analytics.daily` or `mysql:finance-db/transactions`. */
  datasetRef: string;
  columns?: Record<string, unknown>;
}

/** Table-level lineage edges; every query is inside one organization. */
export interface LineageStore {
  replaceForPipeline(
    organizationId: string,
    pipelineId: string,
    edges: LineageEdge[],
    at: Date,
  ): Promise<void>;
  forPipelines(
    organizationId: string,
    pipelineIds: string[],
  ): Promise<LineageEdge[]>;
  forDatasets(
    organizationId: string,
    datasetRefs: string[],
  ): Promise<LineageEdge[]>;
}

type EdgeRow = {
  pipeline_id: string;
  direction: 'input' | 'output';
  dataset_kind: string;
  dataset_ref: string;
  columns: string | null;
};

const toEdge = (row: EdgeRow): LineageEdge => ({
  pipelineId: row.pipeline_id,
  direction: row.direction,
  datasetKind: row.dataset_kind,
  datasetRef: row.dataset_ref,
  columns: row.columns ? JSON.parse(row.columns) : undefined,
});

export class DatabaseLineageStore implements LineageStore {
  constructor(private readonly knex: Knex) {}

  async replaceForPipeline(
    organizationId: string,
    pipelineId: string,
    edges: LineageEdge[],
    at: Date,
  ) {
    await this.knex.transaction(async tx => {
      await tx('lineage_edges')
        .where({ organization_id: organizationId, pipeline_id: pipelineId })
        .delete();
      if (edges.length > 0) {
        await tx('lineage_edges').insert(
          edges.map(edge => ({
            organization_id: organizationId,
            pipeline_id: pipelineId,
            direction: edge.direction,
            dataset_kind: edge.datasetKind,
            dataset_ref: edge.datasetRef,
            columns: edge.columns ? JSON.stringify(edge.columns) : null,
            updated_at: at,
          })),
        );
      }
    });
  }

  async forPipelines(organizationId: string, pipelineIds: string[]) {
    if (pipelineIds.length === 0) return [];
    const rows = await this.knex('lineage_edges')
      .where('organization_id', organizationId)
      .whereIn('pipeline_id', pipelineIds);
    return rows.map(toEdge);
  }

  async forDatasets(organizationId: string, datasetRefs: string[]) {
    if (datasetRefs.length === 0) return [];
    const rows = await this.knex('lineage_edges')
      .where('organization_id', organizationId)
      .whereIn('dataset_ref', datasetRefs);
    return rows.map(toEdge);
  }
}
