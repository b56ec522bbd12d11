import { renderInTestApp } from '@backstage/frontend-test-utils';
import {
  pipelineExecutePermission,
  pipelineReadPermission,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { configure, screen } from '@testing-library/react';
import { costsApiRef } from '../../api/CostsApi';
import { ingestionApiRef, type IngestionApi } from '../../api/IngestionApi';
import {
  mockCostsApi,
  monthFromNow,
  series,
} from '../costs/__testUtils__/mockCostsApi';
import {
  mockIngestionApi,
  responseError,
} from '../../api/__testUtils__/mockIngestionApi';
import { pipelineRouteRef } from '../../routes';
import {
  allowOnly,
  withOwnPermissionCache,
  pipeline,
  qualityResult,
  run,
} from '../__testUtils__/fixtures';
import { PipelineEntityContent } from './PipelineEntityContent';
import { PipelineRunsCard } from './PipelineRunsCard';

jest.setTimeout(60_000);
configure({ asyncUtilTimeout: 15_000 });

const entity = (annotations: Record<string, string>) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'daily-transactions', namespace: 'finance', annotations },
  spec: { type: 'data-pipeline', owner: 'group:default/finance' },
});

function render(
  element: JSX.Element,
  api: IngestionApi,
  options: {
    annotations?: Record<string, string>;
    permissions?: string[];
  } = {},
) {
  return renderInTestApp(
    withOwnPermissionCache(
      <EntityProvider
        entity={entity(
          options.annotations ?? {
            'ingestion.backstage.io/pipeline-id': 'p-1',
          },
        )}
      >
        {element}
      </EntityProvider>,
    ),
    {
      apis: [
        [ingestionApiRef, api],
        [
          costsApiRef,
          mockCostsApi({
            getSpend: async () =>
              series({
                granularity: 'month',
                groupBy: 'pipeline',
                points: [{ period: monthFromNow(0), key: 'p-1', amount: 4.25 }],
              }),
          }),
        ],
        allowOnly(...(options.permissions ?? [pipelineReadPermission.name])),
      ],
      mountedRoutes: { '/ingestion/pipelines/:pipelineId': pipelineRouteRef },
    },
  );
}

const api = (overrides: Partial<IngestionApi> = {}) =>
  mockIngestionApi({
    getPipeline: async () => pipeline,
    listPipelineRuns: async () => ({ items: [run('r-1')] }),
    listQualityResults: async () => ({
      items: [qualityResult('r-1', 0, true)],
    }),
    ...overrides,
  });

describe('PipelineEntityContent', () => {
  it('shows the annotated pipeline’s runs, quality and cost, with a link to its page', async () => {
    await render(<PipelineEntityContent />, api(), {
      permissions: [
        pipelineReadPermission.name,
        pipelineExecutePermission.name,
      ],
    });
    expect(
      await screen.findByRole('link', { name: 'Open the pipeline page' }),
    ).toHaveAttribute('href', '/ingestion/pipelines/p-1');
    expect(await screen.findByText('Quality rules')).toBeInTheDocument();
    expect(
      (await screen.findAllByText('#1 completeness (customer_id)'))[0],
    ).toBeInTheDocument();
    expect((await screen.findAllByText('$4.25')).length).toBeGreaterThan(0);
    expect(
      await screen.findByRole('button', { name: 'Run now' }),
    ).toBeInTheDocument();
  });

  it('hides Run now from users who may only read', async () => {
    await render(<PipelineEntityContent />, api());
    expect((await screen.findAllByText('1,150')).length).toBeGreaterThan(0);
    expect(
      screen.queryByRole('button', { name: 'Run now' }),
    ).not.toBeInTheDocument();
  });

  it('asks for the pipeline-id annotation when the entity has none', async () => {
    await render(<PipelineEntityContent />, api(), { annotations: {} });
    expect(
      (await screen.findAllByText(/ingestion.backstage.io\/pipeline-id/))[0],
    ).toBeInTheDocument();
  });

  it('says "not found" when the pipeline is not one the user may read', async () => {
    await render(
      <PipelineEntityContent />,
      api({
        getPipeline: async () => {
          throw await responseError(404, 'NotFoundError', "Pipeline 'p-1'");
        },
      }),
    );
    expect(await screen.findByText('Not found')).toBeInTheDocument();
  });
});

describe('PipelineRunsCard', () => {
  it('lists the latest runs and links to all of them', async () => {
    const listPipelineRuns = jest.fn(async () => ({
      items: [run('r-2', { status: 'failed' }), run('r-1')],
    }));
    await render(<PipelineRunsCard />, api({ listPipelineRuns }));
    expect(await screen.findByText('failed')).toBeInTheDocument();
    expect(screen.getByText('succeeded')).toBeInTheDocument();
    expect(listPipelineRuns).toHaveBeenCalledWith('p-1', { limit: 5 });
    expect(screen.getByRole('link', { name: /All runs/ })).toHaveAttribute(
      'href',
      '/ingestion/pipelines/p-1?tab=runs',
    );
  });

  it('says so when the pipeline has not run', async () => {
    await render(
      <PipelineRunsCard />,
      api({ listPipelineRuns: async () => ({ items: [] }) }),
    );
    expect(
      await screen.findByText('This pipeline has not run yet.'),
    ).toBeInTheDocument();
  });
});
