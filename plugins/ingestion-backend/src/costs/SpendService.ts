import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import {
  budgetManagePermission,
  costReadPermission,
  type BudgetAlert,
  type BudgetList,
  type BudgetStatus,
  type BudgetUpdate,
  type ChargebackBreakdown,
  type PipelineSpend,
  type SpendGranularity,
  type SpendSeries,
  type SpendSummary,
  type SpendTag,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import type { AuditRecord } from '../audit';
import type { IngestionAuthorizer } from '../authorization/IngestionAuthorizer';
import type { OrganizationDirectory } from '../organizations/OrganizationDirectory';
import type { Budgets } from './Budgets';
import {
  budgetAlerts,
  budgetList,
  deleteBudget,
  putBudget,
} from './budgetRequests';
import { chargebackBreakdown } from './chargebackBreakdown';
import { pipelineSpend } from './pipelineSpend';
import type { SpendContext } from './spendContext';
import { spendSeries, spendSummary } from './spendSeries';
import type { SpendStore } from './SpendStore';

/**
 * Spend of an organization and its teams: series by any tag, the card summary, per-pipeline
 * cost per run and per good row, chargeback by cost center or team, budgets and their alerts.
 * Every method requires `ingestion.cost.read` on the organization (other organizations: 404),
 * as `GET /v1/costs` does; setting budgets requires `ingestion.budget.manage` (admins).
 */
export class SpendService {
  constructor(
    private readonly options: {
      spend: SpendStore;
      budgets: Budgets;
      authorizer: IngestionAuthorizer;
      directory: OrganizationDirectory;
      currency: string;
      audit?: { record(event: AuditRecord): Promise<void> };
      clock?: () => Date;
    },
  ) {}

  private now() {
    return this.options.clock?.() ?? new Date();
  }

  /** What the requests read and record, once authorized. */
  private context(): SpendContext {
    return {
      spend: this.options.spend,
      budgets: this.options.budgets,
      currency: this.options.currency,
      audit: this.options.audit,
      now: () => this.now(),
    };
  }

  private async authorize(
    credentials: BackstageCredentials,
    organization: string,
  ) {
    await this.options.authorizer.authorizeOrganization(
      credentials,
      costReadPermission,
      organization,
    );
    return this.options.directory.get(organization);
  }

  async spend(
    credentials: BackstageCredentials,
    query: {
      organization: string;
      from?: string;
      to?: string;
      granularity?: SpendGranularity;
      groupBy?: SpendTag;
      team?: string;
    },
  ): Promise<SpendSeries> {
    const organization = await this.authorize(credentials, query.organization);
    return spendSeries(this.context(), organization.id, query);
  }

  async summary(
    credentials: BackstageCredentials,
    query: { organization: string; team?: string },
  ): Promise<SpendSummary> {
    const organization = await this.authorize(credentials, query.organization);
    return spendSummary(this.context(), organization, query);
  }

  async pipelines(
    credentials: BackstageCredentials,
    query: {
      organization: string;
      month?: string;
      team?: string;
      cursor?: string;
      limit: number;
    },
  ): Promise<{ items: PipelineSpend[]; nextCursor?: string }> {
    const organization = await this.authorize(credentials, query.organization);
    return pipelineSpend(this.context(), organization.id, query);
  }

  async chargebackBreakdown(
    credentials: BackstageCredentials,
    query: { organization: string; month: string; by: 'costCenter' | 'team' },
  ): Promise<ChargebackBreakdown> {
    const organization = await this.authorize(credentials, query.organization);
    return chargebackBreakdown(this.context(), organization.id, query);
  }

  async budgets(
    credentials: BackstageCredentials,
    organizationId: string,
  ): Promise<BudgetList> {
    const organization = await this.authorize(credentials, organizationId);
    return budgetList(this.context(), organization);
  }

  async putBudget(
    credentials: BackstageCredentials,
    update: BudgetUpdate,
  ): Promise<BudgetStatus> {
    await this.options.authorizer.authorizeOrganization(
      credentials,
      budgetManagePermission,
      update.organization,
    );
    const organization = this.options.directory.get(update.organization);
    return putBudget(this.context(), credentials, organization, update);
  }

  async deleteBudget(
    credentials: BackstageCredentials,
    query: { organization: string; team?: string },
  ): Promise<void> {
    await this.options.authorizer.authorizeOrganization(
      credentials,
      budgetManagePermission,
      query.organization,
    );
    return deleteBudget(this.context(), credentials, query);
  }

  async alerts(
    credentials: BackstageCredentials,
    query: { organization: string; team?: string; from?: string },
  ): Promise<{ items: BudgetAlert[] }> {
    const organization = await this.authorize(credentials, query.organization);
    return budgetAlerts(this.context(), organization.id, query);
  }
}
