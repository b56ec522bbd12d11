import type { Knex } from 'knex';
import { applyAccessFilter, type AccessFilter } from '../database/conditions';
import { toIso, toOptionalIso } from '../database/rows';

/** The latest run of a pipeline node: what the explorer colours it by. */
export interface LineageLastRun {
  status: string;
  queuedAt: string;
  finishedAt?: string;
}

/** The latest run of each pipeline (all readable, of one organization). */
export async function latestRuns(
  knex: Knex,
  organization: string,
  pipelineIds: string[],
): Promise<Map<string, LineageLastRun>> {
  const result = new Map<string, LineageLastRun>();
  for (let i = 0; i < pipelineIds.length; i += 500) {
    const ids = pipelineIds.slice(i, i + 500);
    const newest = knex('runs')
      .where('organization_id', organization)
      .whereIn('pipeline_id', ids)
      .groupBy('pipeline_id')
      .select('pipeline_id')
      .max('queued_at');
    const rows = (await knex('runs as r')
      .where('r.organization_id', organization)
      .whereIn(['r.pipeline_id', 'r.queued_at'], newest)
      .select('r.pipeline_id', 'r.status', 'r.queued_at', 'r.finished_at')
      .orderBy('r.id')) as Array<{
      pipeline_id: string;
      status: string;
      queued_at: Date | number | string;
      finished_at: Date | number | string | null;
    }>;
    for (const row of rows) {
      result.set(row.pipeline_id, {
        status: row.status,
        queuedAt: toIso(row.queued_at),
        finishedAt: toOptionalIso(row.finished_at),
      });
    }
  }
  return result;
}

/**
 * When each Iceberg table of the graph was last written (its record's `updated_at`), for the
 * tables the caller may read, by lineage ref (`iceberg:catalog.namespace.table`).
 */
export async function tableFreshness(
  knex: Knex,
  filter: AccessFilter,
  refs: string[],
): Promise<Map<string, string>> {
  const identifiers = refs
    .filter(ref => ref.startsWith('iceberg:'))
    .map(ref => ref.slice('iceberg:'.length).split('.'))
    .filter(parts => parts.length === 3);
  const result = new Map<string, string>();
  for (let i = 0; i < identifiers.length; i += 200) {
    const builder = knex('data_tables as t')
      .where('t.format', 'iceberg')
      .whereIn(
        ['t.catalog_name', 't.namespace', 't.table_name'],
        identifiers.slice(i, i + 200),
      )
      .select('t.catalog_name', 't.namespace', 't.table_name', 't.updated_at');
    applyAccessFilter(builder, filter, 't');
    for (const row of (await builder) as Array<{
      catalog_name: string;
      namespace: string;
      table_name: string;
      updated_at: Date | number | string;
    }>) {
      const ref = `iceberg:${row.catalog_name}.${row.namespace}.${row.table_name}`;
      const at = toIso(row.updated_at);
      if ((result.get(ref) ?? '') < at) result.set(ref, at);
    }
  }
  return result;
}
