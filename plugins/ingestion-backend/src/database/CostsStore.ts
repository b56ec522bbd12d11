import type { Knex } from 'knex';

/** Where a cost record's figure comes from. */
export type CostSource =
  | 'databricks-billing'
  | 'databricks-estimate'
  | 'local-measured'
  | 'storage-sample'
  | 'storage-written'
  | 'platform-usage'
  | 'demo';

export interface NewCostRecord {
  organizationId: string;
  costCenter: string;
  environment: string;
  serviceType: 'compute' | 'storage' | 'platform';
  pipelineId?: string;
  runId?: string;
  /** `data_tables` id of a table's storage. */
  tableId?: string;
  quantity: number;
  unit: 'DBU' | 'GB-month' | 'request' | 'CPU-second' | 'GB-hour';
  amount: number;
  currency: string;
  /** `YYYY-MM` */
  period: string;
  /** `YYYY-MM-DD` the cost belongs to; the day of `at` when absent. */
  day?: string;
  /** The pipeline's owner as recorded (user or group ref). */
  ownerRef?: string;
  /** The Owner tag: the team charged. Resolved later from `ownerRef` when absent. */
  ownerTeam?: string;
  /** The Project tag. */
  project?: string;
  source?: CostSource;
  measurement?: 'measured' | 'estimated';
  at: Date;
}

/** A group ref owns its costs itself; a person's team is resolved from the catalog later. */
export function teamOfOwner(ownerRef: string | undefined): string | undefined {
  return ownerRef?.startsWith('group:') ? ownerRef : undefined;
}

/** The row of a new cost record. */
export function costRecordRow(record: NewCostRecord) {
  return {
    organization_id: record.organizationId,
    cost_center: record.costCenter,
    environment: record.environment,
    service_type: record.serviceType,
    pipeline_id: record.pipelineId ?? null,
    run_id: record.runId ?? null,
    table_id: record.tableId ?? null,
    quantity: record.quantity,
    unit: record.unit,
    amount: record.amount,
    currency: record.currency,
    period: record.period,
    day: record.day ?? record.at.toISOString().slice(0, 10),
    owner_ref: record.ownerRef ?? null,
    owner_team: record.ownerTeam ?? teamOfOwner(record.ownerRef) ?? null,
    project: record.project ?? null,
    source: record.source ?? null,
    measurement: record.measurement ?? null,
    recorded_at: record.at,
  };
}

const GROUP_COLUMNS = {
  pipeline: 'pipeline_id',
  serviceType: 'service_type',
  period: 'period',
  costCenter: 'cost_center',
  environment: 'environment',
} as const;

export type CostGroupColumn = keyof typeof GROUP_COLUMNS;

/** Cost records of one organization, aggregated in SQL. */
export interface CostsStore {
  add(record: NewCostRecord): Promise<void>;
  grouped(
    organizationId: string,
    groupBy: CostGroupColumn,
    range: { from?: string; to?: string },
  ): Promise<Array<{ key: string | null; amount: number; quantity: number }>>;
  chargebackLines(
    organizationId: string,
    period: string,
  ): Promise<
    Array<{
      serviceType: string;
      pipelineId: string | null;
      pipelineName: string | null;
      unit: string;
      quantity: number;
      amount: number;
    }>
  >;
  totalForPeriod(organizationId: string, period: string): Promise<number>;
}

export class DatabaseCostsStore implements CostsStore {
  constructor(private readonly knex: Knex) {}

  async add(record: NewCostRecord) {
    await this.knex('cost_records').insert(costRecordRow(record));
  }

  async grouped(
    organizationId: string,
    groupBy: CostGroupColumn,
    range: { from?: string; to?: string },
  ) {
    const column = GROUP_COLUMNS[groupBy];
    const builder = this.knex('cost_records')
      .select({ key: column })
      .sum({ amount: 'amount', quantity: 'quantity' })
      .where('organization_id', organizationId)
      .groupBy(column)
      .orderBy('amount', 'desc');
    if (range.from) builder.where('period', '>=', range.from);
    if (range.to) builder.where('period', '<=', range.to);
    const rows = await builder;
    return rows.map((row: any) => ({
      key: row.key === null ? null : String(row.key),
      amount: Number(row.amount),
      quantity: Number(row.quantity),
    }));
  }

  async chargebackLines(organizationId: string, period: string) {
    const rows = await this.knex('cost_records as c')
      .leftJoin('pipelines as p', join =>
        join
          .on('p.id', 'c.pipeline_id')
          .andOn('p.organization_id', 'c.organization_id'),
      )
      .select({
        serviceType: 'c.service_type',
        pipelineId: 'c.pipeline_id',
        pipelineName: 'p.name',
        unit: 'c.unit',
      })
      .sum({ quantity: 'c.quantity', amount: 'c.amount' })
      .where({ 'c.organization_id': organizationId, 'c.period': period })
      .groupBy('c.service_type', 'c.pipeline_id', 'p.name', 'c.unit')
      .orderBy([{ column: 'c.service_type' }, { column: 'p.name' }]);
    return rows.map((row: any) => ({
      serviceType: row.serviceType,
      pipelineId: row.pipelineId ?? null,
      pipelineName: row.pipelineName ?? null,
      unit: row.unit,
      quantity: Number(row.quantity),
      amount: Number(row.amount),
    }));
  }

  async totalForPeriod(organizationId: string, period: string) {
    const [{ total }] = await this.knex('cost_records')
      .where({ organization_id: organizationId, period })
      .sum({ total: 'amount' });
    return Number(total ?? 0);
  }
}
