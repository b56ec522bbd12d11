import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import type {
  PipelineSpec,
  RunStatus,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import type { Knex } from 'knex';
import type { OrganizationDirectory } from '../../organizations/OrganizationDirectory';
import type { PipelinesService } from '../../service/PipelinesService';
import { schemaColumns } from '../CatalogExportStore';
import { buildRunEvents, type RunEvent } from './runEvents';

type Timestamp = Date | number | string;
const iso = (value: Timestamp | null | undefined) =>
  value === null || value === undefined
    ? undefined
    : new Date(value).toISOString();
const optionalNumber = (value: number | string | null | undefined) =>
  value === null || value === undefined ? undefined : Number(value);

export interface OpenLineageSettings {
  /** `producer` of every event: this deployment's URI. */
  producer: string;
  /** Job namespace of an organization's pipelines. */
  jobNamespace: (organizationId: string) => string;
}

/** The OpenLineage events of pipelines' runs, from what the store recorded. */
export class OpenLineageService {
  constructor(
    private readonly options: {
      knex: Knex;
      pipelines: PipelinesService;
      directory: OrganizationDirectory;
      settings: OpenLineageSettings;
    },
  ) {}

  /** The events of one run (by id, inside its organization). */
  async eventsOfRun(
    organizationId: string,
    runId: string,
  ): Promise<RunEvent[]> {
    const run = await this.options
      .knex('runs')
      .where({ organization_id: organizationId, id: runId })
      .first();
    if (!run) return [];
    const pipeline = await this.options
      .knex('pipelines')
      .where({ organization_id: organizationId, id: run.pipeline_id })
      .first('id', 'name');
    if (!pipeline) return [];
    return this.eventsOf(organizationId, pipeline, [run]);
  }

  /**
   * A pipeline's events, oldest run first (its latest `limit` runs), if the caller may read the
   * pipeline; 404 otherwise.
   */
  async exportEvents(
    credentials: BackstageCredentials,
    pipelineId: string,
    limit: number,
  ): Promise<RunEvent[]> {
    const pipeline = await this.options.pipelines.get(credentials, pipelineId);
    const runs = await this.options
      .knex('runs')
      .where({
        organization_id: pipeline.organization,
        pipeline_id: pipeline.id,
      })
      .orderBy('queued_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit);
    return this.eventsOf(
      pipeline.organization,
      { id: pipeline.id, name: pipeline.name },
      runs.reverse(),
    );
  }

  private async eventsOf(
    organizationId: string,
    pipeline: { id: string; name: string },
    runs: Array<Record<string, any>>,
  ): Promise<RunEvent[]> {
    if (runs.length === 0) return [];
    const { knex, settings, directory } = this.options;
    const versions = await knex('pipeline_versions')
      .where({ organization_id: organizationId, pipeline_id: pipeline.id })
      .whereIn('version', [...new Set(runs.map(r => r.pipeline_version))])
      .select('version', 'spec');
    const specs = new Map<number, PipelineSpec>(
      versions.map(v => [Number(v.version), JSON.parse(v.spec)]),
    );
    const quality = await knex('quality_results')
      .where('organization_id', organizationId)
      .whereIn(
        'run_id',
        runs.map(r => r.id),
      )
      .orderBy('rule_index')
      .select('run_id', 'rule_type', 'columns', 'passed', 'severity');
    const tables = await knex('data_tables')
      .where({ organization_id: organizationId, format: 'iceberg' })
      .select('catalog_name', 'namespace', 'table_name', 'schema');
    const schemas = new Map(
      tables.map(t => [
        `iceberg:${t.catalog_name}.${t.namespace}.${t.table_name}`,
        schemaColumns(t.schema ? JSON.parse(t.schema) : []).map(c => ({
          name: c.name,
          type: c.type,
        })),
      ]),
    );
    const org = directory.find(organizationId);
    return runs.flatMap(run => {
      const spec = specs.get(Number(run.pipeline_version));
      if (!spec) return [];
      try {
        return buildRunEvents({
          producer: settings.producer,
          jobNamespace: settings.jobNamespace(organizationId),
          icebergCatalogNamespace: catalog =>
            `iceberg://${org?.id ?? organizationId}/${catalog}`,
          pipeline,
          spec,
          run: {
            id: run.id,
            status: run.status as RunStatus,
            engine: run.engine,
            queuedAt: iso(run.queued_at)!,
            submittedAt: iso(run.submitted_at),
            startedAt: iso(run.started_at),
            finishedAt: iso(run.finished_at),
            rowsWritten: optionalNumber(run.rows_written),
            bytesWritten: optionalNumber(run.bytes_written),
            errorMessage: run.error_message ?? undefined,
          },
          quality: quality
            .filter(q => q.run_id === run.id)
            .map(q => ({
              ruleType: q.rule_type,
              columns: JSON.parse(q.columns),
              passed: Boolean(q.passed),
              severity: q.severity,
            })),
          schemas,
        });
      } catch {
        return []; // a spec this release cannot read
      }
    });
  }
}
