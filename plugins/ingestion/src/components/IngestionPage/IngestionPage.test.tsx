import { renderInTestApp } from '@backstage/frontend-test-utils';
import { signalApiRef, type SignalApi } from '@backstage/plugin-signals-react';
import type { OrganizationSummary } from '@ingestion-for-backstage/plugin-ingestion-common';
import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { dashboardApiRef, type DashboardApi } from '../../api/DashboardApi';
import { ingestionApiRef } from '../../api/IngestionApi';
import {
  mockIngestionApi,
  responseError,
} from '../../api/__testUtils__/mockIngestionApi';
import { pipelineRouteRef, rootRouteRef } from '../../routes';
import {
  financeOrganization,
  retailOrganization,
} from '../__testUtils__/fixtures';
import {
  dashboardPipeline,
  mockDashboardApi,
  organizationDashboard,
} from '../dashboard/__testUtils__/mockDashboardApi';
import { IngestionPage } from './IngestionPage';

// Rendering the tables in jsdom is slow on a busy 2-core machine: each wait for a render has the
// shared budget of setupTests.ts, each test the repository's jest timeout.

const finance = { ...financeOrganization, roles: ['analyst' as const] };
const retail = retailOrganization();

function mockSignals() {
  const listeners = new Map<string, (message: any) => void>();
  const api: SignalApi = {
    subscribe(channel, onMessage) {
      listeners.set(channel, onMessage as (message: any) => void);
      return { unsubscribe: () => listeners.delete(channel) };
    },
  };
  /**
   * Delivers a signal on `channel`, then lets the refetch throttle it starts (a timer of at most
   * this long, see useOrganizationRunSignals) elapse at once on fake timers, so a test waits for
   * the refetch and its render, not for seconds of throttle on the wall clock.
   */
  const send = (channel: string, message: object, throttleMs = 2000) => {
    jest.useFakeTimers();
    try {
      act(() => listeners.get(channel)!(message));
      act(() => {
        jest.advanceTimersByTime(throttleMs);
      });
    } finally {
      jest.useRealTimers();
    }
  };
  return { api, listeners, send };
}

function render(
  dashboard: DashboardApi,
  options: {
    organizations?: OrganizationSummary[];
    query?: string;
    signals?: SignalApi;
  } = {},
) {
  const organizations = options.organizations ?? [finance, retail];
  return renderInTestApp(<IngestionPage />, {
    mountPath: '/ingestion',
    initialRouteEntries: [`/ingestion${options.query ?? ''}`],
    mountedRoutes: {
      '/ingestion': rootRouteRef,
      '/ingestion/pipelines/:pipelineId': pipelineRouteRef,
    },
    apis: [
      [dashboardApiRef, dashboard],
      [
        ingestionApiRef,
        mockIngestionApi({
          listOrganizations: async () => ({ items: organizations }),
        }),
      ],
      ...(options.signals ? ([[signalApiRef, options.signals]] as const) : []),
    ] as any,
  });
}

const spied = (overrides: Partial<DashboardApi> = {}) => {
  const api = mockDashboardApi(overrides);
  jest.spyOn(api, 'getDashboard');
  jest.spyOn(api, 'listPipelines');
  return api;
};

describe('IngestionPage (organization dashboard)', () => {
  it("shows the first organization's health, runs, quality, spend, failures and pipelines", async () => {
    const api = spied();
    await render(api);
    expect(
      await screen.findByText(
        'Finance · cost center FIN-001 · production · your roles: analyst',
      ),
    ).toBeInTheDocument();
    expect(api.getDashboard).toHaveBeenCalledWith('finance');
    expect(await screen.findByTestId('health-failed')).toHaveTextContent('1');
    expect(screen.getByTestId('health-quality_breached')).toHaveTextContent(
      '2',
    );
    expect(screen.getByTestId('health-stale')).toHaveTextContent('1');
    expect(screen.getByTestId('health-healthy')).toHaveTextContent('3');
    expect(screen.getByText('81.8%')).toBeInTheDocument();
    expect(screen.getByText('9 succeeded, 2 failed')).toBeInTheDocument();
    expect(screen.getByText('1 queued or running now')).toBeInTheDocument();
    expect(screen.getByText('92.5')).toBeInTheDocument();
    expect(screen.getByText('18 of 20 rules passing')).toBeInTheDocument();
    expect(screen.getByText('$412.50')).toBeInTheDocument();
    expect(
      screen.getByText('41% of the $1,000.00 monthly budget'),
    ).toBeInTheDocument();
    // Recent failures link to the pipeline's runs.
    expect(
      screen.getByRole('link', {
        name: 'Runs of ledger, where run aaaaaaaa failed',
      }),
    ).toHaveAttribute('href', '/ingestion/pipelines/id-ledger?tab=runs');
    expect(
      screen.getByText('Source unreachable: finance-db'),
    ).toBeInTheDocument();
    // The pipelines, with health and the latest run.
    expect(
      await screen.findByRole('link', { name: 'daily-transactions' }),
    ).toHaveAttribute('href', '/ingestion/pipelines/id-daily-transactions');
    expect(screen.getByText('Pipelines (1)')).toBeInTheDocument();
  });

  it('sends the filters to the server, text once typing pauses, and pages on the server', async () => {
    const api = spied({
      listPipelines: async (_org, query) => ({
        items: [dashboardPipeline(`page-${query.offset ?? 0}`)],
        totalCount: 45,
      }),
    });
    await render(api);
    await screen.findByRole('link', { name: 'page-0' });

    await userEvent.type(screen.getByLabelText('Search by name'), 'pay');
    await waitFor(() =>
      expect(api.listPipelines).toHaveBeenLastCalledWith(
        'finance',
        expect.objectContaining({ name: 'pay', offset: 0, limit: 20 }),
      ),
    );
    // Typing is debounced: no request for a part of the word.
    const names = (api.listPipelines as jest.Mock).mock.calls.map(
      ([, q]) => q.name,
    );
    expect(names).not.toContain('p');
    expect(names).not.toContain('pa');

    // A health in the card filters the table by it.
    await userEvent.click(
      screen.getByRole('button', {
        name: 'Show the 1 pipelines: Stale against schedule',
      }),
    );
    await waitFor(() =>
      expect(api.listPipelines).toHaveBeenLastCalledWith(
        'finance',
        expect.objectContaining({ name: 'pay', status: 'stale' }),
      ),
    );

    await userEvent.click(screen.getByRole('button', { name: 'Next Page' }));
    expect(await screen.findByRole('link', { name: 'page-20' })).toBeVisible();
    expect(api.listPipelines).toHaveBeenLastCalledWith(
      'finance',
      expect.objectContaining({ offset: 20, status: 'stale' }),
    );
  });

  it('goes back to the last page when the total shrinks under the page shown', async () => {
    const { api: signals, send } = mockSignals();
    let total = 45;
    const api = spied({
      listPipelines: async (_org, query) => {
        const offset = query.offset ?? 0;
        return {
          items: offset < total ? [dashboardPipeline(`page-${offset}`)] : [],
          totalCount: total,
        };
      },
    });
    await render(api, { signals });
    await screen.findByRole('link', { name: 'page-0' });
    await userEvent.click(screen.getByRole('button', { name: 'Next Page' }));
    await screen.findByRole('link', { name: 'page-20' });
    await userEvent.click(screen.getByRole('button', { name: 'Next Page' }));
    await screen.findByRole('link', { name: 'page-40' });

    // Pipelines deleted elsewhere: the next refetch (a run signal) finds 30.
    total = 30;
    send('ingestion:runs:finance', {
      runId: 'r1',
      pipelineId: 'p1',
      organization: 'finance',
      status: 'succeeded',
    });
    expect(
      await screen.findByRole('link', { name: 'page-20' }),
    ).toBeInTheDocument();
    expect(api.listPipelines).toHaveBeenLastCalledWith(
      'finance',
      expect.objectContaining({ offset: 20 }),
    );
  });

  it('opens the organization of the URL, and switches organizations', async () => {
    const api = spied({
      getDashboard: async organization =>
        organizationDashboard({
          organization,
          spend: undefined,
        }),
    });
    await render(api, { query: '?organization=retail' });
    expect(
      await screen.findByText(
        'Retail · cost center RET-001 · production · your roles: viewer',
      ),
    ).toBeInTheDocument();
    expect(api.getDashboard).toHaveBeenCalledWith('retail');
    // A viewer: no spend.
    expect(
      await screen.findByText(
        'Your roles in this organization do not include reading its spend.',
      ),
    ).toBeInTheDocument();

    await userEvent.click(screen.getByLabelText('Organization'));
    const options = within(screen.getByRole('listbox'));
    expect(options.getAllByRole('option').map(o => o.textContent)).toEqual([
      'Finance',
      'Retail',
    ]);
    await userEvent.click(options.getByRole('option', { name: 'Finance' }));
    await waitFor(() =>
      expect(api.getDashboard).toHaveBeenLastCalledWith('finance'),
    );
  });

  it('says "not found" for an organization the user is not a member of, and asks nothing', async () => {
    const api = spied();
    await render(api, { query: '?organization=healthcare' });
    expect(await screen.findByText('Not found')).toBeInTheDocument();
    expect(api.getDashboard).not.toHaveBeenCalled();
    expect(api.listPipelines).not.toHaveBeenCalled();
  });

  it('says "not found" when the server denies the organization', async () => {
    const api = spied({
      getDashboard: async () => {
        throw await responseError(
          404,
          'NotFoundError',
          "Organization 'finance' not found",
        );
      },
    });
    await render(api);
    expect(await screen.findByText('Not found')).toBeInTheDocument();
  });

  it('shows the server’s message when the dashboard fails', async () => {
    await render(
      spied({
        getDashboard: async () => {
          throw await responseError(500, 'Error', 'Database is unavailable');
        },
      }),
    );
    expect(
      (await screen.findAllByText(/Database is unavailable/))[0],
    ).toBeInTheDocument();
  });

  it('says so for an organization without pipelines', async () => {
    await render(
      spied({
        getDashboard: async () =>
          organizationDashboard({
            pipelines: {
              total: 0,
              failed: 0,
              quality_breached: 0,
              stale: 0,
              healthy: 0,
            },
            recentFailures: [],
          }),
        listPipelines: async () => ({ items: [], totalCount: 0 }),
      }),
    );
    expect(
      await screen.findByText(
        'This organization has no pipelines yet. Create one from a template on the Create page.',
      ),
    ).toBeInTheDocument();
    expect(screen.getByText('No failed runs.')).toBeInTheDocument();
  });

  it('says so to users of no organization', async () => {
    const api = spied();
    await render(api, { organizations: [] });
    expect(
      await screen.findByText('You are not a member of any organization'),
    ).toBeInTheDocument();
    expect(api.getDashboard).not.toHaveBeenCalled();
  });

  it('shows run status live from signals, and refetches the numbers', async () => {
    const { api: signals, listeners, send } = mockSignals();
    const api = spied();
    await render(api, { signals });
    await screen.findByRole('link', { name: 'daily-transactions' });
    expect(screen.getByText('succeeded')).toBeInTheDocument();
    expect([...listeners.keys()]).toEqual(
      expect.arrayContaining([
        'ingestion:runs:finance',
        'ingestion:pipeline-runs:id-daily-transactions',
      ]),
    );
    const signal = {
      runId: 'r2',
      pipelineId: 'id-daily-transactions',
      organization: 'finance',
      status: 'running',
    };
    act(() =>
      listeners.get('ingestion:pipeline-runs:id-daily-transactions')!(signal),
    );
    expect(await screen.findByText('running')).toBeInTheDocument();
    const before = (api.getDashboard as jest.Mock).mock.calls.length;
    send('ingestion:runs:finance', signal);
    await waitFor(() =>
      expect((api.getDashboard as jest.Mock).mock.calls.length).toBeGreaterThan(
        before,
      ),
    );
  });
});
