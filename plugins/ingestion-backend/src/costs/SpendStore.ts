import type { Knex } from 'knex';
import { openKeyset } from '../database/keyset';

/** The tags spend can be grouped by, and their columns. */
export const SPEND_TAG_COLUMNS = {
  organization: 'organization_id',
  costCenter: 'cost_center',
  environment: 'environment',
  service: 'service_type',
  owner: 'owner_team',
  project: 'project',
  pipeline: 'pipeline_id',
  table: 'table_id',
  source: 'source',
} as const;

export type SpendTag = keyof typeof SPEND_TAG_COLUMNS;

/** Which records: one organization, a range of days, optionally some teams' only. */
export interface SpendScope {
  organizationId: string;
  /** `YYYY-MM-DD`, inclusive. */
  from: string;
  /** `YYYY-MM-DD`, inclusive. */
  to: string;
  /** Owner teams (a team and its sub-groups); all records when absent. */
  teams?: string[];
}

export interface PipelineSpendRow {
  id: string;
  name: string;
  owner: string;
  amount: number;
  runs: number;
  goodRows: number;
}

const num = (value: unknown) => Number(value ?? 0);

/** Spend queries over `cost_records`, aggregated in SQL on the (organization, day) indexes. */
export class SpendStore {
  constructor(private readonly knex: Knex) {}

  private scoped(scope: SpendScope, alias = 'cost_records') {
    const builder = this.knex(alias)
      .where(`organization_id`, scope.organizationId)
      .where('day', '>=', scope.from)
      .where('day', '<=', scope.to);
    if (scope.teams) builder.whereIn('owner_team', scope.teams);
    return builder;
  }

  /** Spend per day (or month) and tag value. */
  async series(
    scope: SpendScope,
    options: { bucket: 'day' | 'month'; groupBy: SpendTag },
  ): Promise<Array<{ bucket: string; key: string | null; amount: number }>> {
    const column = SPEND_TAG_COLUMNS[options.groupBy];
    const bucket = options.bucket === 'day' ? 'day' : 'substr(day, 1, 7)';
    const rows = await this.scoped(scope)
      .select(this.knex.raw(`${bucket} as bucket`), { key: column })
      .sum({ amount: 'amount' })
      .groupByRaw(`${bucket}, ${column}`);
    return rows.map((row: any) => ({
      bucket: String(row.bucket),
      key: row.key === null || row.key === undefined ? null : String(row.key),
      amount: num(row.amount),
    }));
  }

  /** Spend per tag value over the scope, largest first. */
  async totals(
    scope: SpendScope,
    groupBy: SpendTag,
    limit?: number,
  ): Promise<Array<{ key: string | null; amount: number }>> {
    const column = SPEND_TAG_COLUMNS[groupBy];
    const builder = this.scoped(scope)
      .select({ key: column })
      .sum({ amount: 'amount' })
      .groupBy(column)
      .orderBy('amount', 'desc');
    if (limit) builder.limit(limit);
    const rows = await builder;
    return rows.map((row: any) => ({
      key: row.key === null || row.key === undefined ? null : String(row.key),
      amount: num(row.amount),
    }));
  }

  async total(scope: SpendScope): Promise<number> {
    const [row] = await this.scoped(scope).sum({ total: 'amount' });
    return num(row?.total);
  }

  /** Names of an organization's pipelines. */
  async pipelineNames(
    organizationId: string,
    ids: string[],
  ): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const rows = await this.knex('pipelines')
      .where('organization_id', organizationId)
      .whereIn('id', ids)
      .select('id', 'name');
    return new Map(rows.map(row => [row.id, row.name]));
  }

  /**
   * A month per pipeline, by name: its cost, its runs and the rows that passed quality (the
   * rows succeeded runs wrote: `drop` rules removed the failing rows, `fail` rules wrote none).
   */
  async pipelinesOfMonth(options: {
    organizationId: string;
    month: string;
    owners?: string[];
    cursor?: string;
    limit: number;
  }): Promise<{ rows: PipelineSpendRow[]; nextCursor?: string }> {
    const { knex, organizationId, month } = { knex: this.knex, ...options };
    const start = new Date(`${month}-01T00:00:00Z`);
    const end = new Date(start);
    end.setUTCMonth(end.getUTCMonth() + 1);
    const costs = knex('cost_records')
      .where({ organization_id: organizationId, period: month })
      .whereNotNull('pipeline_id')
      .groupBy('pipeline_id')
      .select('pipeline_id')
      .sum({ amount: 'amount' })
      .as('c');
    const runs = knex('runs')
      .where('organization_id', organizationId)
      .where('queued_at', '>=', start)
      .where('queued_at', '<', end)
      .groupBy('pipeline_id')
      .select('pipeline_id')
      .count({ runs: '*' })
      .select(
        knex.raw(
          "sum(case when status = 'succeeded' then rows_written else 0 end) as good_rows",
        ),
      )
      .as('r');
    const keyset = await openKeyset<any>(knex, {
      list: 'cost-pipelines',
      scope: { organizationId, month, owners: options.owners },
      column: 'name',
      order: 'asc',
      valueType: 'string',
      cursor: options.cursor,
      limit: options.limit,
      valueOf: row => row.name,
      idOf: row => row.id,
    });
    const builder = knex('pipelines as p')
      .leftJoin(costs, 'c.pipeline_id', 'p.id')
      .leftJoin(runs, 'r.pipeline_id', 'p.id')
      .where('p.organization_id', organizationId)
      .select('p.id', 'p.name', 'p.owner', 'c.amount', 'r.runs', 'r.good_rows');
    if (options.owners) {
      // A team's pipelines: owned by the team (or a sub-group), or by a member charged to it.
      const owners = options.owners;
      builder.where(q =>
        q
          .whereIn('p.owner', owners)
          .orWhereIn(
            'p.id',
            knex('cost_records')
              .where('organization_id', organizationId)
              .whereIn('owner_team', owners)
              .whereNotNull('pipeline_id')
              .distinct('pipeline_id'),
          ),
      );
    }
    keyset.apply(builder, 'p');
    const page = keyset.page(await builder);
    return {
      rows: page.rows.map(row => ({
        id: row.id,
        name: row.name,
        owner: row.owner,
        amount: num(row.amount),
        runs: num(row.runs),
        goodRows: num(row.good_rows),
      })),
      nextCursor: page.nextCursor,
    };
  }

  /** Chargeback lines of a month by cost center or team, with the unit quantities. */
  async chargebackBy(
    organizationId: string,
    month: string,
    by: 'costCenter' | 'team',
  ): Promise<
    Array<{ key: string | null; serviceType: string; amount: number }>
  > {
    const column = by === 'team' ? 'owner_team' : 'cost_center';
    const rows = await this.knex('cost_records')
      .where({ organization_id: organizationId, period: month })
      .select({ key: column, serviceType: 'service_type' })
      .sum({ amount: 'amount' })
      .groupBy(column, 'service_type')
      .orderBy([{ column }, { column: 'service_type' }]);
    return rows.map((row: any) => ({
      key: row.key ?? null,
      serviceType: row.serviceType,
      amount: num(row.amount),
    }));
  }
}
