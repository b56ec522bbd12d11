import { renderInTestApp } from '@backstage/frontend-test-utils';
import { screen } from '@testing-library/react';
import {
  exploreApiRef,
  type ExploreApi,
  type QualityScores,
} from '../../../api/ExploreApi';
import { ingestionApiRef } from '../../../api/IngestionApi';
import {
  mockIngestionApi,
  responseError,
} from '../../../api/__testUtils__/mockIngestionApi';
import { pipelineRouteRef } from '../../../routes';
import {
  financeOrganization,
  qualityResult,
} from '../../__testUtils__/fixtures';
import { QualityMonitorPage } from './QualityMonitorPage';
import { QualityScoreCard } from './QualityScoreCard';
import { ruleSeries } from './RuleHistory';

jest.setTimeout(60_000);

function scores(overrides: Partial<QualityScores> = {}): QualityScores {
  return {
    organization: 'finance',
    from: '2026-10-26',
    to: '2026-11-24',
    bucket: 'day',
    weights: { fail: 3, drop: 2, warn: 1 },
    current: { score: 55.6, rules: 4, passing: 2 },
    trend: [
      { day: '2026-11-23', score: 100, checks: 2, failed: 0 },
      { day: '2026-11-24', score: 55.6, checks: 4, failed: 2 },
    ],
    breaches: [
      {
        id: '5',
        runId: 'run-payments-1',
        pipelineId: 'p-payments',
        pipelineName: 'payments',
        ruleIndex: 0,
        ruleType: 'completeness',
        columns: ['amount'],
        severity: 'fail',
        threshold: 0.99,
        observed: 0.5,
        passed: false,
        failedRows: 5,
        checkedAt: '2026-11-24T09:00:00Z',
      },
    ],
    pipelines: [
      {
        pipelineId: 'p-payments',
        name: 'payments',
        runId: 'run-payments-1',
        checkedAt: '2026-11-24T09:00:00Z',
        breaches: 1,
        score: 40,
        rules: 2,
        passing: 1,
      },
      {
        pipelineId: 'p-ledger',
        name: 'ledger',
        runId: 'run-ledger-2',
        checkedAt: '2026-11-24T08:00:00Z',
        breaches: 0,
        score: 100,
        rules: 2,
        passing: 2,
      },
    ],
    ...overrides,
  };
}

const explore = (
  getQualityScores: ExploreApi['getQualityScores'],
): ExploreApi => ({
  getLineage: async () => {
    throw new Error('not expected');
  },
  getQualityScores: jest.fn(getQualityScores),
});

const renderCard = (api: ExploreApi) =>
  renderInTestApp(
    <QualityScoreCard
      query={{ organization: 'finance', pipeline: 'p-payments' }}
    />,
    {
      apis: [[exploreApiRef, api]],
      mountedRoutes: { '/ingestion/pipelines/:pipelineId': pipelineRouteRef },
    },
  );

describe('QualityScoreCard', () => {
  it('shows the score, its trend and open breaches with the run that breached', async () => {
    const api = explore(async () => scores());
    await renderCard(api);
    expect(await screen.findByLabelText('Quality score')).toHaveTextContent(
      '55.6 %',
    );
    expect(screen.getByText(/2 of 4 rules passing/)).toBeInTheDocument();
    expect(
      screen.getByRole('img', { name: /2026-11-24 55\.6 %/ }),
    ).toBeInTheDocument();
    expect(screen.getByText('Open breaches (1)')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'run run-paym' })).toHaveAttribute(
      'href',
      '/ingestion/pipelines/p-payments?tab=runs',
    );
    expect(api.getQualityScores).toHaveBeenCalledWith({
      organization: 'finance',
      pipeline: 'p-payments',
    });
  });

  it('says when nothing was checked', async () => {
    await renderCard(
      explore(async () =>
        scores({
          current: { score: null, rules: 0, passing: 0 },
          trend: [],
          breaches: [],
          pipelines: [],
        }),
      ),
    );
    expect(
      await screen.findByText(/No quality checks between/),
    ).toBeInTheDocument();
  });

  it('shows progress, denial and errors', async () => {
    const { unmount } = await renderCard(explore(() => new Promise(() => {})));
    expect(await screen.findByTestId('progress')).toBeInTheDocument();
    unmount();
    const denied = await renderCard(
      explore(async () => {
        throw await responseError(403, 'NotAllowedError', 'no');
      }),
    );
    expect(
      await screen.findByText('You do not have access'),
    ).toBeInTheDocument();
    denied.unmount();
    await renderCard(
      explore(async () => {
        throw await responseError(500, 'Error', 'scores are down');
      }),
    );
    expect(await screen.findByText(/scores are down/)).toBeInTheDocument();
  });
});

describe('QualityMonitorPage', () => {
  const renderPage = (api: ExploreApi, organizations = [financeOrganization]) =>
    renderInTestApp(<QualityMonitorPage />, {
      apis: [
        [exploreApiRef, api],
        [
          ingestionApiRef,
          mockIngestionApi({
            listOrganizations: async () => ({ items: organizations }),
          }),
        ],
      ],
      mountedRoutes: { '/ingestion/pipelines/:pipelineId': pipelineRouteRef },
    });

  it('scores the first organization, with pipelines lowest first', async () => {
    const api = explore(async () => scores());
    await renderPage(api);
    expect(
      await screen.findByText('Pipelines by score, lowest first (2)'),
    ).toBeInTheDocument();
    const payments = screen.getAllByRole('link', { name: 'payments' });
    expect(payments[0]).toHaveAttribute(
      'href',
      '/ingestion/pipelines/p-payments?tab=quality',
    );
    expect(api.getQualityScores).toHaveBeenCalledWith(
      expect.objectContaining({ organization: 'finance' }),
    );
    expect(screen.getByLabelText('Organization')).toBeInTheDocument();
    expect(screen.getByLabelText('Period')).toBeInTheDocument();
  });

  it('says so when the user has no organization', async () => {
    await renderPage(
      explore(async () => scores()),
      [],
    );
    expect(await screen.findByText('No organization')).toBeInTheDocument();
  });
});

describe('ruleSeries', () => {
  it('groups results per rule, oldest first, with the last breach', () => {
    const series = ruleSeries([
      qualityResult('r3', 0, true, { createdAt: '2026-11-24T02:01:00Z' }),
      qualityResult('r2', 0, false, { createdAt: '2026-11-23T02:01:00Z' }),
      qualityResult('r1', 1, true, { createdAt: '2026-11-22T02:01:00Z' }),
    ]);
    expect(series.map(s => s.ruleIndex)).toEqual([0, 1]);
    expect(series[0].points.map(p => p.runId)).toEqual(['r2', 'r3']);
    expect(series[0].lastBreach?.runId).toBe('r2');
    expect(series[1].lastBreach).toBeUndefined();
  });
});
