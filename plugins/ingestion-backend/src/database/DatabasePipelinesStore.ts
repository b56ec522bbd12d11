import type {
  Pipeline,
  PipelineDetails,
  PipelineVersion,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import type { Knex } from 'knex';
import { applyAccessFilter, type AccessFilter } from './conditions';
import { openKeyset } from './keyset';
import type {
  NewPipeline,
  NewPipelineVersion,
  PipelineDeployment,
  PipelineListQuery,
  PipelinesStore,
} from './PipelinesStore';
import {
  TIMESTAMPS_AS_ISO,
  toEpochMs,
  toIso,
  toOptionalNumber,
  toOptionalString,
} from './rows';

type PipelineRow = {
  id: string;
  organization_id: string;
  name: string;
  description: string | null;
  owner: string;
  pipeline_type: 'batch' | 'streaming';
  schedule: string | null;
  schedule_timezone: string | null;
  engine: string;
  current_version: number;
  databricks_job_id: string | null;
  deployed_version: number | null;
  deployed_at: Date | number | string | null;
  databricks_job_url?: string | null;
  databricks_workspace_url?: string | null;
  deployed_spec_hash?: string | null;
  databricks_job_verified_at?: Date | number | string | null;
  created_by: string;
  updated_by: string;
  created_at: Date | number | string;
  updated_at: Date | number | string;
};

type VersionRow = {
  organization_id: string;
  pipeline_id: string;
  version: number;
  spec: string;
  spec_hash: string;
  comment: string | null;
  restored_from_version: number | null;
  created_by: string;
  created_at: Date | number | string;
};

const SORT_COLUMNS = {
  name: 'name',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
} as const;

function toPipeline(row: PipelineRow): Pipeline {
  return {
    id: row.id,
    organization: row.organization_id,
    name: row.name,
    description: toOptionalString(row.description),
    owner: row.owner,
    pipelineType: row.pipeline_type,
    schedule: toOptionalString(row.schedule),
    scheduleTimezone: toOptionalString(row.schedule_timezone),
    engine: row.engine,
    currentVersion: Number(row.current_version),
    deployment:
      row.databricks_job_id && row.deployed_version && row.deployed_at
        ? {
            databricksJobId: row.databricks_job_id,
            deployedVersion: Number(row.deployed_version),
            deployedAt: toIso(row.deployed_at),
            jobUrl: toOptionalString(row.databricks_job_url ?? null),
            workspaceUrl: toOptionalString(
              row.databricks_workspace_url ?? null,
            ),
            specHash: toOptionalString(row.deployed_spec_hash ?? null),
          }
        : undefined,
    createdAt: toIso(row.created_at),
    createdBy: row.created_by,
    updatedAt: toIso(row.updated_at),
    updatedBy: row.updated_by,
  };
}

function toVersion(row: VersionRow, withSpec: boolean): PipelineVersion {
  return {
    pipelineId: row.pipeline_id,
    version: Number(row.version),
    spec: withSpec ? JSON.parse(row.spec) : undefined,
    specHash: row.spec_hash,
    comment: toOptionalString(row.comment),
    restoredFromVersion: toOptionalNumber(row.restored_from_version),
    createdAt: toIso(row.created_at),
    createdBy: row.created_by,
  };
}

/** {@link PipelinesStore} on knex (SQLite, PostgreSQL). */
export class DatabasePipelinesStore implements PipelinesStore {
  constructor(private readonly knex: Knex) {}

  async list(filter: AccessFilter, query: PipelineListQuery) {
    const column = SORT_COLUMNS[query.sort];
    const keyset = await openKeyset<PipelineRow>(this.knex, {
      list: 'pipelines',
      scope: {
        filter,
        owner: query.owner,
        type: query.type,
        engine: query.engine,
        nameContains: query.nameContains,
      },
      column,
      order: query.order,
      valueType: column === 'name' ? 'string' : 'timestamp',
      cursor: query.cursor,
      limit: query.limit,
      valueOf: row => (column === 'name' ? row.name : toEpochMs(row[column])),
      idOf: row => row.id,
    });
    const builder = this.knex<PipelineRow>('pipelines as p').select('p.*');
    applyAccessFilter(builder, filter, 'p');
    if (query.owner) {
      builder.where('p.owner', query.owner.toLocaleLowerCase('en-US'));
    }
    if (query.type) {
      builder.where('p.pipeline_type', query.type);
    }
    if (query.engine) {
      builder.where('p.engine', query.engine);
    }
    if (query.nameContains) {
      // Names are lower-case identifiers; escape LIKE wildcards so the text matches literally.
      const escaped = query.nameContains
        .toLocaleLowerCase('en-US')
        .replace(/[\\%_]/g, c => `\\${c}`);
      builder.whereRaw(`p.name like ? escape '\\'`, [`%${escaped}%`]);
    }
    keyset.apply(builder, 'p');
    builder.options(TIMESTAMPS_AS_ISO);
    const page = keyset.page((await builder) as PipelineRow[]);
    return { items: page.rows.map(toPipeline), nextCursor: page.nextCursor };
  }

  async get(filter: AccessFilter, id: string) {
    const builder = this.knex('pipelines as p')
      .join('pipeline_versions as v', join =>
        join
          .on('v.pipeline_id', 'p.id')
          .andOn('v.version', 'p.current_version'),
      )
      .select('p.*', 'v.spec as spec')
      .where('p.id', id)
      .first();
    applyAccessFilter(builder, filter, 'p');
    const row = (await builder) as (PipelineRow & { spec: string }) | undefined;
    return row && { ...toPipeline(row), spec: JSON.parse(row.spec) };
  }

  async create(pipeline: NewPipeline): Promise<PipelineDetails> {
    await this.knex.transaction(async tx => {
      await tx('pipelines').insert({
        id: pipeline.id,
        organization_id: pipeline.organizationId,
        name: pipeline.name,
        description: pipeline.description ?? null,
        owner: pipeline.owner,
        pipeline_type: pipeline.pipelineType,
        schedule: pipeline.schedule?.cron ?? null,
        schedule_timezone: pipeline.schedule?.timezone ?? null,
        // The run driver looks at a saved schedule on its next tick (see runs/schedules.ts).
        next_run_at: pipeline.schedule ? pipeline.at : null,
        engine: pipeline.engine,
        current_version: 1,
        created_by: pipeline.createdBy,
        updated_by: pipeline.createdBy,
        created_at: pipeline.at,
        updated_at: pipeline.at,
      });
      await tx('pipeline_versions').insert({
        organization_id: pipeline.organizationId,
        pipeline_id: pipeline.id,
        version: 1,
        spec: JSON.stringify(pipeline.spec),
        spec_hash: pipeline.specHash,
        comment: pipeline.comment ?? null,
        created_by: pipeline.createdBy,
        created_at: pipeline.at,
      });
    });
    const created = await this.get(
      { organizationIds: [pipeline.organizationId] },
      pipeline.id,
    );
    return created!;
  }

  async addVersion(organizationId: string, id: string, v: NewPipelineVersion) {
    const saved = await this.knex.transaction(async tx => {
      // Compare-and-set on current_version: two concurrent updates cannot both win.
      const updated = await tx('pipelines')
        .where({
          id,
          organization_id: organizationId,
          current_version: v.expectedVersion,
        })
        .update({
          current_version: v.expectedVersion + 1,
          pipeline_type: v.pipelineType,
          schedule: v.schedule?.cron ?? null,
          schedule_timezone: v.schedule?.timezone ?? null,
          next_run_at: v.schedule ? v.at : null,
          ...(v.description !== undefined
            ? { description: v.description }
            : {}),
          ...(v.owner !== undefined ? { owner: v.owner } : {}),
          updated_by: v.createdBy,
          updated_at: v.at,
        });
      if (updated !== 1) {
        return false;
      }
      await tx('pipeline_versions').insert({
        organization_id: organizationId,
        pipeline_id: id,
        version: v.expectedVersion + 1,
        spec: JSON.stringify(v.spec),
        spec_hash: v.specHash,
        comment: v.comment ?? null,
        restored_from_version: v.restoredFromVersion ?? null,
        created_by: v.createdBy,
        created_at: v.at,
      });
      return true;
    });
    return saved
      ? this.get({ organizationIds: [organizationId] }, id)
      : undefined;
  }

  async listVersions(
    organizationId: string,
    pipelineId: string,
    page: { cursor?: string; limit: number },
  ) {
    // Versions are unique within a pipeline, so the version is its own tie-breaker.
    const keyset = await openKeyset<VersionRow>(this.knex, {
      list: 'pipeline-versions',
      scope: { organizationId, pipelineId },
      column: 'version',
      order: 'desc',
      valueType: 'integer',
      idType: 'integer',
      cursor: page.cursor,
      limit: page.limit,
      valueOf: row => Number(row.version),
      idOf: row => String(row.version),
      idColumn: 'version',
    });
    const builder = this.knex('pipeline_versions as v').select('v.*').where({
      'v.organization_id': organizationId,
      'v.pipeline_id': pipelineId,
    });
    keyset.apply(builder, 'v');
    const rows = keyset.page((await builder) as VersionRow[]);
    return {
      items: rows.rows.map(row => toVersion(row, false)),
      nextCursor: rows.nextCursor,
    };
  }

  async getVersion(
    organizationId: string,
    pipelineId: string,
    version: number,
  ) {
    const row = (await this.knex('pipeline_versions')
      .where({
        organization_id: organizationId,
        pipeline_id: pipelineId,
        version,
      })
      .first()) as VersionRow | undefined;
    return row && toVersion(row, true);
  }

  async delete(organizationId: string, id: string) {
    return this.knex.transaction(async tx => {
      // SQLite enforces ON DELETE CASCADE only with foreign keys on; delete children explicitly.
      const runIds = tx('runs')
        .select('id')
        .where({ organization_id: organizationId, pipeline_id: id });
      await tx('run_events')
        .where('organization_id', organizationId)
        .whereIn('run_id', runIds)
        .delete();
      await tx('quality_results')
        .where({ organization_id: organizationId, pipeline_id: id })
        .delete();
      await tx('runs')
        .where({ organization_id: organizationId, pipeline_id: id })
        .delete();
      await tx('lineage_edges')
        .where({ organization_id: organizationId, pipeline_id: id })
        .delete();
      await tx('pipeline_run_summary')
        .where({ organization_id: organizationId, pipeline_id: id })
        .delete();
      await tx('pipeline_versions')
        .where({ organization_id: organizationId, pipeline_id: id })
        .delete();
      const deleted = await tx('pipelines')
        .where({ organization_id: organizationId, id })
        .delete();
      return deleted === 1;
    });
  }

  async recordDeployment(
    organizationId: string,
    id: string,
    deployment: PipelineDeployment,
  ) {
    await this.knex('pipelines')
      .where({ organization_id: organizationId, id })
      .update({
        databricks_job_id: deployment.databricksJobId,
        deployed_version: deployment.deployedVersion,
        deployed_at: deployment.at,
        // Absent URLs clear earlier ones: they described the job recorded before.
        databricks_job_url: deployment.jobUrl ?? null,
        databricks_workspace_url: deployment.workspaceUrl ?? null,
        deployed_spec_hash: deployment.specHash ?? null,
        databricks_job_verified_at: deployment.verifiedAt,
      });
  }

  async getDeployment(organizationId: string, id: string) {
    const row = (await this.knex('pipelines')
      .select(
        'databricks_job_id',
        'deployed_version',
        'databricks_job_verified_at',
      )
      .where({ organization_id: organizationId, id })
      .first()) as PipelineRow | undefined;
    if (!row?.databricks_job_id || !row.deployed_version) {
      return undefined;
    }
    return {
      databricksJobId: row.databricks_job_id,
      deployedVersion: Number(row.deployed_version),
      verifiedAt: row.databricks_job_verified_at
        ? new Date(row.databricks_job_verified_at)
        : undefined,
    };
  }

  async markDeploymentVerified(
    organizationId: string,
    id: string,
    databricksJobId: string,
    at: Date,
  ) {
    const updated = await this.knex('pipelines')
      .where({
        organization_id: organizationId,
        id,
        databricks_job_id: databricksJobId,
      })
      .update({ databricks_job_verified_at: at });
    return updated === 1;
  }
}
