import { renderInTestApp } from '@backstage/frontend-test-utils';
import {
  pipelineExecutePermission,
  pipelineReadPermission,
  pipelineUpdatePermission,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import { configure, screen, waitFor, within } from '@testing-library/react';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import userEvent from '@testing-library/user-event';
import { costsApiRef, type CostsApi } from '../../api/CostsApi';
import { ingestionApiRef, type IngestionApi } from '../../api/IngestionApi';
import {
  mockIngestionApi,
  responseError,
} from '../../api/__testUtils__/mockIngestionApi';
import { pipelineRouteRef } from '../../routes';
import {
  allowOnly,
  financeOrganization,
  pipeline,
  qualityResult,
  run,
  seedBatchSpec,
  version,
  withOwnPermissionCache,
} from '../__testUtils__/fixtures';
import {
  mockCostsApi,
  monthFromNow,
  series,
} from '../costs/__testUtils__/mockCostsApi';
import { editPipelineRouteRef } from '../editor/routes';
import { mockEditorApi } from '../editor/__testUtils__/editorTestApp';
import { editorApiRef } from '../../api/EditorApi';
import { PipelinePage } from './PipelinePage';

const pipelineEntity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'daily-transactions',
    namespace: 'finance',
    links: [{ url: 'https://dbc.example/jobs/8812', title: 'Databricks job' }],
  },
  spec: { type: 'data-pipeline' },
};

// Rendering tables in jsdom is slow on a busy 2-core machine.
jest.setTimeout(60_000);
configure({ asyncUtilTimeout: 15_000 });

/** The fixture's job runs the current version (3). */
const deploymentApi = mockEditorApi({
  getDeploymentStatus: jest.fn(async () => ({
    pipelineId: 'p-1',
    engine: 'databricks',
    currentVersion: 3,
    deployed: true,
    behind: false,
    deployment: {
      databricksJobId: '8812',
      deployedVersion: 3,
      deployedAt: '2026-11-20T10:00:00Z',
    },
  })),
});

function render(
  ingestion: IngestionApi,
  options: { tab?: string; permissions?: string[]; costs?: CostsApi } = {},
) {
  const permissions = options.permissions ?? [
    pipelineReadPermission.name,
    pipelineExecutePermission.name,
    pipelineUpdatePermission.name,
  ];
  return renderInTestApp(withOwnPermissionCache(<PipelinePage />), {
    mountPath: '/ingestion/pipelines/:pipelineId',
    initialRouteEntries: [
      `/ingestion/pipelines/p-1${options.tab ? `?tab=${options.tab}` : ''}`,
    ],
    mountedRoutes: {
      '/ingestion/pipelines/:pipelineId': pipelineRouteRef,
      '/ingestion/pipelines/:pipelineId/edit': editPipelineRouteRef,
      '/catalog/:namespace/:kind/:name': entityRouteRef,
    },
    apis: [
      [ingestionApiRef, ingestion],
      [costsApiRef, options.costs ?? mockCostsApi()],
      [editorApiRef, deploymentApi],
      allowOnly(...permissions),
      catalogApiMock({ entities: [pipelineEntity] }),
    ],
  });
}

function api(overrides: Partial<IngestionApi> = {}) {
  return mockIngestionApi({
    listOrganizations: async () => ({ items: [financeOrganization] }),
    getPipeline: async id => {
      if (id !== 'p-1') throw await responseError(404, 'NotFoundError', id);
      return pipeline;
    },
    getEffectiveSpec: async () => ({
      pipelineId: 'p-1',
      version: 3,
      environment: 'production',
      spec: seedBatchSpec,
      specHash: 'hash-of-version-3',
      maskedColumns: [],
    }),
    ...overrides,
  });
}

describe('PipelinePage', () => {
  it('shows the pipeline header and its spec as YAML with the flow', async () => {
    await render(api());
    expect(
      await screen.findByRole(
        'heading',
        { name: 'daily-transactions' },
        { timeout: 20_000 },
      ),
    ).toBeInTheDocument();
    expect(await screen.findByText('Finance')).toBeInTheDocument();
    expect(screen.getByText('production')).toBeInTheDocument();
    expect(screen.getByText('batch')).toBeInTheDocument();
    expect(screen.getByText('0 2 * * * (Europe/Paris)')).toBeInTheDocument();
    expect(screen.getByText('databricks')).toBeInTheDocument();
    expect(
      screen.getByText(/component:finance\/daily-transactions/),
    ).toBeInTheDocument();
    // The job's URL comes from the catalog entity, the only place that knows the workspace host.
    expect(await screen.findByRole('link', { name: /8812/ })).toHaveAttribute(
      'href',
      'https://dbc.example/jobs/8812',
    );
    // Flow: source → pipeline → target, named as the catalog names them.
    expect(screen.getByText('finance-db/transactions')).toBeInTheDocument();
    expect(
      screen.getByText('finance_catalog.analytics.daily_transactions'),
    ).toBeInTheDocument();
    // The spec, as YAML.
    // The syntax highlighter loads lazily.
    const yaml = await screen.findByText(
      (_, element) =>
        element?.tagName === 'CODE' &&
        Boolean(element.textContent?.includes('schedule: 0 2 * * *')),
      {},
      { timeout: 20_000 },
    );
    expect(yaml.textContent).toContain('incremental_column: updated_at');
    expect(yaml.textContent).toContain('      - customer_id');
  });

  it('shows the PII columns masked outside production, and a deployed job that lacks them', async () => {
    await render(
      api({
        getEffectiveSpec: async () => ({
          pipelineId: 'p-1',
          version: 3,
          environment: 'staging',
          spec: seedBatchSpec,
          specHash: 'hash-with-email-masked',
          maskedColumns: [
            { column: 'customer_email', types: ['email'], source: 'table' },
          ],
        }),
      }),
    );
    expect(
      await screen.findByText('customer_email (email)', undefined, {
        timeout: 20_000,
      }),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/Masked \(SHA-256\) in every run of this staging/),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/predates the PII masks this environment now requires/),
    ).toBeInTheDocument();
  });

  it('links users allowed to update the pipeline to its editor', async () => {
    await render(api());
    // A link styled as a button (MUI gives it the button role).
    expect(await screen.findByRole('button', { name: 'Edit' })).toHaveAttribute(
      'href',
      '/ingestion/pipelines/p-1/edit',
    );
  });

  it('has no Edit button for users who may only read the pipeline', async () => {
    await render(api(), { permissions: [pipelineReadPermission.name] });
    await screen.findByRole('heading', { name: 'daily-transactions' });
    expect(await screen.findByText('Finance')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Edit' })).toBeNull();
  });

  it('offers no Redeploy of a job that is behind to users who may not update the pipeline', async () => {
    deploymentApi.getDeploymentStatus.mockResolvedValueOnce({
      pipelineId: 'p-1',
      engine: 'databricks',
      currentVersion: 3,
      deployed: true,
      behind: true,
      behindReason: 'spec',
      deployment: {
        databricksJobId: '8812',
        deployedVersion: 3,
        deployedAt: '2026-11-20T10:00:00Z',
      },
    });
    await render(api(), { permissions: [pipelineReadPermission.name] });
    expect(
      await screen.findByText(/it was generated from an older effective spec/),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        /Engineers and admins of the organization can redeploy it/,
      ),
    ).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Redeploy' })).toBeNull();
  });

  it('says "not found" for a pipeline that does not exist or is another organization’s', async () => {
    await render(
      api({
        getPipeline: async () => {
          throw await responseError(404, 'NotFoundError', "Pipeline 'p-1'");
        },
      }),
    );
    expect(await screen.findByText('Not found')).toBeInTheDocument();
    expect(
      screen.getByText(/does not exist, or belongs to an organization/),
    ).toBeInTheDocument();
  });

  it('says "you do not have access" on 403', async () => {
    await render(
      api({
        getPipeline: async () => {
          throw await responseError(403, 'NotAllowedError', 'Denied');
        },
      }),
    );
    expect(
      await screen.findByText('You do not have access'),
    ).toBeInTheDocument();
  });

  describe('Runs', () => {
    const runs = () => ({
      items: [
        run('r-2', {
          status: 'running',
          trigger: 'manual',
          triggeredBy: 'user:default/finance-engineer',
          finishedAt: undefined,
          durationMs: undefined,
          rowsWritten: undefined,
          cost: undefined,
        }),
        run('r-1'),
      ],
    });

    it('lists runs with timings, rows and cost; runs now, cancels and shows logs when allowed', async () => {
      const ingestion = api({
        listPipelineRuns: jest.fn(async () => runs()),
        triggerRun: jest.fn(async () => run('r-3', { status: 'queued' })),
        cancelRun: jest.fn(async () => run('r-2', { status: 'cancelled' })),
        listRunLogs: jest.fn(async () => ({
          items: [
            {
              id: 'e-1',
              at: '2026-11-24T02:00:00Z',
              kind: 'log' as const,
              level: 'info' as const,
              message: 'read 1200 rows from finance-db/transactions',
            },
          ],
        })),
      });
      await render(ingestion, { tab: 'runs' });
      expect(await screen.findByText('1,150')).toBeInTheDocument();
      expect(screen.getByText('$0.83')).toBeInTheDocument();
      expect(screen.getByText('1 min 0 s')).toBeInTheDocument();

      await userEvent.click(screen.getByRole('button', { name: 'Run now' }));
      await waitFor(() =>
        expect(ingestion.triggerRun).toHaveBeenCalledWith('p-1'),
      );
      // The list is fetched again to show the queued run.
      await waitFor(() =>
        expect(ingestion.listPipelineRuns).toHaveBeenCalledTimes(2),
      );

      // Only the running run can be cancelled.
      const cancel = await screen.findAllByRole('button', { name: 'Cancel' });
      expect(cancel).toHaveLength(1);
      await userEvent.click(cancel[0]);
      await waitFor(() =>
        expect(ingestion.cancelRun).toHaveBeenCalledWith('r-2'),
      );

      await userEvent.click(
        (
          await screen.findAllByRole('button', { name: 'Logs' })
        )[1],
      );
      expect(
        await screen.findByText('read 1200 rows from finance-db/transactions'),
      ).toBeInTheDocument();
      expect(ingestion.listRunLogs).toHaveBeenCalledWith(
        'r-1',
        expect.objectContaining({ limit: 100 }),
      );
    });

    it('hides Run now and Cancel from users the policy does not let execute the pipeline', async () => {
      await render(api({ listPipelineRuns: async () => runs() }), {
        tab: 'runs',
        permissions: [pipelineReadPermission.name],
      });
      expect(await screen.findByText('1,150')).toBeInTheDocument();
      expect(screen.getAllByRole('button', { name: 'Logs' })).toHaveLength(2);
      expect(
        screen.queryByRole('button', { name: 'Run now' }),
      ).not.toBeInTheDocument();
      expect(
        screen.queryByRole('button', { name: 'Cancel' }),
      ).not.toBeInTheDocument();
    });

    it('says so when the pipeline has not run', async () => {
      await render(api(), { tab: 'runs' });
      expect(
        await screen.findByText('This pipeline has not run yet.'),
      ).toBeInTheDocument();
    });
  });

  describe('Versions', () => {
    const older = { ...seedBatchSpec, schedule: '0 1 * * *' };
    const versions = () => ({
      items: [
        version(3, seedBatchSpec),
        version(2, older),
        version(1, older, { comment: 'first' }),
      ],
    });
    const getVersion = async (_: string, n: number) =>
      versions().items.find(v => v.version === n)!;

    it('diffs a version against the one before, and rolls back when allowed', async () => {
      const ingestion = api({
        listPipelineVersions: async () => versions(),
        getPipelineVersion: getVersion,
        rollbackPipeline: jest.fn(async () => ({
          ...pipeline,
          currentVersion: 4,
        })),
      });
      await render(ingestion, { tab: 'versions' });
      expect(await screen.findByText('first')).toBeInTheDocument();
      expect(screen.getByText('current')).toBeInTheDocument();

      await userEvent.click(
        screen.getAllByRole('button', { name: 'Changes' })[0],
      );
      const diff = await screen.findByLabelText('Diff of versions 2 and 3');
      expect(
        within(diff).getByText('- schedule: 0 1 * * *'),
      ).toBeInTheDocument();
      expect(
        within(diff).getByText('+ schedule: 0 2 * * *'),
      ).toBeInTheDocument();

      const rollbacks = screen.getAllByRole('button', {
        name: 'Roll back to this',
      });
      // Not offered on the current version.
      expect(rollbacks).toHaveLength(2);
      await userEvent.click(rollbacks[1]);
      await userEvent.click(
        await screen.findByRole('button', { name: 'Roll back' }),
      );
      await waitFor(() =>
        expect(ingestion.rollbackPipeline).toHaveBeenCalledWith('p-1', {
          version: 1,
          expectedVersion: 3,
          comment: 'Rollback to version 1',
        }),
      );
      // The header shows the new version without a reload.
      const header = document.querySelector('header')!;
      expect(await within(header).findByText('4')).toBeInTheDocument();
    });

    it('offers no rollback to users who may not update the pipeline', async () => {
      await render(api({ listPipelineVersions: async () => versions() }), {
        tab: 'versions',
        permissions: [pipelineReadPermission.name],
      });
      expect(await screen.findByText('first')).toBeInTheDocument();
      expect(
        screen.getAllByRole('button', { name: 'Compare with current' }),
      ).toHaveLength(2);
      expect(
        screen.queryByRole('button', { name: 'Roll back to this' }),
      ).not.toBeInTheDocument();
    });
  });

  describe('Quality', () => {
    it('shows each rule’s latest outcome and how often it passed', async () => {
      await render(
        api({
          listQualityResults: async () => ({
            items: [
              qualityResult('r-2', 0, false, {
                message: '42 rows without customer_id',
              }),
              qualityResult('r-2', 1, true),
              qualityResult('r-1', 0, true),
              qualityResult('r-1', 1, true),
            ],
          }),
        }),
        { tab: 'quality' },
      );
      const rules = await screen.findByText('Quality rules');
      const table = rules.closest('div[class*="MuiPaper"]') as HTMLElement;
      const completeness = within(table)
        .getByText('#1 completeness (customer_id)')
        .closest('tr') as HTMLElement;
      expect(
        within(completeness).getByText('failed (fail)'),
      ).toBeInTheDocument();
      expect(within(completeness).getByText('1 of 2')).toBeInTheDocument();
      expect(
        within(completeness).getByText('42 rows without customer_id'),
      ).toBeInTheDocument();
      const uniqueness = within(table)
        .getByText('#2 uniqueness (id)')
        .closest('tr') as HTMLElement;
      expect(within(uniqueness).getByText('2 of 2')).toBeInTheDocument();
    });

    it('says when there are no results, and when access is denied', async () => {
      const { unmount } = await render(api(), { tab: 'quality' });
      expect(
        await screen.findByText(/No quality results yet/),
      ).toBeInTheDocument();
      unmount();
      await render(
        api({
          listQualityResults: async () => {
            throw await responseError(403, 'NotAllowedError', 'no table read');
          },
        }),
        { tab: 'quality' },
      );
      expect(
        await screen.findByText('You do not have access'),
      ).toBeInTheDocument();
    });
  });

  describe('Cost', () => {
    it('shows the cost per run and per month, from the spend series the cost cards read', async () => {
      const lastMonth = monthFromNow(-1);
      const thisMonth = monthFromNow(0);
      const getSpend = jest.fn(async () =>
        series({
          currency: 'EUR',
          granularity: 'month',
          groupBy: 'pipeline',
          points: [
            { period: lastMonth, key: 'other', amount: 7.5 },
            { period: lastMonth, key: 'p-1', amount: 12.5 },
            { period: thisMonth, key: 'p-1', amount: 3.25 },
          ],
        }),
      );
      await render(
        api({ listPipelineRuns: async () => ({ items: [run('r-1')] }) }),
        { tab: 'cost', costs: mockCostsApi({ getSpend }) },
      );
      const month = (await screen.findByText(lastMonth)).closest('tr')!;
      expect(month).toHaveTextContent('€12.50');
      expect(screen.getAllByText('€0.00')).toHaveLength(4);
      expect(
        screen.getByText(
          'Compute, storage and platform · €3.25 this month to date',
        ),
      ).toBeInTheDocument();
      expect(getSpend).toHaveBeenCalledTimes(1);
      expect(getSpend).toHaveBeenCalledWith({
        organization: 'finance',
        groupBy: 'pipeline',
        granularity: 'month',
        from: `${monthFromNow(-5)}-01`,
      });
      expect(await screen.findByText('$0.83')).toBeInTheDocument();
    });

    it('says "no access" for costs the user may not read, and still shows run cost', async () => {
      await render(
        api({ listPipelineRuns: async () => ({ items: [run('r-1')] }) }),
        {
          tab: 'cost',
          costs: mockCostsApi({
            getSpend: async () => {
              throw await responseError(403, 'NotAllowedError', 'cost.read');
            },
          }),
        },
      );
      expect(
        await screen.findByText('You do not have access'),
      ).toBeInTheDocument();
      expect(
        screen.getByText(/The costs of this organization is not open/),
      ).toBeInTheDocument();
      expect(await screen.findByText('$0.83')).toBeInTheDocument();
    });
  });
});
