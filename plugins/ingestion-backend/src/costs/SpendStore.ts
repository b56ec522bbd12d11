import type { Knex } from 'knex';
import { openKeyset } from '../database/keyset';
import { SpendRollup } from './SpendRollup';

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
  /** Every record of the month: runs, storage, platform, history. */
  amount: number;
  /** The records that carry a run: what the month's runs cost. */
  runAmount: number;
  runs: number;
  goodRows: number;
}

const num = (value: unknown) => Number(value ?? 0);

/** Tags the daily totals keep; pipeline, table and project are read from the records. */
const ROLLED_UP: ReadonlySet<SpendTag> = new Set([
  'organization',
  'costCenter',
  'environment',
  'service',
  'owner',
  'source',
]);

/** '' in the daily totals and null in the records both mean "no such tag". */
const keyOf = (value: unknown) =>
  value === null || value === undefined || value === '' ? null : String(value);

/**
 * Spend queries: by tag from the daily totals (a few rows per day, brought up to date with new
 * records first), by pipeline or table from the records (indexes lead with the organization).
 */
export class SpendStore {
  constructor(
    private readonly knex: Knex,
    readonly rollup: SpendRollup = new SpendRollup(knex),
  ) {}

  /**
   * The records (or daily totals) of a scope; the totals are brought up to date first. Returns
   * the query builder in an object, as awaiting a builder would run it.
   */
  private async scoped(scope: SpendScope, groupBy?: SpendTag) {
    const rolledUp = groupBy === undefined || ROLLED_UP.has(groupBy);
    if (rolledUp) await this.rollup.sync(scope.organizationId);
    const query = this.knex(rolledUp ? 'cost_daily_totals' : 'cost_records')
      .where(`organization_id`, scope.organizationId)
      .where('day', '>=', scope.from)
      .where('day', '<=', scope.to);
    if (scope.teams) query.whereIn('owner_team', scope.teams);
    return { query };
  }

  /** Spend per day (or month) and tag value. */
  async series(
    scope: SpendScope,
    options: { bucket: 'day' | 'month'; groupBy: SpendTag },
  ): Promise<Array<{ bucket: string; key: string | null; amount: number }>> {
    const column = SPEND_TAG_COLUMNS[options.groupBy];
    const bucket = options.bucket === 'day' ? 'day' : 'substr(day, 1, 7)';
    const { query } = await this.scoped(scope, options.groupBy);
    const rows = await query
      .select(this.knex.raw(`${bucket} as bucket`), { key: column })
      .sum({ amount: 'amount' })
      .groupByRaw(`${bucket}, ${column}`);
    // '' and null (the same: no tag) may come as two groups; they add up.
    const merged = new Map<
      string,
      { bucket: string; key: string | null; amount: number }
    >();
    for (const row of rows as any[]) {
      const point = { bucket: String(row.bucket), key: keyOf(row.key) };
      const id = `${point.bucket}\n${point.key}`;
      const amount = (merged.get(id)?.amount ?? 0) + num(row.amount);
      merged.set(id, { ...point, amount });
    }
    return [...merged.values()];
  }

  /** Spend per tag value over the scope, largest first. */
  async totals(
    scope: SpendScope,
    groupBy: SpendTag,
    limit?: number,
  ): Promise<Array<{ key: string | null; amount: number }>> {
    const column = SPEND_TAG_COLUMNS[groupBy];
    const { query } = await this.scoped(scope, groupBy);
    const builder = query
      .select({ key: column })
      .sum({ amount: 'amount' })
      .groupBy(column)
      .orderBy('amount', 'desc');
    if (limit) builder.limit(limit);
    const rows = await builder;
    return rows.map((row: any) => ({
      key: keyOf(row.key),
      amount: num(row.amount),
    }));
  }

  async total(scope: SpendScope): Promise<number> {
    const { query } = await this.scoped(scope);
    const [row] = await query.sum({ total: 'amount' });
    return num(row?.total);
  }

  /** A month's most expensive pipelines (index-only on (organization, period, pipeline, amount)). */
  async topPipelines(
    organizationId: string,
    month: string,
    teams: string[] | undefined,
    limit: number,
  ): Promise<Array<{ key: string; amount: number }>> {
    const builder = this.knex('cost_records')
      .where({ organization_id: organizationId, period: month })
      .whereNotNull('pipeline_id')
      .select({ key: 'pipeline_id' })
      .sum({ amount: 'amount' })
      .groupBy('pipeline_id')
      .orderBy('amount', 'desc')
      .limit(limit);
    if (teams) builder.whereIn('owner_team', teams);
    const rows = await builder;
    return rows.map((row: any) => ({
      key: String(row.key),
      amount: num(row.amount),
    }));
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
    // The page first (by name), then the month's costs and runs of its pipelines only: the work
    // is per page, not per organization (index (organization, pipeline) of both tables).
    const builder = knex('pipelines as p')
      .where('p.organization_id', organizationId)
      .select('p.id', 'p.name', 'p.owner');
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
    const ids = page.rows.map(row => row.id as string);
    const [costs, runs] = ids.length
      ? await Promise.all([
          knex('cost_records')
            .where('organization_id', organizationId)
            .whereIn('pipeline_id', ids)
            .where('period', month)
            .groupBy('pipeline_id')
            .select('pipeline_id')
            .sum({ amount: 'amount' })
            .select(
              knex.raw(
                'sum(case when run_id is not null then amount else 0 end) as run_amount',
              ),
            ),
          knex('runs')
            .where('organization_id', organizationId)
            .whereIn('pipeline_id', ids)
            .where('queued_at', '>=', start)
            .where('queued_at', '<', end)
            .groupBy('pipeline_id')
            .select('pipeline_id')
            .count({ runs: '*' })
            .select(
              knex.raw(
                "sum(case when status = 'succeeded' then rows_written else 0 end) as good_rows",
              ),
            ),
        ])
      : [[], []];
    const costOf = new Map(costs.map((c: any) => [c.pipeline_id, c]));
    const runsOf = new Map(runs.map((r: any) => [r.pipeline_id, r]));
    return {
      rows: page.rows.map(row => ({
        id: row.id,
        name: row.name,
        owner: row.owner,
        amount: num(costOf.get(row.id)?.amount),
        runAmount: num(costOf.get(row.id)?.run_amount),
        runs: num(runsOf.get(row.id)?.runs),
        goodRows: num(runsOf.get(row.id)?.good_rows),
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
