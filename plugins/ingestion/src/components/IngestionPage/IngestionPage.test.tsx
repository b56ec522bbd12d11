import { renderInTestApp } from '@backstage/frontend-test-utils';
import type {
  OrganizationSummary,
  Pipeline,
  Run,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ingestionApiRef, type IngestionApi } from '../../api/IngestionApi';
import { mockIngestionApi } from '../../api/__testUtils__/mockIngestionApi';
import { pipelineRouteRef } from '../../routes';
import { financeOrganization } from '../__testUtils__/fixtures';
import { IngestionPage } from './IngestionPage';

const organization: OrganizationSummary = {
  ...financeOrganization,
  roles: ['analyst'],
};

const pipeline = (name: string): Pipeline => ({
  id: `id-${name}`,
  organization: 'finance',
  name,
  owner: 'group:default/finance',
  pipelineType: 'batch',
  schedule: '0 2 * * *',
  scheduleTimezone: 'UTC',
  engine: 'local',
  currentVersion: 1,
  createdAt: '2026-11-01T00:00:00Z',
  createdBy: 'user:default/finance-engineer',
  updatedAt: '2026-11-01T00:00:00Z',
  updatedBy: 'user:default/finance-engineer',
});

function mockApi(overrides: Partial<IngestionApi> = {}): IngestionApi {
  return mockIngestionApi({
    listOrganizations: async () => ({ items: [organization] }),
    listPipelines: async ({ cursor } = {}) =>
      cursor === 'page-2'
        ? { items: [pipeline('second-page')] }
        : { items: [pipeline('daily-transactions')], nextCursor: 'page-2' },
    listRuns: async () => ({ items: [] as Run[] }),
    ...overrides,
  });
}

// Rendering the tables in jsdom is slow on a busy 2-core machine.
jest.setTimeout(60_000);

describe('IngestionPage', () => {
  it('shows my organizations with roles, and pages through pipelines on the server', async () => {
    const api = mockApi();
    const listPipelines = jest.spyOn(api, 'listPipelines');
    await renderInTestApp(<IngestionPage />, {
      apis: [[ingestionApiRef, api]],
      mountedRoutes: { '/ingestion/pipelines/:pipelineId': pipelineRouteRef },
    });
    expect(await screen.findByText('FIN-001')).toBeInTheDocument();
    expect(screen.getByText('analyst')).toBeInTheDocument();
    // Each pipeline links to its page.
    expect(
      await screen.findByRole('link', { name: 'daily-transactions' }),
    ).toHaveAttribute('href', '/ingestion/pipelines/id-daily-transactions');
    expect(screen.getByText('No runs yet.')).toBeInTheDocument();

    await userEvent.click(screen.getAllByRole('button', { name: 'Next' })[0]);
    expect(await screen.findByText('second-page')).toBeInTheDocument();
    expect(listPipelines).toHaveBeenLastCalledWith(
      expect.objectContaining({ cursor: 'page-2', limit: 20 }),
    );
  });

  it('shows the server’s message when a list fails', async () => {
    await renderInTestApp(<IngestionPage />, {
      apis: [
        [
          ingestionApiRef,
          mockApi({
            listRuns: async () => {
              throw new Error('Organization quota exceeded');
            },
          }),
        ],
      ],
    });
    expect(
      (await screen.findAllByText(/Organization quota exceeded/))[0],
    ).toBeInTheDocument();
  });
});
