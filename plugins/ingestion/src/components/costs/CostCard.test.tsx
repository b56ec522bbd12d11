import { renderInTestApp } from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { configure, screen, waitFor, within } from '@testing-library/react';
import { costsApiRef, type CostsApi } from '../../api/CostsApi';
import { responseError } from '../../api/__testUtils__/mockIngestionApi';
import { pipelineRouteRef } from '../../routes';
import { EntityCostCard } from './CostCard';
import { costsRouteRef } from './routes';
import { mockCostsApi, summary } from './__testUtils__/mockCostsApi';

jest.setTimeout(60_000);
configure({ asyncUtilTimeout: 15_000 });

const group = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: {
    name: 'Finance',
    annotations: { 'ingestion.backstage.io/organization': 'finance' },
  },
  spec: { type: 'organization', children: [] },
};

const system = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'System',
  metadata: {
    name: 'finance-data-platform',
    namespace: 'finance',
    annotations: { 'ingestion.backstage.io/organization': 'finance' },
  },
  spec: { owner: 'group:default/finance' },
};

function render(api: CostsApi, entity: object = group) {
  return renderInTestApp(
    <EntityProvider entity={entity as any}>
      <div data-testid="slot">
        <EntityCostCard />
      </div>
    </EntityProvider>,
    {
      apis: [[costsApiRef, api]],
      mountedRoutes: {
        '/ingestion/pipelines/:pipelineId': pipelineRouteRef,
        '/ingestion/costs': costsRouteRef,
      },
    },
  );
}

describe('EntityCostCard', () => {
  it("shows a team's month to date against its budget, forecast, services and top pipelines", async () => {
    const getSummary = jest.fn(async () => summary());
    await render(mockCostsApi({ getSummary }));

    expect(await screen.findByText('Team spend')).toBeInTheDocument();
    // The group ref in lower case, as the backend resolves owners.
    expect(getSummary).toHaveBeenCalledWith({
      organization: 'finance',
      team: 'group:default/finance',
    });
    expect(screen.getByText('$1,250.50')).toBeInTheDocument();
    expect(screen.getByText('$3,100.00')).toBeInTheDocument();
    expect(
      screen.getByRole('progressbar', { name: 'Budget used this month' }),
    ).toHaveAttribute('aria-valuenow', '25');
    expect(
      screen.getByText('25% of $5,000.00 · forecast 62% ($3,100.00)'),
    ).toBeInTheDocument();
    const services = screen.getByRole('table', {
      name: 'Spend by service this month',
    });
    expect(within(services).getByText('compute')).toBeInTheDocument();
    expect(within(services).getByText('$1,000.25')).toBeInTheDocument();
    const top = screen.getByRole('table', { name: 'Top pipelines this month' });
    expect(
      within(top).getByRole('link', { name: 'daily-transactions' }),
    ).toHaveAttribute('href', '/ingestion/pipelines/p-1');
    expect(within(top).getByText('$800.50')).toBeInTheDocument();
    expect(
      screen.getByRole('link', { name: /Open the cost page/ }),
    ).toHaveAttribute('href', '/ingestion/costs?organization=finance');
  });

  it("shows the organization's spend on its System, without a team", async () => {
    const getSummary = jest.fn(async () =>
      summary({ team: undefined, budget: undefined }),
    );
    await render(mockCostsApi({ getSummary }), system);
    expect(await screen.findByText('Organization spend')).toBeInTheDocument();
    expect(getSummary).toHaveBeenCalledWith({ organization: 'finance' });
    expect(
      screen.getByText('No budget set for this organization.'),
    ).toBeInTheDocument();
  });

  it('shows a progress bar while loading', async () => {
    await render(mockCostsApi({ getSummary: () => new Promise(() => {}) }));
    expect(await screen.findByText('Team spend')).toBeInTheDocument();
    // core-components' Progress shows after a short delay.
    expect(await screen.findByRole('progressbar')).toBeInTheDocument();
  });

  it('says so when nothing was spent yet', async () => {
    await render(
      mockCostsApi({
        getSummary: async () =>
          summary({
            monthToDate: 0,
            forecast: 0,
            trend: summary().trend.map(t => ({ ...t, amount: 0 })),
            byService: [],
            topPipelines: [],
          }),
      }),
    );
    expect(
      await screen.findByText(/No spend recorded yet/),
    ).toBeInTheDocument();
    expect(screen.queryByText('Month to date')).not.toBeInTheDocument();
  });

  it("shows the server's error", async () => {
    await render(
      mockCostsApi({
        getSummary: async () => {
          throw await responseError(500, 'Error', 'the ledger is unreachable');
        },
      }),
    );
    expect(
      (await screen.findAllByText(/the ledger is unreachable/))[0],
    ).toBeInTheDocument();
  });

  it.each([
    [403, 'NotAllowedError'],
    [404, 'NotFoundError'],
  ])(
    'renders nothing for users who may not read the costs (%s)',
    async (status, name) => {
      const getSummary = jest.fn(async () => {
        throw await responseError(status, name, 'cost.read');
      });
      await render(mockCostsApi({ getSummary }));
      // While loading the card shows; once the answer is a denial, nothing is left.
      await waitFor(() =>
        expect(screen.getByTestId('slot')).toBeEmptyDOMElement(),
      );
      expect(getSummary).toHaveBeenCalled();
      expect(screen.queryByText(/cost\.read/)).not.toBeInTheDocument();
    },
  );

  it('renders nothing for entities outside any organization', async () => {
    const getSummary = jest.fn(async () => summary());
    await render(mockCostsApi({ getSummary }), {
      ...group,
      metadata: { name: 'someone-else' },
    });
    expect(screen.getByTestId('slot')).toBeEmptyDOMElement();
    expect(getSummary).not.toHaveBeenCalled();
  });
});
