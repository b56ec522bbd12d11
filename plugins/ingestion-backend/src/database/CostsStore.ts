import type { Knex } from 'knex';

export interface NewCostRecord {
  organizationId: string;
  costCenter: string;
  environment: string;
  serviceType: 'compute' | 'storage' | 'platform';
  pipelineId?: string;
  runId?: string;
  quantity: number;
  unit: 'DBU' | 'GB-month' | 'request';
  amount: number;
  currency: string;
  /** `YYYY-MM` */
  period: string;
  at: Date;
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
    await this.knex('cost_records').insert({
      organization_id: record.organizationId,
      cost_center: record.costCenter,
      environment: record.environment,
      service_type: record.serviceType,
      pipeline_id: record.pipelineId ?? null,
      run_id: record.runId ?? null,
      quantity: record.quantity,
      unit: record.unit,
      amount: record.amount,
      currency: record.currency,
      period: record.period,
      recorded_at: record.at,
    });
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
