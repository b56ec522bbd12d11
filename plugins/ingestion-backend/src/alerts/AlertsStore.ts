import type { Knex } from 'knex';
import { DatabaseLineageStore } from '../database/LineageStore';
import { toIso } from '../database/rows';

/** A pipeline as alerts name it. */
export interface AlertPipeline {
  id: string;
  organizationId: string;
  name: string;
  /** Entity ref of its owner (a group or a user). */
  owner: string;
}

/** A quality rule a run breached. */
export interface BreachedRule {
  ruleIndex: number;
  ruleType: string;
  columns: string[];
  severity: 'warn' | 'drop' | 'fail';
  message?: string;
}

/** What lies downstream of a pipeline along the lineage, with owners. */
export interface BlastRadius {
  pipelines: AlertPipeline[];
  tables: Array<{ identifier: string; owner: string }>;
}

/** A scheduled pipeline and its last successful run, for the freshness check. */
export interface ScheduledPipeline extends AlertPipeline {
  schedule: string;
  scheduleTimezone?: string;
  /** When its current version was saved: no run is expected for fire times before that. */
  updatedAt: string;
  lastSucceededAt?: string;
}

/** Hops followed downstream at most (pipelines); lineage deeper than this is rare. */
export const MAX_BLAST_RADIUS_HOPS = 10;

const ICEBERG_PREFIX = 'iceberg:';

type PipelineRow = {
  id: string;
  organization_id: string;
  name: string;
  owner: string;
};

const toPipeline = (row: PipelineRow): AlertPipeline => ({
  id: row.id,
  organizationId: row.organization_id,
  name: row.name,
  owner: row.owner,
});

/** The facts alerts are about: pipelines, breached rules, lineage downstream, last successes. */
export class AlertsStore {
  readonly #lineage: DatabaseLineageStore;

  constructor(private readonly knex: Knex) {
    this.#lineage = new DatabaseLineageStore(knex);
  }

  async pipeline(
    organizationId: string,
    pipelineId: string,
  ): Promise<AlertPipeline | undefined> {
    const row = await this.knex('pipelines')
      .where({ organization_id: organizationId, id: pipelineId })
      .first('id', 'organization_id', 'name', 'owner');
    return row ? toPipeline(row) : undefined;
  }

  /** The rules a run breached (warn, drop and fail), in rule order. */
  async breachedRules(
    organizationId: string,
    runId: string,
  ): Promise<BreachedRule[]> {
    const rows = await this.knex('quality_results')
      .where({ organization_id: organizationId, run_id: runId })
      .whereIn('passed', [false, 0])
      .orderBy('rule_index');
    return rows.map(row => ({
      ruleIndex: Number(row.rule_index),
      ruleType: row.rule_type,
      columns: JSON.parse(row.columns),
      severity: row.severity,
      message: row.message ?? undefined,
    }));
  }

  /**
   * Every pipeline that reads, directly or through other pipelines, what this pipeline writes,
   * and every Iceberg table written along the way (this pipeline's own included): a breadth-first
   * walk over the organization's lineage edges, up to {@link MAX_BLAST_RADIUS_HOPS} pipelines deep.
   */
  async downstreamOf(
    organizationId: string,
    pipelineId: string,
  ): Promise<BlastRadius> {
    const seenPipelines = new Set([pipelineId]);
    const seenDatasets = new Set<string>();
    const downstream: string[] = [];
    let frontier = [pipelineId];
    for (let hop = 0; hop < MAX_BLAST_RADIUS_HOPS && frontier.length; hop++) {
      const written = (
        await this.#lineage.forPipelines(organizationId, frontier)
      )
        .filter(edge => edge.direction === 'output')
        .map(edge => edge.datasetRef)
        .filter(ref => !seenDatasets.has(ref));
      written.forEach(ref => seenDatasets.add(ref));
      const readers = (await this.#lineage.forDatasets(organizationId, written))
        .filter(edge => edge.direction === 'input')
        .map(edge => edge.pipelineId)
        .filter(id => !seenPipelines.has(id));
      frontier = [...new Set(readers)];
      frontier.forEach(id => seenPipelines.add(id));
      downstream.push(...frontier);
    }
    const pipelines = downstream.length
      ? (
          await this.knex('pipelines')
            .where('organization_id', organizationId)
            .whereIn('id', downstream)
            .select('id', 'organization_id', 'name', 'owner')
        ).map(toPipeline)
      : [];
    const identifiers = [...seenDatasets]
      .filter(ref => ref.startsWith(ICEBERG_PREFIX))
      .map(ref => ref.slice(ICEBERG_PREFIX.length));
    const tables: BlastRadius['tables'] = [];
    if (identifiers.length > 0) {
      const rows = await this.knex('data_tables')
        .where('organization_id', organizationId)
        .whereIn('table_name', [
          ...new Set(identifiers.map(id => id.slice(id.lastIndexOf('.') + 1))),
        ])
        .select('catalog_name', 'namespace', 'table_name', 'owner');
      const wanted = new Set(identifiers);
      for (const row of rows) {
        const identifier = `${row.catalog_name}.${row.namespace}.${row.table_name}`;
        if (wanted.has(identifier))
          tables.push({ identifier, owner: row.owner });
      }
    }
    return { pipelines, tables };
  }

  /** An organization's scheduled pipelines with the end of their last successful run. */
  async scheduledPipelines(
    organizationId: string,
  ): Promise<ScheduledPipeline[]> {
    const lastSuccess = this.knex('runs')
      .where({ organization_id: organizationId, status: 'succeeded' })
      .groupBy('pipeline_id')
      .select('pipeline_id')
      .max({ last_succeeded_at: 'finished_at' })
      .as('s');
    const rows = await this.knex('pipelines as p')
      .leftJoin(lastSuccess, 's.pipeline_id', 'p.id')
      .where('p.organization_id', organizationId)
      .whereNotNull('p.schedule')
      .select(
        'p.id',
        'p.organization_id',
        'p.name',
        'p.owner',
        'p.schedule',
        'p.schedule_timezone',
        'p.updated_at',
        's.last_succeeded_at',
      );
    return rows.map(row => ({
      ...toPipeline(row),
      schedule: row.schedule,
      scheduleTimezone: row.schedule_timezone ?? undefined,
      updatedAt: toIso(row.updated_at),
      lastSucceededAt:
        row.last_succeeded_at === null || row.last_succeeded_at === undefined
          ? undefined
          : toIso(
              typeof row.last_succeeded_at === 'string' &&
                /^\d+$/.test(row.last_succeeded_at)
                ? Number(row.last_succeeded_at)
                : row.last_succeeded_at,
            ),
    }));
  }
}
