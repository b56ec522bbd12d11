import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import {
  costReadPermission,
  type Chargeback,
  type CostGroupBy,
  type CostReport,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import type { IngestionAuthorizer } from '../authorization/IngestionAuthorizer';
import type { CostsStore } from '../database/CostsStore';
import type { OrganizationDirectory } from '../organizations/OrganizationDirectory';

// Micro-units: a local run costs fractions of a cent, which two decimals would show as 0.
const round2 = (n: number) => Math.round(n * 1e6) / 1e6;

/** Cost reports, budgets and chargeback statements per organization. */
export class CostsService {
  constructor(
    private readonly options: {
      costs: CostsStore;
      authorizer: IngestionAuthorizer;
      directory: OrganizationDirectory;
      currency: string;
      clock?: () => Date;
    },
  ) {}

  private currentPeriod() {
    return (this.options.clock?.() ?? new Date()).toISOString().slice(0, 7);
  }

  async report(
    credentials: BackstageCredentials,
    query: {
      organization: string;
      groupBy: CostGroupBy;
      from?: string;
      to?: string;
    },
  ): Promise<CostReport> {
    await this.options.authorizer.authorizeOrganization(
      credentials,
      costReadPermission,
      query.organization,
    );
    const organization = this.options.directory.get(query.organization);
    const groups = await this.options.costs.grouped(
      organization.id,
      query.groupBy,
      query,
    );
    const spentThisMonth = await this.options.costs.totalForPeriod(
      organization.id,
      this.currentPeriod(),
    );
    return {
      organization: organization.id,
      currency: this.options.currency,
      groupBy: query.groupBy,
      total: round2(groups.reduce((sum, g) => sum + g.amount, 0)),
      budget: organization.budget && {
        monthly: organization.budget.monthly,
        spentThisMonth: round2(spentThisMonth),
        remaining: round2(organization.budget.monthly - spentThisMonth),
      },
      groups: groups.map(g => ({
        key: g.key ?? 'unattributed',
        amount: round2(g.amount),
        quantity: Math.round(g.quantity * 1000) / 1000,
      })),
    };
  }

  async chargeback(
    credentials: BackstageCredentials,
    query: { organization: string; month: string },
  ): Promise<Chargeback> {
    await this.options.authorizer.authorizeOrganization(
      credentials,
      costReadPermission,
      query.organization,
    );
    const organization = this.options.directory.get(query.organization);
    const lines = await this.options.costs.chargebackLines(
      organization.id,
      query.month,
    );
    return {
      organization: organization.id,
      costCenter: organization.costCenter,
      month: query.month,
      currency: this.options.currency,
      total: round2(lines.reduce((sum, l) => sum + l.amount, 0)),
      lines: lines.map(line => ({
        serviceType: line.serviceType,
        pipelineId: line.pipelineId ?? undefined,
        pipelineName: line.pipelineName ?? undefined,
        unit: line.unit,
        quantity: Math.round(line.quantity * 1000) / 1000,
        amount: round2(line.amount),
      })),
    };
  }
}

/** A chargeback statement as CSV (RFC 4180 quoting), one line per service and pipeline. */
export function chargebackCsv(statement: Chargeback): string {
  const quote = (value: string | number | undefined) => {
    const text = value === undefined ? '' : String(value);
    return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  const header = [
    'organization',
    'cost_center',
    'month',
    'service_type',
    'pipeline_id',
    'pipeline_name',
    'unit',
    'quantity',
    'amount',
    'currency',
  ];
  const rows = statement.lines.map(line => [
    statement.organization,
    statement.costCenter,
    statement.month,
    line.serviceType,
    line.pipelineId,
    line.pipelineName,
    line.unit,
    line.quantity,
    line.amount,
    statement.currency,
  ]);
  return `${[header, ...rows]
    .map(row => row.map(quote).join(','))
    .join('\r\n')}\r\n`;
}
