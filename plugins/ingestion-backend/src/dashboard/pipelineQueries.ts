import type { Knex } from 'knex';
import { applyAccessFilter, type AccessFilter } from '../database/conditions';
import type { PipelineHealth } from './healthSql';

/** The pipelines a dashboard covers: the caller's readable ones of one organization. */
export interface DashboardScope {
  organizationId: string;
  filter: AccessFilter;
}

/** Server-side filters of the dashboard's pipelines table. */
export interface DashboardPipelineQuery {
  /** Part of the name (case-insensitive). */
  name?: string;
  owner?: string;
  type?: 'batch' | 'streaming';
  engine?: string;
  status?: PipelineHealth;
  /** A catalog tag of the pipeline: its type, or the kind of a dataset it reads or writes. */
  tag?: string;
  offset: number;
  limit: number;
}

/** The catalog's tags of datasets (as the catalog module names them) → the lineage dataset kinds. */
export const TAG_DATASET_KINDS: Record<string, string[]> = {
  mysql: ['mysql-table'],
  mariadb: ['mariadb-table'],
  postgres: ['postgres-table'],
  kafka: ['kafka-topic'],
  http: ['http-api'],
  iceberg: ['iceberg-table'],
  delta: ['delta-table'],
  files: ['file-path'],
  s3: ['s3-prefix'],
};

function escapeLike(text: string): string {
  return text.toLocaleLowerCase('en-US').replace(/[\\%_]/g, c => `\\${c}`);
}

/** The statements the dashboard's stores share: the scoped pipelines, and how they run. */
export class DashboardQueries {
  constructor(readonly knex: Knex) {}

  /**
   * Runs the statements of `fn` with PostgreSQL's JIT off: it over-estimates the per-pipeline
   * subqueries, and compiling them costs more than running them (about half the time at 4,000
   * pipelines). Other databases run them as they are.
   */
  async withoutJit<T>(fn: (tx?: Knex.Transaction) => Promise<T>): Promise<T> {
    if (!String(this.knex.client.config.client ?? '').includes('pg')) {
      return fn();
    }
    return this.knex.transaction(async tx => {
      await tx.raw('set local jit = off');
      return fn(tx);
    });
  }

  run<T>(builder: Knex.QueryBuilder, tx?: Knex.Transaction) {
    return (tx ? builder.transacting(tx) : builder) as unknown as Promise<T>;
  }

  /** Pipelines of the scope, optionally narrowed by the table's filters (not health). */
  pipelines(
    scope: DashboardScope,
    query: Partial<DashboardPipelineQuery> = {},
  ): Knex.QueryBuilder {
    const builder = this.knex('pipelines as p').where(
      'p.organization_id',
      scope.organizationId,
    );
    applyAccessFilter(builder, scope.filter, 'p');
    if (query.name) {
      builder.whereRaw(`lower(p.name) like ? escape '\\'`, [
        `%${escapeLike(query.name)}%`,
      ]);
    }
    if (query.owner) {
      builder.where('p.owner', query.owner.toLocaleLowerCase('en-US'));
    }
    if (query.type) builder.where('p.pipeline_type', query.type);
    if (query.engine) builder.where('p.engine', query.engine);
    if (query.tag) {
      const tag = query.tag.toLocaleLowerCase('en-US');
      if (tag === 'batch' || tag === 'streaming') {
        builder.where('p.pipeline_type', tag);
      } else if (tag !== 'data-pipeline') {
        const kinds = TAG_DATASET_KINDS[tag];
        if (!kinds) {
          builder.whereRaw('1 = 0');
        } else {
          builder.whereExists(
            this.knex('lineage_edges as e')
              .select(this.knex.raw('1'))
              .whereRaw('e.organization_id = p.organization_id')
              .whereRaw('e.pipeline_id = p.id')
              .whereIn('e.dataset_kind', kinds),
          );
        }
      }
    }
    return builder;
  }
}
