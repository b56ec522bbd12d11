import { configApiRef, getComponentData } from '@backstage/core-plugin-api';
import {
  catalogApiRef,
  EntityProvider,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import {
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import type {
  OrganizationSummary,
  Pipeline,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import { pipelineReadPermission } from '@ingestion-for-backstage/plugin-ingestion-common';
import { configure, screen } from '@testing-library/react';
import type { ReactElement } from 'react';
import { Route, Routes } from 'react-router-dom';
import { costsApiRef } from '../api/CostsApi';
import { editorApiRef } from '../api/EditorApi';
import { mockEditorApi } from '../components/editor/__testUtils__/editorTestApp';
import { dashboardApiRef } from '../api/DashboardApi';
import { exploreApiRef, type ExploreApi } from '../api/ExploreApi';
import { ingestionApiRef, type IngestionApi } from '../api/IngestionApi';
import {
  organizationsApiRef,
  type OrganizationsApi,
} from '../api/OrganizationsApi';
import { mockIngestionApi } from '../api/__testUtils__/mockIngestionApi';
import {
  financeOrganization,
  pipeline as pipelineDetails,
  run,
  withOwnPermissionCache,
} from '../components/__testUtils__/fixtures';
import {
  mockCostsApi,
  summary,
} from '../components/costs/__testUtils__/mockCostsApi';
import {
  dashboardPipeline,
  mockDashboardApi,
} from '../components/dashboard/__testUtils__/mockDashboardApi';
import { pipelineRouteRef, rootRouteRef } from '../routes';
import { COST_ESTIMATE_FIELD, ORGANIZATION_PICKER_FIELD } from '../scaffolder';
import {
  EntityIngestionCostCard,
  EntityIngestionPipelineContent,
  EntityIngestionPipelineRunsCard,
  IngestionCostEstimateFieldExtension,
  IngestionCostPage,
  IngestionOrganizationPickerFieldExtension,
  IngestionPage,
  IngestionPipelinePage,
  ingestionPlugin,
  isIngestionOrganizationEntity,
} from '.';

jest.setTimeout(60_000);
configure({ asyncUtilTimeout: 15_000 });

/**
 * The legacy entry in a legacy test app (`@backstage/test-utils`, the `core-app-api` app that
 * `App.tsx` portals run): its pages and entity content render with a mocked API, and the links
 * they draw resolve through the legacy app's routes, where the portal mounted the pages.
 */
const organization: OrganizationSummary = {
  ...financeOrganization,
  roles: ['analyst'],
};

const listed: Pipeline = {
  id: 'p-42',
  organization: 'finance',
  name: 'daily-transactions',
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
};

function api(overrides: Partial<IngestionApi> = {}): IngestionApi {
  return mockIngestionApi({
    listOrganizations: async () => ({ items: [organization] }),
    listPipelines: async () => ({ items: [listed] }),
    ...overrides,
  });
}

/**
 * The explore views' API, which the pipeline tab asks for the quality score when the app has it
 * (the legacy plugin gives the app one); its calls are not under test here.
 */
const unusedExploreApi = new Proxy({} as ExploreApi, {
  get: (_, name) => async () => {
    throw new Error(`ExploreApi.${String(name)} is not under test`);
  },
});

/**
 * The organization directory as a user who is no platform admin reads it (the backend's 403):
 * the Ingestion home asks it whether to show its Organizations button. Given here like the other
 * APIs: the legacy test app's own config has no backend.baseUrl for the plugin's default client.
 */
const notPlatformAdmin = {
  listAll: async () => {
    throw new Error('403 Forbidden');
  },
} as unknown as OrganizationsApi;

/**
 * The pages as a legacy portal's `App.tsx` mounts them (the README's routes), around `element`
 * (rendered at every path, as an entity page's content is).
 */
function render(
  element: ReactElement | null,
  ingestionApi: IngestionApi,
  path = '/ingestion',
) {
  const readOnly = mockApis.permission({
    // The enum values of AuthorizeResult; the package that defines it is not a dependency here.
    authorize: ((request: { permission: { name: string } }) =>
      request.permission.name === pipelineReadPermission.name
        ? 'ALLOW'
        : 'DENY') as any,
  });
  return renderInTestApp(
    <TestApiProvider
      apis={[
        [ingestionApiRef, ingestionApi],
        [costsApiRef, mockCostsApi({ getSummary: async () => summary() })],
        [
          editorApiRef,
          mockEditorApi({
            getDeploymentStatus: async () => ({
              pipelineId: 'p-42',
              engine: 'local',
              currentVersion: 1,
              deployed: false,
              behind: false,
            }),
          }),
        ],
        [
          dashboardApiRef,
          mockDashboardApi({
            listPipelines: async () => ({
              items: [dashboardPipeline('daily-transactions', { id: 'p-42' })],
              totalCount: 1,
            }),
          }),
        ],
        [exploreApiRef, unusedExploreApi],
        [organizationsApiRef, notPlatformAdmin],
        [catalogApiRef, catalogApiMock()],
        [permissionApiRef, readOnly],
        [
          configApiRef,
          mockApis.config({
            data: {
              app: { baseUrl: 'http://localhost:3000' },
              backend: { baseUrl: 'http://localhost:7007' },
            },
          }),
        ],
      ]}
    >
      {withOwnPermissionCache(
        <>
          <Routes>
            <Route path="/ingestion" element={<IngestionPage />} />
            <Route
              path="/ingestion/pipelines/:pipelineId"
              element={<IngestionPipelinePage />}
            />
            <Route path="/ingestion/costs" element={<IngestionCostPage />} />
          </Routes>
          {element}
        </>,
      )}
    </TestApiProvider>,
    {
      routeEntries: [path],
      // The catalog's entity page, where the pipeline page links its entity.
      mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
    },
  );
}

describe('the legacy entry', () => {
  it('is a legacy plugin with the route refs the pages mount on', () => {
    expect(ingestionPlugin.getId()).toBe('ingestion');
    expect(ingestionPlugin.routes.root).toBe(rootRouteRef);
    expect(ingestionPlugin.routes.pipeline).toBe(pipelineRouteRef);
    // The ingestion client is the plugin's default API, so a portal needs no apis.ts entry.
    expect(
      [...ingestionPlugin.getApis()].map(factory => factory.api.id),
    ).toContain(ingestionApiRef.id);
  });

  it('renders the Ingestion page, whose pipeline links go where the portal mounted the pipeline page', async () => {
    await render(null, api());
    expect(await screen.findByText('FIN-001')).toBeInTheDocument();
    const link = await screen.findByRole('link', {
      name: 'daily-transactions',
    });
    expect(link).toHaveAttribute('href', '/ingestion/pipelines/p-42');
    expect(
      screen.queryByRole('link', { name: 'Organizations' }),
    ).not.toBeInTheDocument();
  });

  it('renders the pipeline page with the pipeline of its path', async () => {
    await render(
      null,
      api({
        getPipeline: async id => {
          if (id !== 'p-1') throw new Error(`unexpected pipeline ${id}`);
          return pipelineDetails;
        },
      }),
      '/ingestion/pipelines/p-1',
    );
    expect(
      await screen.findByRole(
        'heading',
        { name: 'daily-transactions' },
        { timeout: 20_000 },
      ),
    ).toBeInTheDocument();
  });

  it('renders the pipeline tab and runs card of an entity page', async () => {
    const entityApi = api({
      getPipeline: async () => pipelineDetails,
      listPipelineRuns: async () => ({ items: [run('r-1')] }),
      listQualityResults: async () => ({ items: [] }),
      getCosts: async () => ({
        organization: 'finance',
        currency: 'USD',
        groupBy: 'pipeline',
        total: 0,
        groups: [],
      }),
    });
    const entity = {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: {
        name: 'daily-transactions',
        namespace: 'finance',
        annotations: { 'ingestion.backstage.io/pipeline-id': 'p-1' },
      },
      spec: { type: 'data-pipeline', owner: 'group:default/finance' },
    };
    await render(
      <EntityProvider entity={entity}>
        <EntityIngestionPipelineContent />
        <EntityIngestionPipelineRunsCard />
      </EntityProvider>,
      entityApi,
      '/catalog/finance/component/daily-transactions',
    );
    expect(
      await screen.findByRole('link', { name: 'Open the pipeline page' }),
    ).toHaveAttribute('href', '/ingestion/pipelines/p-1');
    expect(
      await screen.findByRole('link', { name: /all runs/i }),
    ).toHaveAttribute('href', '/ingestion/pipelines/p-1?tab=runs');
  });

  it("renders a team's cost card, whose deep link goes to the mounted cost page", async () => {
    const team = {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Group',
      metadata: {
        name: 'finance',
        annotations: { 'ingestion.backstage.io/organization': 'finance' },
      },
      spec: { type: 'organization', children: [] },
    };
    await render(
      <EntityProvider entity={team}>
        <EntityIngestionCostCard />
      </EntityProvider>,
      api(),
      '/catalog/default/group/finance',
    );
    expect(await screen.findByText('Team spend')).toBeInTheDocument();
    expect(
      await screen.findByRole('link', { name: /open the cost page/i }),
    ).toHaveAttribute('href', '/ingestion/costs?organization=finance');
  });

  it('provides the scaffolder fields the templates name', () => {
    const field = (element: ReactElement) =>
      getComponentData<{ name: string; component: unknown }>(
        element,
        'scaffolder.extensions.field.v1',
      );
    expect(field(<IngestionOrganizationPickerFieldExtension />)?.name).toBe(
      ORGANIZATION_PICKER_FIELD,
    );
    expect(field(<IngestionCostEstimateFieldExtension />)?.name).toBe(
      COST_ESTIMATE_FIELD,
    );
  });

  it('tells the entities of an organization, where the cost card goes', () => {
    const annotated = (annotations?: Record<string, string>) => ({
      metadata: { annotations },
    });
    expect(
      isIngestionOrganizationEntity(
        annotated({ 'ingestion.backstage.io/organization': 'finance' }),
      ),
    ).toBe(true);
    expect(isIngestionOrganizationEntity(annotated({}))).toBe(false);
    expect(isIngestionOrganizationEntity(annotated())).toBe(false);
  });
});
