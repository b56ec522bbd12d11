import { renderInTestApp } from '@backstage/frontend-test-utils';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { fireEvent, screen, within } from '@testing-library/react';
import { exploreApiRef, type ExploreApi } from '../../../api/ExploreApi';
import { responseError } from '../../../api/__testUtils__/mockIngestionApi';
import { DAILY, financeGraph, TOTALS } from '../__testUtils__/lineageFixtures';
import { stubXyflowBrowser } from '../__testUtils__/xyflowStubs';
import { LineageExplorer } from './LineageExplorer';

jest.setTimeout(60_000);

beforeAll(() => stubXyflowBrowser());

const NOW = Date.parse('2026-11-24T04:00:00Z');

function mockExplore(getLineage: ExploreApi['getLineage']): ExploreApi {
  return {
    getLineage: jest.fn(getLineage),
    getQualityScores: async () => {
      throw new Error('not expected');
    },
  };
}

function render(api: ExploreApi) {
  return renderInTestApp(
    <LineageExplorer
      start={{ organization: 'finance', pipelineId: 'p-daily' }}
      now={NOW}
    />,
    {
      apis: [[exploreApiRef, api]],
      mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
    },
  );
}

describe('LineageExplorer', () => {
  it('draws pipelines and datasets with run status, freshness, links and hidden stubs', async () => {
    const api = mockExplore(async () => financeGraph());
    await render(api);
    expect(
      await screen.findByLabelText(
        'Pipeline daily-transactions, last run succeeded',
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByLabelText('Pipeline enrich, last run failed'),
    ).toBeInTheDocument();
    expect(
      screen.getByLabelText(
        'Dataset finance_catalog.analytics.customer_totals (iceberg-table)',
      ),
    ).toBeInTheDocument();
    expect(screen.getByText('2 hidden')).toBeInTheDocument();
    expect(screen.getByText(/written 3 h ago/)).toBeInTheDocument();
    const link = screen.getByRole('link', { name: 'enrich' });
    expect(link).toHaveAttribute('href', '/catalog/finance/component/enrich');
    expect(api.getLineage).toHaveBeenCalledTimes(1);
    expect(api.getLineage).toHaveBeenCalledWith({
      organization: 'finance',
      pipelineId: 'p-daily',
      dataset: undefined,
      depth: 1,
      direction: 'both',
      columns: true,
    });
    // Labelled controls for depth and direction.
    expect(screen.getByLabelText('Depth (pipeline hops)')).toBeInTheDocument();
    expect(screen.getByLabelText('Direction')).toBeInTheDocument();
  });

  it('highlights a selected column’s path and says it in words', async () => {
    await render(mockExplore(async () => financeGraph()));
    const column = await screen.findByRole('button', {
      name: 'Column total of finance_catalog.analytics.customer_totals',
    });
    fireEvent.click(column);
    expect(
      await screen.findByRole('button', {
        name: 'Column total of finance_catalog.analytics.customer_totals (on the selected path)',
      }),
    ).toHaveAttribute('aria-pressed', 'true');
    expect(
      screen.getByRole('button', {
        name: 'Column amount of finance-db/transactions (on the selected path)',
      }),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('button', {
        name: 'Column customer_id of finance_catalog.analytics.customer_totals',
      }),
    ).toHaveAttribute('aria-pressed', 'false');
    const steps = within(screen.getByRole('list', { name: 'Column path' }));
    expect(steps.getAllByRole('listitem')).toHaveLength(2);
    expect(steps.getByText(/identity: rename/)).toBeInTheDocument();
    fireEvent.click(
      screen.getByRole('button', { name: 'Clear column selection' }),
    );
    expect(screen.queryByRole('list', { name: 'Column path' })).toBeNull();
  });

  it('expands a node with one request for its neighbours', async () => {
    const api = mockExplore(async query =>
      query.dataset
        ? {
            root: TOTALS,
            nodes: [
              {
                id: 'pipeline:p-export',
                kind: 'pipeline',
                name: 'export',
                pipelineId: 'p-export',
                entityRef: 'component:finance/export',
                depth: 1,
              },
            ],
            edges: [{ from: TOTALS, to: 'pipeline:p-export' }],
            truncated: false,
            hidden: [],
          }
        : financeGraph(),
    );
    await render(api);
    fireEvent.click(
      await screen.findByRole('button', {
        name: 'Expand the neighbours of finance_catalog.analytics.customer_totals',
      }),
    );
    expect(
      await screen.findByLabelText('Pipeline export, never run'),
    ).toBeInTheDocument();
    expect(api.getLineage).toHaveBeenCalledTimes(2);
    expect(api.getLineage).toHaveBeenLastCalledWith({
      organization: 'finance',
      pipelineId: undefined,
      dataset: 'iceberg:finance_catalog.analytics.customer_totals',
      depth: 1,
      direction: 'both',
      columns: true,
    });
    // The first graph stays.
    expect(
      screen.getByLabelText('Pipeline enrich, last run failed'),
    ).toBeInTheDocument();
  });

  it('shows progress while loading', async () => {
    await render(mockExplore(() => new Promise(() => {})));
    expect(await screen.findByTestId('progress')).toBeInTheDocument();
  });

  it('says when there is no lineage', async () => {
    const graph = financeGraph();
    await render(
      mockExplore(async () => ({
        ...graph,
        nodes: [graph.nodes[0]],
        edges: [],
        columnEdges: [],
        hidden: [],
      })),
    );
    expect(await screen.findByText('No lineage yet')).toBeInTheDocument();
  });

  it('says plainly when access is denied or the start is not found', async () => {
    await render(
      mockExplore(async () => {
        throw await responseError(403, 'NotAllowedError', 'not for viewers');
      }),
    );
    expect(
      await screen.findByText('You do not have access'),
    ).toBeInTheDocument();
  });

  it('shows other errors with the server’s message', async () => {
    await render(
      mockExplore(async () => {
        throw await responseError(500, 'Error', 'the lineage store is down');
      }),
    );
    expect(
      await screen.findByText(/the lineage store is down/),
    ).toBeInTheDocument();
    expect(screen.queryByLabelText(`Dataset ${DAILY}`)).toBeNull();
  });
});
