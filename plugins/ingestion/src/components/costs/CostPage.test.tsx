import { renderInTestApp } from '@backstage/frontend-test-utils';
import type { OrganizationSummary } from '@ingestion-for-backstage/plugin-ingestion-common';
import { configure, screen, within } from '@testing-library/react';
import { costsApiRef, type CostsApi } from '../../api/CostsApi';
import { ingestionApiRef } from '../../api/IngestionApi';
import {
  mockIngestionApi,
  responseError,
} from '../../api/__testUtils__/mockIngestionApi';
import { pipelineRouteRef } from '../../routes';
import {
  allowOnly,
  financeOrganization,
  retailOrganization,
  withOwnPermissionCache,
} from '../__testUtils__/fixtures';
import { CostPage } from './CostPage';
import { costsRouteRef } from './routes';
import {
  financeBudget,
  mockCostsApi,
  series,
} from './__testUtils__/mockCostsApi';

jest.setTimeout(90_000);
configure({ asyncUtilTimeout: 15_000 });

const retail = retailOrganization(['admin']);

function render(
  costs: CostsApi,
  options: {
    organizations?: OrganizationSummary[] | Promise<never>;
    query?: string;
    permissions?: string[];
  } = {},
) {
  const organizations = options.organizations ?? [financeOrganization];
  return renderInTestApp(withOwnPermissionCache(<CostPage />), {
    mountPath: '/ingestion/costs',
    initialRouteEntries: [`/ingestion/costs${options.query ?? ''}`],
    mountedRoutes: {
      '/ingestion/costs': costsRouteRef,
      '/ingestion/pipelines/:pipelineId': pipelineRouteRef,
    },
    apis: [
      [costsApiRef, costs],
      [
        ingestionApiRef,
        mockIngestionApi({
          listOrganizations: () =>
            Array.isArray(organizations)
              ? Promise.resolve({ items: organizations })
              : organizations,
        }),
      ],
      allowOnly(...(options.permissions ?? [])),
    ],
  });
}

/** Every section of the page answering with finance's figures. */
const readable = (overrides: Partial<CostsApi> = {}) =>
  mockCostsApi({
    getSpend: jest.fn(async () => series()),
    getChargeback: jest.fn(async ({ month, by }) => ({
      organization: 'finance',
      month,
      currency: 'USD',
      by,
      total: 42.5,
      lines: [
        { key: 'FIN-001', serviceType: 'compute', amount: 40 },
        { key: 'FIN-001', serviceType: 'storage', amount: 2.5 },
      ],
    })),
    listBudgets: jest.fn(async () => ({
      organization: 'finance',
      currency: 'USD',
      month: '2026-12',
      items: [financeBudget],
    })),
    listBudgetAlerts: jest.fn(async () => ({
      items: [
        {
          month: '2026-11',
          threshold: 0.5,
          kind: 'actual' as const,
          amount: 2600,
          budget: 5000,
          raisedAt: '2026-11-20T10:00:00Z',
        },
      ],
    })),
    listPipelineSpend: jest.fn(async () => ({
      items: [
        {
          pipelineId: 'p-1',
          name: 'daily-transactions',
          owner: 'group:default/finance',
          month: '2026-12',
          currency: 'USD',
          cost: 12.5,
          runs: 5,
          costPerRun: 2.5,
          goodRows: 1_000_000,
          costPerGoodRow: 0.0000125,
        },
      ],
      nextCursor: 'c2',
    })),
    ...overrides,
  });

describe('CostPage', () => {
  it("shows the first organization's spend, chargeback, budgets and cost per good row", async () => {
    const costs = readable();
    await render(costs);

    expect(
      await screen.findByText(
        'Total $30.00 from 2026-11-08 to 2026-12-07, by service',
      ),
    ).toBeInTheDocument();
    expect(costs.getSpend).toHaveBeenCalledWith({
      organization: 'finance',
      groupBy: 'service',
      granularity: 'day',
    });
    expect(await screen.findByText('Total $42.50')).toBeInTheDocument();
    expect(screen.getAllByText('FIN-001')).toHaveLength(2);
    expect(
      await screen.findByRole('progressbar', {
        name: 'Budget of The organization used this month',
      }),
    ).toHaveAttribute('aria-valuenow', '25');
    expect(screen.getByText('50% (actual)')).toBeInTheDocument();
    const pipeline = (
      await screen.findByRole('link', {
        name: 'daily-transactions',
      })
    ).closest('tr')!;
    expect(
      within(pipeline).getByText('$0.0125 per 1,000 rows'),
    ).toBeInTheDocument();
    expect(within(pipeline).getByText('$2.50 per run')).toBeInTheDocument();
    expect(within(pipeline).getByText('1,000,000')).toBeInTheDocument();
    // Budgets are set by admins only: nobody granted budget.manage here.
    expect(
      screen.queryByRole('button', { name: 'Set a budget' }),
    ).not.toBeInTheDocument();
  });

  it('opens the organization named in the URL and switches between them', async () => {
    const costs = readable();
    await render(costs, {
      organizations: [financeOrganization, retail],
      query: '?organization=retail',
    });
    expect(
      await screen.findByText('Retail · cost center RET-001 · production'),
    ).toBeInTheDocument();
    expect(costs.getSpend).toHaveBeenCalledWith(
      expect.objectContaining({ organization: 'retail' }),
    );
  });

  it('tells a member without a cost role which roles grant it, and asks for no figures', async () => {
    const costs = readable();
    await render(costs, {
      organizations: [{ ...financeOrganization, roles: ['viewer'] }],
    });
    expect(
      await screen.findByText(
        /You need the admin, engineer or analyst role in Finance to see its spend$/,
      ),
    ).toBeInTheDocument();
    expect(costs.getSpend).not.toHaveBeenCalled();
    expect(costs.getChargeback).not.toHaveBeenCalled();
    expect(costs.listBudgets).not.toHaveBeenCalled();
  });

  it('says "not found" for an organization the user is not a member of', async () => {
    const costs = readable();
    await render(costs, { query: '?organization=retail' });
    expect(await screen.findByText('Not found')).toBeInTheDocument();
    expect(costs.getSpend).not.toHaveBeenCalled();
  });

  it('says so to users of no organization', async () => {
    await render(readable(), { organizations: [] });
    expect(
      await screen.findByText('You are not a member of any organization'),
    ).toBeInTheDocument();
  });

  it('shows a progress bar while the organizations load', async () => {
    await render(readable(), { organizations: new Promise<never>(() => {}) });
    expect(await screen.findByRole('progressbar')).toBeInTheDocument();
  });

  it("says when nothing was spent, and shows a section's error without hiding the others", async () => {
    await render(
      readable({
        getSpend: async () => series({ total: 0, keys: [], points: [] }),
        listBudgets: async () => {
          throw await responseError(500, 'Error', 'budgets are unreachable');
        },
      }),
    );
    expect(
      await screen.findByText(/No spend recorded in this range yet/),
    ).toBeInTheDocument();
    expect(
      (await screen.findAllByText(/budgets are unreachable/))[0],
    ).toBeInTheDocument();
    expect(await screen.findByText('Total $42.50')).toBeInTheDocument();
  });
});
