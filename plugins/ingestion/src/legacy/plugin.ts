import { convertLegacyRouteRef } from '@backstage/core-compat-api';
import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  createRoutableExtension,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { createScaffolderFieldExtension } from '@backstage/plugin-scaffolder-react';
import { AdminClient, adminApiRef } from '../api/AdminApi';
import { CostsClient, costsApiRef } from '../api/CostsApi';
import { DashboardClient, dashboardApiRef } from '../api/DashboardApi';
import { EditorClient, editorApiRef } from '../api/EditorApi';
import { ExploreClient, exploreApiRef } from '../api/ExploreApi';
import { IngestionClient, ingestionApiRef } from '../api/IngestionApi';
import {
  OrganizationsClient,
  organizationsApiRef,
} from '../api/OrganizationsApi';
import { adminRouteRef } from '../components/admin/routes';
import { costsRouteRef } from '../components/costs/routes';
import {
  editPipelineRouteRef,
  newPipelineRouteRef,
} from '../components/editor/routes';
import { lineageRouteRef, qualityRouteRef } from '../components/explore/routes';
import { organizationsRouteRef } from '../components/organizations/routes';
import { pipelineRouteRef, rootRouteRef } from '../routes';
import { CostEstimateField } from '../scaffolder/CostEstimateField';
import {
  COST_ESTIMATE_FIELD,
  ORGANIZATION_PICKER_FIELD,
} from '../scaffolder/field';
import { OrganizationPicker } from '../scaffolder/OrganizationPicker';
import { withLegacyRouting } from './LegacyRouting';

/**
 * The plugin's route refs as the legacy app's routing knows them: the same objects the components
 * resolve, so a page mounted in the legacy `App.tsx` is the target of the components' links.
 */
const routes = {
  root: convertLegacyRouteRef(rootRouteRef),
  pipeline: convertLegacyRouteRef(pipelineRouteRef),
  costs: convertLegacyRouteRef(costsRouteRef),
  admin: convertLegacyRouteRef(adminRouteRef),
  lineage: convertLegacyRouteRef(lineageRouteRef),
  quality: convertLegacyRouteRef(qualityRouteRef),
  organizations: convertLegacyRouteRef(organizationsRouteRef),
  editPipeline: convertLegacyRouteRef(editPipelineRouteRef),
  newPipeline: convertLegacyRouteRef(newPipelineRouteRef),
};

/**
 * The Ingestion frontend plugin for portals on the legacy frontend system (`App.tsx` with
 * `FlatRoutes`, an `EntityPage.tsx`): the same APIs, pages, entity content, cards and scaffolder
 * fields as the new-system plugin (the package's default export).
 *
 * @public
 */
export const ingestionPlugin = createPlugin({
  id: 'ingestion',
  apis: [
    createApiFactory({
      api: ingestionApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new IngestionClient(deps),
    }),
    createApiFactory({
      api: costsApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new CostsClient(deps),
    }),
    createApiFactory({
      api: dashboardApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new DashboardClient(deps),
    }),
    createApiFactory({
      api: adminApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new AdminClient(deps),
    }),
    createApiFactory({
      api: exploreApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new ExploreClient(deps),
    }),
    createApiFactory({
      api: editorApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new EditorClient(deps),
    }),
    createApiFactory({
      api: organizationsApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new OrganizationsClient(deps),
    }),
  ],
  routes,
});

/** `/ingestion`: organizations, pipelines and runs. @public */
export const IngestionPage = ingestionPlugin.provide(
  createRoutableExtension({
    name: 'IngestionPage',
    component: () =>
      import('../components/IngestionPage').then(m =>
        withLegacyRouting(m.IngestionPage),
      ),
    mountPoint: routes.root,
  }),
);

/** `/ingestion/pipelines/:pipelineId`: one pipeline (the scaffolder's portal URL). @public */
export const IngestionPipelinePage = ingestionPlugin.provide(
  createRoutableExtension({
    name: 'IngestionPipelinePage',
    component: () =>
      import('../components/PipelinePage').then(m =>
        withLegacyRouting(m.PipelinePage),
      ),
    mountPoint: routes.pipeline,
  }),
);

/** `/ingestion/pipelines/:pipelineId/edit`: the pipeline editor. @public */
export const IngestionPipelineEditorPage = ingestionPlugin.provide(
  createRoutableExtension({
    name: 'IngestionPipelineEditorPage',
    component: () =>
      import('../components/editor/EditPipelinePage').then(m =>
        withLegacyRouting(m.EditPipelinePage),
      ),
    mountPoint: routes.editPipeline,
  }),
);

/** `/ingestion/pipelines/new?organization=`: a new pipeline in the editor. @public */
export const IngestionNewPipelinePage = ingestionPlugin.provide(
  createRoutableExtension({
    name: 'IngestionNewPipelinePage',
    component: () =>
      import('../components/editor/NewPipelinePage').then(m =>
        withLegacyRouting(m.NewPipelinePage),
      ),
    mountPoint: routes.newPipeline,
  }),
);

/** `/ingestion/costs`: an organization's spend, chargeback and budgets. @public */
export const IngestionCostPage = ingestionPlugin.provide(
  createRoutableExtension({
    name: 'IngestionCostPage',
    component: () =>
      import('../components/costs/CostPage').then(m =>
        withLegacyRouting(m.CostPage),
      ),
    mountPoint: routes.costs,
  }),
);

/** `/ingestion/admin`: an organization's admin console. @public */
export const IngestionAdminPage = ingestionPlugin.provide(
  createRoutableExtension({
    name: 'IngestionAdminPage',
    component: () =>
      import('../components/admin/AdminPage').then(m =>
        withLegacyRouting(m.AdminPage),
      ),
    mountPoint: routes.admin,
  }),
);

/** `/ingestion/lineage`: the lineage explorer. @public */
export const IngestionLineagePage = ingestionPlugin.provide(
  createRoutableExtension({
    name: 'IngestionLineagePage',
    component: () =>
      import('../components/explore/lineage/LineageExplorerPage').then(m =>
        withLegacyRouting(m.LineageExplorerPage),
      ),
    mountPoint: routes.lineage,
  }),
);

/** `/ingestion/quality`: an organization's quality monitor. @public */
export const IngestionQualityPage = ingestionPlugin.provide(
  createRoutableExtension({
    name: 'IngestionQualityPage',
    component: () =>
      import('../components/explore/quality/QualityMonitorPage').then(m =>
        withLegacyRouting(m.QualityMonitorPage),
      ),
    mountPoint: routes.quality,
  }),
);

/** `/ingestion/organizations`: organizations at run time, for platform admins. @public */
export const IngestionOrganizationsPage = ingestionPlugin.provide(
  createRoutableExtension({
    name: 'IngestionOrganizationsPage',
    component: () =>
      import('../components/organizations/OrganizationsPage').then(m =>
        withLegacyRouting(m.OrganizationsPage),
      ),
    mountPoint: routes.organizations,
  }),
);

/** The "Ingestion" tab of `data-pipeline` Components: runs, quality and cost. @public */
export const EntityIngestionPipelineContent = ingestionPlugin.provide(
  createComponentExtension({
    name: 'EntityIngestionPipelineContent',
    component: {
      lazy: () =>
        import('../components/PipelineEntityContent').then(m =>
          withLegacyRouting(m.PipelineEntityContent),
        ),
    },
  }),
);

/** The latest runs, for the overview of `data-pipeline` Components. @public */
export const EntityIngestionPipelineRunsCard = ingestionPlugin.provide(
  createComponentExtension({
    name: 'EntityIngestionPipelineRunsCard',
    component: {
      lazy: () =>
        import('../components/PipelineEntityContent').then(m =>
          withLegacyRouting(m.PipelineRunsCard),
        ),
    },
  }),
);

/** The "Iceberg table" tab of `iceberg-table` Resources. @public */
export const EntityIngestionTableContent = ingestionPlugin.provide(
  createComponentExtension({
    name: 'EntityIngestionTableContent',
    component: {
      lazy: () =>
        import('../components/TableEntityContent').then(m =>
          withLegacyRouting(m.TableEntityContent),
        ),
    },
  }),
);

/** The "Lineage" tab of `data-pipeline` Components and `iceberg-table` Resources. @public */
export const EntityIngestionLineageContent = ingestionPlugin.provide(
  createComponentExtension({
    name: 'EntityIngestionLineageContent',
    component: {
      lazy: () =>
        import('../components/explore/lineage/LineageEntityContent').then(m =>
          withLegacyRouting(m.LineageEntityContent),
        ),
    },
  }),
);

/**
 * The spend card of an organization's Group (its team's pipelines) or System (the data platform).
 *
 * @public
 */
export const EntityIngestionCostCard = ingestionPlugin.provide(
  createComponentExtension({
    name: 'EntityIngestionCostCard',
    component: {
      lazy: () =>
        import('../components/costs/CostCard').then(m =>
          withLegacyRouting(m.EntityCostCard),
        ),
    },
  }),
);

/** The `IngestionOrganizationPicker` field of the ingestion templates. @public */
export const IngestionOrganizationPickerFieldExtension =
  ingestionPlugin.provide(
    createScaffolderFieldExtension({
      name: ORGANIZATION_PICKER_FIELD,
      component: withLegacyRouting(OrganizationPicker),
    }),
  );

/** The `IngestionCostEstimate` field of the templates' review step. @public */
export const IngestionCostEstimateFieldExtension = ingestionPlugin.provide(
  createScaffolderFieldExtension({
    name: COST_ESTIMATE_FIELD,
    component: withLegacyRouting(CostEstimateField),
  }),
);
